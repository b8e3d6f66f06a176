import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { AdminClient, ScimClient, createActivities, createEnrichmentActivities, createReconciliationActivities, storeReconciliation, type Enricher, type ReconciliationSource } from '../activities/index.ts';
import type { TenureConfig } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { Store } from '../store/index.ts';

/** The workflow entry point the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Routes the Temporal SDK's own logs (worker state changes, core) at `level` and above
 * to the console. Call once per process, before any worker or native connection.
 */
export function quietTemporalRuntime(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN'): void {
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed (a second call in the same process): keep the first.
  }
}

/** Bundles workflow code once; pass the result to several workers (tests do). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
}

export interface RunningWorker {
  readonly worker: Worker;
  /** Resolves when the worker has stopped (after `shutdown()`), rejects if it crashed. */
  readonly done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Creates and runs the one Tenure worker: workflows plus activities over the OpenAI
 * client and the results store. The admin key reaches the activities only.
 */
export async function startWorker(
  config: TenureConfig,
  options: {
    logger: Logger;
    connection?: NativeConnection;
    bundle?: WorkflowBundleWithSourceMap;
    store?: Store;
    /** Readers of HR systems' APIs for thin webhooks. Default: none (thin events fail with ENRICHMENT_UNAVAILABLE). */
    enrichers?: readonly Enricher[];
    /** Whom scheduled reconciliations act on. Default: the identity map (departed in HR, still invited or active at OpenAI). */
    reconciliation?: ReconciliationSource;
  },
): Promise<RunningWorker> {
  if (!config.openai.adminKey) {
    throw new Error('no OpenAI admin key: set OPENAI_ADMIN_KEY, or run `tenure dev` to use the sandbox emulator');
  }
  const connection = options.connection ?? (await NativeConnection.connect(config.temporal.connection()));
  const store = options.store ?? (await Store.open(config.store));
  const openai = new AdminClient({ baseUrl: config.openai.baseUrl, adminKey: config.openai.adminKey, timeoutMs: config.openai.timeoutMs });
  const scimConfig = config.openai.scim;
  const scim = scimConfig?.token ? new ScimClient({ baseUrl: scimConfig.baseUrl, token: scimConfig.token, timeoutMs: config.openai.timeoutMs }) : undefined;
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: options.bundle ?? (await bundleWorkflows()),
    activities: {
      ...createActivities({ openai, scim, store, acceptancePollMs: config.openai.acceptancePollMs, secrets: config.definitionSecrets }),
      ...createEnrichmentActivities({ enrichers: options.enrichers ?? [] }),
      ...createReconciliationActivities({ reconciliation: options.reconciliation ?? storeReconciliation(store) }),
    },
    shutdownGraceTime: '5s',
  });
  const done = worker.run().finally(async () => {
    await openai.close();
    await scim?.close();
    if (!options.store) await store.close();
    if (!options.connection) await connection.close();
  });
  options.logger.info({ taskQueue: config.taskQueue, namespace: config.temporal.namespace }, 'worker started');
  return {
    worker,
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
