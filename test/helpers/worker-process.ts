// The environment of a `tenure worker` child process (see `startTenure`) on the tests'
// Temporal server, acting on the OpenAI emulator, with the tests' payload keys.
import { TEST_PAYLOAD_KEYS } from './payload-keys.ts';
import { temporalAddress } from './temporal.ts';

export interface WorkerEnvOptions {
  taskQueue: string;
  /** TENURE_HOME: the worker's state folder. */
  home: string;
  /** The emulator; without `adminKey` the worker runs in sandbox mode (no OpenAI or SCIM credentials at all). */
  openai: { baseUrl: string; adminKey?: string };
  /** TENURE_OPENAI_RATE_PER_SECOND, when the test needs more than the default. */
  ratePerSecond?: number;
  /** Further settings (e.g. TENURE_DATABASE_URL). */
  extra?: NodeJS.ProcessEnv;
}

export function workerEnv({ taskQueue, home, openai, ratePerSecond, extra }: WorkerEnvOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEMPORAL_ADDRESS: temporalAddress(),
    TENURE_TASK_QUEUE: taskQueue,
    TENURE_HOME: home,
    OPENAI_BASE_URL: openai.baseUrl,
    TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    TENURE_LOG_LEVEL: 'info',
    ...(ratePerSecond === undefined ? {} : { TENURE_OPENAI_RATE_PER_SECOND: String(ratePerSecond) }),
    ...extra,
  };
  if (openai.adminKey === undefined) {
    delete env.OPENAI_ADMIN_KEY;
    delete env.OPENAI_SCIM_BASE_URL;
    delete env.OPENAI_SCIM_TOKEN;
  } else {
    env.OPENAI_ADMIN_KEY = openai.adminKey;
  }
  return env;
}
