import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { DefinitionRegistry, formatProblem } from '../../dsl/index.ts';
import { createLogger } from '../../logging/index.ts';
import { Store } from '../../store/index.ts';
import { buildSources, buildTriggerServer, followSchedules } from '../../triggers/index.ts';
import { CliError, config, untilSignal } from '../common.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the trigger server against TEMPORAL_ADDRESS')
    .action(async () => {
      const cfg = config();
      const sources = buildSources(cfg.sources, cfg.webhookSecret);
      if (sources.length === 0) {
        throw new CliError('no source is enabled: set TENURE_WEBHOOK_SECRET (a whsec_… secret), BAMBOOHR_WEBHOOK_SECRET or HIBOB_WEBHOOK_SECRET, or define sources in tenure.config.yaml');
      }
      const logger = createLogger({ level: cfg.logLevel, name: 'tenure-serve' });
      const registry = DefinitionRegistry.open({ dir: cfg.definitionsDir, logger }).watch();
      for (const problem of registry.problems()) console.error(formatProblem(problem));
      const connection = await Connection.connect(cfg.temporal.connection());
      const client = new Client({ connection, namespace: cfg.temporal.namespace });
      await followSchedules(client, registry, { taskQueue: cfg.taskQueue, maxUsers: cfg.scheduleMaxUsers }, logger);
      // The admin token turns on GET /admin/audit, which reads the results store.
      const store = cfg.adminToken ? await Store.open(cfg.store) : undefined;
      const app = buildTriggerServer({
        client,
        taskQueue: cfg.taskQueue,
        sources,
        plans: () => registry.plans(),
        logger,
        ...(store && cfg.adminToken ? { audit: { store, token: cfg.adminToken } } : {}),
      });
      await app.listen({ host: cfg.server.host, port: cfg.server.port });
      await untilSignal();
      await app.close();
      await store?.close();
      registry.close();
      await connection.close();
    });
}
