import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, type LogEntry, type LogLevel, type LogMetadata, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { AdminClient, ScimClient, createActivities, createEnrichmentActivities, createReconciliationActivities, hrEnrichers, storeReconciliation, type Enricher, type ReconciliationSource } from '../activities/index.ts';
import { createConnectors } from '../hris/index.ts';
import { tenureDataConverter } from '../codec/index.ts';
import { requirePayloadKeys, type TenureConfig } from '../config/index.ts';
import type { Logger } from '../logging/index.ts';
import type { HrConnector } from '../hris/index.ts';
import { Store } from '../store/index.ts';
import { createSyncActivities } from '../sync/index.ts';
import { openaiTaskQueueFor } from '../workflows/shared.ts';
import { prebuiltWorkflowBundle } from './bundle.ts';
import { setFlagsFromString } from 'node:v8';

const LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];
const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** What every start says by design: the OpenAI worker has no workflows, and no worker serves Nexus. */
const QUIET = ['No workflows registered, not polling for workflow tasks', 'No Nexus services registered, not polling for Nexus tasks'];

/** Where workflow and activity logs go once a worker runs: its logger, at its level (TENURE_LOG_LEVEL). */
let sink: Logger | undefined;
/** Before any worker runs: this logger (the command's), else the console. */
let early: Logger | undefined;
/** Before any worker runs, these levels and up are shown. */
let earlyLevel: LogLevel = 'WARN';

/**
 * The SDK's logger (workflow `log`, activity `log`, worker state changes):
 * to the running worker's pino logger, so they follow
 * TENURE_LOG_LEVEL and the log format; before there is one, to the command's logger (or the
 * console) at `earlyLevel`. Minus a warning that the OpenAI worker (activities only, by
 * design) would print at every start.
 */
class TenureRuntimeLogger extends DefaultLogger {
  constructor() {
    super('TRACE', (entry: LogEntry) => {
      if (sink) sink[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message);
      else if (LEVELS.indexOf(entry.level) < LEVELS.indexOf(earlyLevel)) return;
      else if (early) early[PINO_LEVEL[entry.level]]({ ...entry.meta }, entry.message);
      else console.error(`${entry.level} ${entry.message}`, entry.meta ?? '');
    });
  }

  override log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (QUIET.includes(message)) return;
    super.log(level, message, meta);
  }
}

/**
 * Installs the SDK logger above; until a worker starts, messages at `level` and above go to
 * `logger` (default: the console). Call once per process, before any worker or native
 * connection. (The SDK core's own warnings are not forwarded: forwarding them, with a filter,
 * kept activity and workflow logs from reaching the worker's logger.)
 */
export function quietTemporalRuntime(level: 'WARN' | 'ERROR' | 'INFO' = 'WARN', logger?: Logger): void {
  earlyLevel = level;
  if (logger) early = logger;
  try {
    Runtime.install({ logger: new TenureRuntimeLogger() });
  } catch {
    // Already installed (a second call in the same process): keep the first.
  }
}

/**
 * The prebuilt workflow bundle for the current sources (built first if they changed since
 * the last build); pass it to several workers (tests do). The bundle carries Tenure's
 * failure converter, which puts failure messages into encrypted payloads.
 */
export async function bundleWorkflows(): Promise<WorkflowBundleOption> {
  return { codePath: (await prebuiltWorkflowBundle()).codePath };
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
    /** Default: the prebuilt bundle ({@link bundleWorkflows}). */
    bundle?: WorkflowBundleOption;
    store?: Store;
    /** Readers of HR systems' APIs for thin webhooks. Default: one per HR connector of `config.hris` (none: thin events fail with ENRICHMENT_UNAVAILABLE). */
    enrichers?: readonly Enricher[];
    /** Whom scheduled reconciliations act on. Default: the identity map (departed in HR, still invited or active at OpenAI). */
    reconciliation?: ReconciliationSource;
    /** HR directories a sync reads. Default: the configured connectors (`hris/`). */
    hrConnectors?: readonly HrConnector[];
  },
): Promise<RunningWorker> {
  if (!config.openai.adminKey) {
    throw new Error('no OpenAI admin key: set OPENAI_ADMIN_KEY, or run `tenure dev` to use the sandbox emulator');
  }
  // Workflow and activity logs (e.g. a notify without a webhook) reach this worker's logger.
  quietTemporalRuntime();
  sink = options.logger;
  // Every payload the worker writes to Temporal (inputs, results, summaries, failures) is encrypted.
  const dataConverter = tenureDataConverter(requirePayloadKeys(config));
  const connection = options.connection ?? (await NativeConnection.connect(config.temporal.connection()));
  const store = options.store ?? (await Store.open(config.store));
  const openai = new AdminClient({ baseUrl: config.openai.baseUrl, adminKey: config.openai.adminKey, timeoutMs: config.openai.timeoutMs });
  const scimConfig = config.openai.scim;
  const scim = scimConfig?.token ? new ScimClient({ baseUrl: scimConfig.baseUrl, token: scimConfig.token, timeoutMs: config.openai.timeoutMs }) : undefined;
  // One set of HR connectors: enrichment of thin webhooks and syncs read HR through them.
  const connectors = options.enrichers && options.hrConnectors ? [] : createConnectors(config, { logger: options.logger });
  const activities = {
    ...createActivities({ openai, scim, store, acceptancePollMs: config.openai.acceptancePollMs, secrets: config.definitionSecrets, notifyTextLevel: config.openai.mode === 'sandbox' ? 'info' : 'debug' }),
    ...createEnrichmentActivities({ enrichers: options.enrichers ?? hrEnrichers(connectors, { knownEmail: async (source, id) => (await store.identity(source, id))?.email ?? undefined }) }),
    ...createReconciliationActivities({ reconciliation: options.reconciliation ?? storeReconciliation(store) }),
    ...createSyncActivities({
      connectors: options.hrConnectors ?? connectors,
      openai,
      store,
      // Syncs deliver events to entity workflows as the trigger server does (signal-with-start).
      client: new Client({ connection, namespace: config.temporal.namespace, dataConverter }),
      taskQueue: config.taskQueue,
    }),
  };
  // The workflow thread the SDK starts next gets this heap limit (a V8 flag read when an
  // isolate is made; this process's main thread keeps its own): past the limit V8 collects
  // the garbage of evicted workflows instead of growing (docs/performance.md).
  setFlagsFromString(`--max-old-space-size=${config.worker.workflowHeapMiB}`);
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: options.bundle ?? (await bundleWorkflows()),
    dataConverter,
    activities,
    // Bounded so that a burst of runs cannot grow the process without limit: an evicted
    // workflow is replayed from its history when its next task comes.
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    maxConcurrentWorkflowTaskExecutions: config.worker.workflowTaskSlots,
    maxConcurrentActivityTaskExecutions: config.worker.activityTaskSlots,
    maxConcurrentLocalActivityExecutions: config.worker.activityTaskSlots,
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
    dataConverter,
    activities,
    maxConcurrentActivityTaskExecutions: config.worker.activityTaskSlots,
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
    for (const connector of connectors) await connector.close();
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
