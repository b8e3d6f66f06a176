import { expect } from '@jest/globals';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TenureConfig } from '../../config/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../emulator/index.ts';
import type { HrConnector, HrVendor } from '../../hris/index.ts';
import type { Logger } from '../../logging/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import { TEST_PAYLOAD_KEYS } from './payload-keys.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from './temporal.ts';

/** The real parts a workflow test runs on: Temporal, the emulator, a SQLite store and a Tenure worker. */
export interface Harness {
  temporal: TestTemporal;
  emulator: RunningEmulator;
  store: Store;
  worker: RunningWorker;
  config: TenureConfig;
  bundle: WorkflowBundleOption;
  /** Stops the worker, then closes the store, the emulator and the connections. */
  close(): Promise<void>;
}

/**
 * Starts the emulator, a store under a fresh `TENURE_HOME` and a worker on its own task
 * queue, configured through `loadConfig` as the product is. `env` adds or overrides variables.
 */
export async function startHarness(options: {
  name: string;
  logger: Logger;
  emulator?: EmulatorOptions;
  env?: Record<string, string>;
  /** Point OPENAI_SCIM_BASE_URL at the emulator's SCIM service (its token must be given in `env`). */
  scimFromEmulator?: boolean;
  /** HR directories the worker's syncs read. Default: the configured connectors. */
  hrConnectors?: readonly HrConnector[];
  /** Point the HR connectors at the emulator's HR APIs, with its credentials: all of them, or these vendors'. */
  hrisFromEmulator?: boolean | readonly HrVendor[];
}): Promise<Harness> {
  const bundle = await bundleWorkflows();
  const temporal = await connectTemporal();
  const emulator = await startEmulator({ port: 0, ...options.emulator });
  const config = loadConfig({
    TEMPORAL_ADDRESS: temporalAddress(),
    TENURE_TASK_QUEUE: uniqueTaskQueue(options.name),
    TENURE_HOME: mkdtempSync(join(tmpdir(), `tenure-${options.name}-`)),
    OPENAI_ADMIN_KEY: emulator.adminKey,
    OPENAI_BASE_URL: emulator.baseUrl,
    TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    ...(options.scimFromEmulator ? { OPENAI_SCIM_BASE_URL: emulator.scimUrl } : {}),
    ...(options.hrisFromEmulator ? hrisEnv(emulator, options.hrisFromEmulator === true ? undefined : options.hrisFromEmulator) : {}),
    ...options.env,
  });
  const store = await Store.open(config.store);
  const worker = await startWorker(config, { logger: options.logger, connection: temporal.nativeConnection, bundle, store, ...(options.hrConnectors ? { hrConnectors: options.hrConnectors } : {}) });
  return {
    temporal,
    emulator,
    store,
    worker,
    config,
    bundle,
    async close() {
      await worker.shutdown();
      await store.close();
      await emulator.close();
      await temporal.close();
    },
  };
}

/** The HR connectors' variables for the emulator's HR APIs (every vendor's, or these vendors'). */
export function hrisEnv(emulator: RunningEmulator, vendors: readonly HrVendor[] = ['bamboohr', 'hibob', 'merge']): Record<string, string> {
  const { bamboohr, hibob, merge } = emulator.hrisCredentials;
  return {
    ...(vendors.includes('bamboohr') ? { BAMBOOHR_API_KEY: bamboohr.apiKey, BAMBOOHR_COMPANY_DOMAIN: bamboohr.companyDomain, BAMBOOHR_API_BASE_URL: emulator.hrisUrls.bamboohr } : {}),
    ...(vendors.includes('hibob') ? { HIBOB_SERVICE_USER_ID: hibob.serviceUserId, HIBOB_SERVICE_USER_TOKEN: hibob.token, HIBOB_API_BASE_URL: emulator.hrisUrls.hibob } : {}),
    ...(vendors.includes('merge') ? { MERGE_API_KEY: merge.apiKey, MERGE_ACCOUNT_TOKEN: merge.accountToken, MERGE_API_BASE_URL: emulator.hrisUrls.merge } : {}),
  };
}

/** Compiles a definition written inline in a test; fails the test on any problem. */
export function compilePlan(yaml: string, file = 'test.yaml'): Plan {
  const { plan, problems } = loadDefinitionText(yaml, file);
  expect(problems).toEqual([]);
  return plan!;
}
