import { DefaultLogger, NativeConnection, type LogLevel, type LogMetadata, Runtime, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import { AdminClient, ScimClient, createActivities, createEnrichmentActivities, createReconciliationActivities, storeReconciliation, type Enricher, type ReconciliationSource } from '../activities/index.ts';
import type { TenureConfig } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import { Store } from '../store/index.ts';
import { openaiTaskQueueFor } from '../workflows/shared.ts';

/** The workflow entry point the worker bundles. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** The SDK's console logger, minus a warning that the OpenAI worker (activities only, by design) would print at every start. */
class TenureRuntimeLogger extends DefaultLogger {
  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (message === 'No workflows registered, not polling for workflow tasks') return;
    super.log(level, message, meta);
  }
}

/**
 * Routes the Temporal SDK's own logs (worker state changes, core) at `level` and above
 * to the console. Call once per process, before any worker or native connection.
 */
export function quietTemporalRuntime(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN'): void {
  try {
    Runtime.install({ logger: new TenureRuntimeLogger(level) });
  } catch {
    // Already installed (a second call in the same process): keep the first.
  }
}

/** Bundles workflow code once; pass the result to several workers (tests do). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } as never });
}

export interface RunningWorker {
  /** Workflows and every activity, on the task queue. */
  readonly worker: Worker;
  /** OpenAI actions of runs the entity starts, on `<task queue>-openai`, at the configured rate. */
  readonly openaiWorker: Worker;
  /** Resolves when the worker has stopped (after `shutdown()`), rejects if it crashed. */
  readonly done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Creates and runs the one Tenure worker: workflows plus activities over the OpenAI
 * client and the results store, on the task queue; and the OpenAI actions of entity-started
 * runs on `<task queue>-openai`, at `TENURE_OPENAI_RATE_PER_SECOND` for the whole queue.
 * The admin key reaches the activities only.
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
  const activities = {
    ...createActivities({ openai, scim, store, acceptancePollMs: config.openai.acceptancePollMs, secrets: config.definitionSecrets }),
    ...createEnrichmentActivities({ enrichers: options.enrichers ?? [] }),
    ...createReconciliationActivities({ reconciliation: options.reconciliation ?? storeReconciliation(store) }),
  };
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: options.bundle ?? (await bundleWorkflows()),
    activities,
    shutdownGraceTime: '5s',
  });
  // The OpenAI rate limit is the server's, per task queue, so it holds across every worker
  // (each must configure the same rate: the last poller's setting wins). It counts OpenAI
  // actions only, because they have this queue to themselves; a 429 that still happens is
  // retried after its Retry-After.
  const openaiWorker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: openaiTaskQueueFor(config.taskQueue),
    activities,
    maxTaskQueueActivitiesPerSecond: config.openai.ratePerSecond,
    shutdownGraceTime: '5s',
  });
  const stopAll = () => {
    for (const w of [worker, openaiWorker]) if (w.getState() === 'RUNNING') w.shutdown();
  };
  // One worker failing stops the other: the process is either whole or gone.
  const runs = [worker.run(), openaiWorker.run()].map((run) =>
    run.catch((error: unknown) => {
      stopAll();
      throw error;
    }),
  );
  const done = Promise.allSettled(runs).then((settled) => {
    const failure = settled.find((r) => r.status === 'rejected');
    if (failure) throw failure.reason;
  }).finally(async () => {
    await openai.close();
    await scim?.close();
    if (!options.store) await store.close();
    if (!options.connection) await connection.close();
  });
  options.logger.info({ taskQueue: config.taskQueue, openaiTaskQueue: openaiTaskQueueFor(config.taskQueue), openaiRatePerSecond: config.openai.ratePerSecond, namespace: config.temporal.namespace }, 'worker started');
  return {
    worker,
    openaiWorker,
    done,
    async shutdown() {
      stopAll();
      await done;
    },
  };
}
