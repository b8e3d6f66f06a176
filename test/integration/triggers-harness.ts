// Shared by the triggers integration tests: a real trigger server in front of the real
// Temporal dev server, a real worker, the emulator and a SQLite store. Not a test file.
import type { WorkflowBundleOption } from '@temporalio/worker';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { Enricher, ReconciliationSource } from '../../activities/index.ts';
import { loadConfig, type TenureConfig } from '../../config/index.ts';
import type { ActionStep, Plan, PlanTrigger } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { Store } from '../../store/index.ts';
import { buildTriggerServer, type Source, type TriggerServerOptions } from '../../triggers/index.ts';
import { startWorker, type RunningWorker } from '../../workers/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';

/** A hand-built plan, as the compiler would produce it. */
export function plan(name: string, trigger: PlanTrigger, steps: Omit<ActionStep, 'kind' | 'timeoutMs' | 'retry' | 'continueOnError'>[]): Plan {
  const full: ActionStep[] = steps.map((s) => ({ kind: 'action', timeoutMs: 30_000, retry: { maximumAttempts: 3 }, continueOnError: false, ...s }));
  const hash = createHash('sha256').update(JSON.stringify({ name, trigger, full })).digest('hex');
  return { name, hash, version: hash.slice(0, 7), source: `${name}.yaml`, trigger, steps: full };
}

/** A suffix that keeps this file's employees apart from every other test's. */
export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface Posted {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown> & {
    events?: { eventId: string; workflowId: string; runs: string[]; outcome: string }[];
    error?: { code: string; message: string; problems?: { path: string; message: string }[] };
  };
}

export async function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<Posted> {
  const response = await request(url, { method: 'POST', headers, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const text = await response.body.text();
  let json = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: tests assert on text then
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

export interface Harness {
  temporal: TestTemporal;
  emulator: RunningEmulator;
  store: Store;
  worker: RunningWorker;
  config: TenureConfig;
  app: ReturnType<typeof buildTriggerServer>;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  log: ReturnType<typeof memoryLogger>;
  close(): Promise<void>;
}

export async function startHarness(options: {
  bundle: WorkflowBundleOption;
  plans: readonly Plan[];
  sources: readonly Source[];
  enrichers?: readonly Enricher[];
  reconciliation?: ReconciliationSource;
  server?: Partial<TriggerServerOptions>;
}): Promise<Harness> {
  const temporal = await connectTemporal();
  const emulator = await startEmulator({ port: 0 });
  const home = mkdtempSync(join(tmpdir(), 'tenure-triggers-'));
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporalAddress(),
    TENURE_TASK_QUEUE: uniqueTaskQueue('triggers'),
    TENURE_HOME: home,
    OPENAI_ADMIN_KEY: emulator.adminKey,
    TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    OPENAI_BASE_URL: emulator.baseUrl,
    PORT: '0',
  });
  const log = memoryLogger();
  const store = await Store.open(config.store);
  const worker = await startWorker(config, {
    logger: log.logger,
    connection: temporal.nativeConnection,
    bundle: options.bundle,
    store,
    ...(options.enrichers ? { enrichers: options.enrichers } : {}),
    ...(options.reconciliation ? { reconciliation: options.reconciliation } : {}),
  });
  const app = buildTriggerServer({
    client: temporal.client,
    taskQueue: config.taskQueue,
    sources: options.sources,
    plans: () => options.plans,
    logger: log.logger,
    events: store,
    ...options.server,
  });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    temporal,
    emulator,
    store,
    worker,
    config,
    app,
    baseUrl,
    log,
    async close() {
      await app.close();
      await worker.shutdown();
      await store.close();
      await emulator.close();
      await temporal.close();
    },
  };
}
