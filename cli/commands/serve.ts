import { Client, Connection } from '@temporalio/client';
import type { Command } from 'commander';
import { tenureDataConverter } from '../../codec/index.ts';
import { hasHrConnector, requirePayloadKeys } from '../../config/index.ts';
import { sandboxConfig } from '../../devstack/index.ts';
import { DefinitionRegistry, formatProblem } from '../../dsl/index.ts';
import { Store } from '../../store/index.ts';
import { followSyncSchedule } from '../../sync/index.ts';
import { buildSources, buildTriggerServer, codecEndpoint, followSchedules, operatorAuthenticator } from '../../triggers/index.ts';
import { CliError, config, untilSignal } from '../common.ts';
import { logFormatOption, serviceLogger } from '../logger.ts';
import { describe } from './index.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(describe('serve'))
    .addOption(logFormatOption())
    .action(async (options: { logFormat?: string }) => {
      const cfg = sandboxConfig(await config());
      // Events reach Temporal encrypted: without a key the server does not start.
      const keys = requirePayloadKeys(cfg);
      const sources = buildSources(cfg.sources, cfg.webhookSecret, { replayWindowMs: cfg.replayWindowMs });
      if (sources.length === 0) {
        throw new CliError('no source is enabled: set TENURE_WEBHOOK_SECRET (a whsec_… secret), BAMBOOHR_WEBHOOK_SECRET or HIBOB_WEBHOOK_SECRET, or define sources in tenure.config.yaml');
      }
      const logger = serviceLogger(cfg, 'tenure-serve', options.logFormat);
      const registry = DefinitionRegistry.open({ dir: cfg.definitionsDir, logger }).watch();
      for (const problem of registry.problems()) console.error(formatProblem(problem));
      const connection = await Connection.connect(cfg.temporal.connection());
      const client = new Client({ connection, namespace: cfg.temporal.namespace, dataConverter: tenureDataConverter(keys) });
      await followSchedules(client, registry, { taskQueue: cfg.taskQueue, maxUsers: cfg.scheduleMaxUsers }, logger);
      await followSyncSchedule(client, registry, { taskQueue: cfg.taskQueue, ...cfg.sync }, logger, hasHrConnector(cfg.hris));
      const store = await Store.open(cfg.store);
      const app = buildTriggerServer({
        client,
        taskQueue: cfg.taskQueue,
        sources,
        plans: () => registry.plans(),
        logger,
        events: store,
        temporalUiUrl: cfg.temporal.uiUrl,
        codec: codecEndpoint(cfg, keys),
        ...(cfg.adminToken || cfg.operators.length > 0 ? { audit: { store, authenticate: operatorAuthenticator(cfg) } } : {}),
        // Without TENURE_CONSOLE_SECRET the cookie key is random per process: sessions end at a restart.
        ...(cfg.adminToken || cfg.operators.length > 0
          ? {
              console: {
                store,
                authenticate: operatorAuthenticator(cfg),
                definitions: () => ({ plans: registry.plans(), problems: registry.problems() }),
                namespace: cfg.temporal.namespace,
                temporalUiUrl: cfg.temporal.uiUrl,
                sessionKey: cfg.consoleSecret,
              },
            }
          : {}),
      });
      await app.listen({ host: cfg.server.host, port: cfg.server.port });
      await untilSignal();
      await app.close();
      await store.close();
      registry.close();
      await connection.close();
    });
}
