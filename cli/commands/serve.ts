import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { DefinitionRegistry, formatProblem } from '../../dsl/index.ts';
import { createLogger } from '../../logging/index.ts';
import { buildTriggerServer, genericSource } from '../../triggers/index.ts';
import { CliError, config, untilSignal } from '../common.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the trigger server against TEMPORAL_ADDRESS')
    .action(async () => {
      const cfg = config();
      if (!cfg.webhookSecret) throw new CliError('TENURE_WEBHOOK_SECRET is not set: no source would be enabled. Set it to a whsec_… secret.');
      const logger = createLogger({ level: cfg.logLevel, name: 'tenure-serve' });
      const registry = DefinitionRegistry.open({ dir: cfg.definitionsDir, logger }).watch();
      for (const problem of registry.problems()) console.error(formatProblem(problem));
      const connection = await Connection.connect(cfg.temporal.connection());
      const app = buildTriggerServer({
        client: new Client({ connection, namespace: cfg.temporal.namespace }),
        taskQueue: cfg.taskQueue,
        sources: [genericSource(cfg.webhookSecret)],
        plans: () => registry.plans(),
        logger,
      });
      await app.listen({ host: cfg.server.host, port: cfg.server.port });
      await untilSignal();
      await app.close();
      registry.close();
      await connection.close();
    });
}
