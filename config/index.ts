/**
 * Tenure's configuration: the one module that reads environment variables. Parse it
 * once at start-up and pass the result down; nothing else reads `process.env`.
 *
 *   const config = loadConfig(process.env);   // throws ConfigError naming the variable
 *   config.openai.mode                        // 'sandbox' | 'live'
 *
 * Secrets are wrapped in {@link Secret}, so logging or serializing a config prints `[redacted]`.
 * Webhook sources come from their secret variables and the optional `tenure.config.yaml`
 * (config/sources.ts validates it; this module reads the secrets it names).
 */
import { loadClientConfigProfile, toClientOptions, type ClientConnectConfig } from '@temporalio/envconfig';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PayloadKeysError, parsePayloadKeys, type PayloadKeys } from '../codec/keys.ts';
import { formatProblem, positiveDuration, type Problem } from '../dsl/index.ts';
import { Secret } from './secret.ts';
import { loadOperatorsFile, type OperatorEntry } from './operators.ts';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS, parseSourcesFile, type HrisFieldsSpec, type SourceSpec } from './sources.ts';
import { hrisConfig, hrisEnvSchema, type HrisConfig } from './hris.ts';

export { Secret } from './secret.ts';
export type { OperatorEntry } from './operators.ts';
export {
  parseSourcesFile,
  SOURCE_KINDS,
  MAPPABLE_FIELDS,
  BUILTIN_SECRET_ENV,
  DEFAULT_TIMESTAMP_TOLERANCE_MS,
  type SourceKind,
  type SourceSpec,
  type FieldMapping,
  type MappableField,
  type HrisFieldsSpec,
} from './sources.ts';

export { HR_EMULATOR_CREDENTIALS, hasHrConnector, hrEmulatorBaseUrls, type HrisConfig, type BambooHrConfig, type HiBobConfig, type MergeConfig } from './hris.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `tenure.config.yaml` is invalid; `problems` carry codes and positions. */
export class SourcesFileError extends ConfigError {
  readonly problems: Problem[];

  constructor(file: string, problems: Problem[]) {
    super(`${problems.length} problem(s) in ${file}:\n${problems.map(formatProblem).join('\n')}`);
    this.problems = problems;
  }
}

/** A webhook source beyond the built-in generic one, with its secrets read. */
export interface SourceConfig extends SourceSpec {
  /** One or more (during a rotation); a delivery signed with any of them is accepted. */
  readonly secrets: Secret[];
}

/** Default ports and addresses of the local dev stack. */
export const DEV_DEFAULTS = {
  temporalPort: 7233,
  temporalUiPort: 8233,
  emulatorPort: 8787,
  triggerPort: 3000,
} as const;

/**
 * Default OpenAI actions per second for the whole task queue. OpenAI documents no rate
 * limit for the Admin API, so this is deliberately low: 2 actions/s is at most 6 requests/s
 * (360 a minute), a burst of 1,000 hires is worked off in about 8 minutes, and any 429 is
 * retried after its Retry-After.
 */
export const DEFAULT_OPENAI_RATE_PER_SECOND = 2;

export interface TemporalConfig {
  /** True when no TEMPORAL_ADDRESS (nor profile address) is set: `tenure dev` embeds a dev server. */
  readonly embedded: boolean;
  /** host:port of the frontend; for the embedded server, 127.0.0.1:7233. */
  readonly address: string;
  readonly namespace: string;
  /** Web UI port of the embedded dev server. */
  readonly uiPort: number;
  /** Base URL of the Temporal Web UI that the console, `tenure runs show` and `GET /admin/runs/<run>` link to (TENURE_TEMPORAL_UI_URL). Default: `http://127.0.0.1:<uiPort>`. */
  readonly uiUrl: string;
  /** Connection options (may carry an API key: never log them). */
  readonly connection: () => ClientConnectConfig['connectionOptions'];
}

export interface OpenAIConfig {
  /** `sandbox` when OPENAI_ADMIN_KEY is unset: calls go to the local emulator. */
  readonly mode: 'sandbox' | 'live';
  /** The Admin API key; in sandbox mode the emulator's key, filled in by whoever starts it. */
  readonly adminKey: Secret | undefined;
  /** Admin API base URL, ending in `/v1`. */
  readonly baseUrl: string;
  /** Request timeout, milliseconds. */
  readonly timeoutMs: number;
  /** Pause between two looks of `openai.awaitAcceptance`, milliseconds. */
  readonly acceptancePollMs: number;
  /**
   * OpenAI actions started per second, across every worker on the task queue (enforced by
   * the Temporal server). Each action makes one to three requests (look-ups, then the change).
   */
  readonly ratePerSecond: number;
  /**
   * The SCIM 2.0 service of the `openai.scim.*` actions; undefined when not configured.
   * In sandbox mode, the emulator's (its token is filled in by whoever starts it).
   */
  readonly scim: { readonly baseUrl: string; readonly token: Secret | undefined } | undefined;
}

/** Defaults that fit a small machine (2 cores, a few GiB): see the README's configuration table. */
export const DEFAULT_WORKER_LIMITS = {
  maxCachedWorkflows: 100,
  workflowTaskSlots: 10,
  activityTaskSlots: 20,
  workflowHeapMiB: 384,
} as const;

export interface WorkerLimits {
  /** Workflows kept in the worker's sticky cache; an evicted one is replayed from its history at its next task. */
  readonly maxCachedWorkflows: number;
  /**
   * The V8 heap limit of the thread that runs workflows, MiB. V8 collects lazily below its
   * limit, so without one a burst leaves the worker holding garbage of evicted workflows; the
   * cached workflows (about 0.2 MiB each, 1.3 MiB for a run) must fit well within it.
   */
  readonly workflowHeapMiB: number;
  /** Workflow tasks the worker runs at once. */
  readonly workflowTaskSlots: number;
  /** Activities (and, separately, local activities) the worker runs at once, per task queue. */
  readonly activityTaskSlots: number;
}

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: Secret };

export interface TenureConfig {
  /** Folder that holds every bit of local state (`./.tenure`). */
  readonly home: string;
  readonly taskQueue: string;
  readonly temporal: TemporalConfig;
  readonly worker: WorkerLimits;
  readonly server: { readonly host: string; readonly port: number };
  readonly openai: OpenAIConfig;
  readonly emulator: { readonly port: number };
  readonly definitionsDir: string;
  readonly store: StoreConfig;
  /** The generic source's Standard Webhooks secret (`whsec_…`); undefined until the dev stack fills it. */
  readonly webhookSecret: Secret | undefined;
  readonly adminToken: Secret | undefined;
  /** The admin API's operators (TENURE_OPERATORS_FILE), each by the sha256 of their token. Default: none. */
  readonly operators: readonly OperatorEntry[];
  /** Who the CLI's decisions are by (TENURE_OPERATOR); `--as` overrides it, `$USER@host` is the default. */
  readonly operator: string | undefined;
  /**
   * Keys of the payload codec (TENURE_PAYLOAD_KEYS): the first encrypts, all decrypt. Undefined
   * when unset; `tenure dev` and sandbox-mode commands then use the dev key, everything else
   * refuses to start ({@link requirePayloadKeys}).
   */
  readonly payloadKeys: PayloadKeys | undefined;
  /** The Temporal UI's origin (TENURE_UI_ORIGIN), allowed by the codec endpoint's CORS; undefined: none. */
  readonly uiOrigin: string | undefined;
  /**
   * The key that signs the operator console's session cookies (TENURE_CONSOLE_SECRET). Undefined:
   * `tenure dev` uses the one in `.tenure/dev-secrets.json`, `tenure serve` a random key per process.
   */
  readonly consoleSecret: Secret | undefined;
  /**
   * Vendor and extra sources: BambooHR (BAMBOOHR_WEBHOOK_SECRET), HiBob (HIBOB_WEBHOOK_SECRET)
   * and those `tenure.config.yaml` defines. The generic source is `webhookSecret`.
   */
  readonly sources: readonly SourceConfig[];
  /** The `tenure.config.yaml` in force, if any. */
  readonly sourcesFile: string | undefined;
  /** A scheduled run refuses to act when it would touch more users than this. */
  readonly scheduleMaxUsers: number;
  /** HR ↔ OpenAI sync: when its Schedule runs (cron, UTC) and how many people one sync may act on unattended. */
  readonly sync: { readonly cron: string; readonly maxChanges: number };
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** TENURE_LOG_FORMAT: `auto` (default: readable lines on a terminal, JSON otherwise), `json` or `pretty`; `--log-format` overrides it. */
  readonly logFormat: 'auto' | 'json' | 'pretty';
  /**
   * Secrets definitions may name (`secret: SLACK_WEBHOOK`), from `TENURE_SECRET_<NAME>`
   * variables. Only that prefix is reachable, so no definition can name OPENAI_ADMIN_KEY.
   */
  readonly definitionSecrets: ReadonlyMap<string, Secret>;
  /** HR systems Tenure reads (thin webhooks, sync): BambooHR, HiBob, Merge; in sandbox mode, the emulator's. */
  readonly hris: HrisConfig;
  /** A delivery whose own timestamp is older than this is refused as a possible replay, milliseconds (TENURE_REPLAY_WINDOW). */
  readonly replayWindowMs: number;
}

/** Default of TENURE_REPLAY_WINDOW: far shorter than Temporal's retention; accepted event ids are remembered for good. */
export const DEFAULT_REPLAY_WINDOW = '24h';

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Environment prefix of the secrets definitions may name. */
export const DEFINITION_SECRET_PREFIX = 'TENURE_SECRET_';

function definitionSecrets(env: Env): Map<string, Secret> {
  const found = new Map<string, Secret>();
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(DEFINITION_SECRET_PREFIX) && name.length > DEFINITION_SECRET_PREFIX.length && value) {
      found.set(name.slice(DEFINITION_SECRET_PREFIX.length), new Secret(value));
    }
  }
  return found;
}

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a TCP port number` })
    .int(`${name} must be a whole number`)
    .min(0, `${name} must be between 0 and 65535`)
    .max(65535, `${name} must be between 0 and 65535`);

const envSchema = z.object({
  TENURE_HOME: z.string().min(1).default('.tenure'),
  TENURE_TASK_QUEUE: z.string().min(1).default('tenure'),
  TENURE_HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port('PORT').default(DEV_DEFAULTS.triggerPort),
  OPENAI_ADMIN_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ error: 'OPENAI_BASE_URL must be an absolute URL such as https://api.openai.com/v1' }).optional(),
  OPENAI_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  OPENAI_ACCEPTANCE_POLL_MS: z.coerce.number({ error: 'OPENAI_ACCEPTANCE_POLL_MS must be a number of milliseconds' }).int().min(100).default(300_000),
  TENURE_OPENAI_RATE_PER_SECOND: z.coerce
    .number({ error: 'TENURE_OPENAI_RATE_PER_SECOND must be a number of OpenAI actions per second, e.g. 2 or 0.5' })
    .positive('TENURE_OPENAI_RATE_PER_SECOND must be more than 0 (OpenAI actions per second)')
    .max(1000, 'TENURE_OPENAI_RATE_PER_SECOND must be at most 1000')
    .default(DEFAULT_OPENAI_RATE_PER_SECOND),
  OPENAI_SCIM_BASE_URL: z.url({ error: 'OPENAI_SCIM_BASE_URL must be an absolute URL ending in the SCIM version, such as https://scim.example.com/scim/v2' }).optional(),
  OPENAI_SCIM_TOKEN: z.string().min(1).optional(),
  TENURE_EMULATOR_PORT: port('TENURE_EMULATOR_PORT').default(DEV_DEFAULTS.emulatorPort),
  TENURE_DEV_TEMPORAL_PORT: port('TENURE_DEV_TEMPORAL_PORT').default(DEV_DEFAULTS.temporalPort),
  TENURE_DEV_UI_PORT: port('TENURE_DEV_UI_PORT').default(DEV_DEFAULTS.temporalUiPort),
  TENURE_DEFINITIONS: z.string().min(1).default('./definitions'),
  TENURE_DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|file:)/, 'TENURE_DATABASE_URL must start with postgres://, sqlite: or file:')
    .optional(),
  TENURE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'TENURE_WEBHOOK_SECRET must be a Standard Webhooks secret: whsec_ followed by base64')
    .optional(),
  BAMBOOHR_WEBHOOK_SECRET: z.string().min(8, 'BAMBOOHR_WEBHOOK_SECRET must be the webhook\'s private key (at least 8 characters)').optional(),
  HIBOB_WEBHOOK_SECRET: z.string().min(8, 'HIBOB_WEBHOOK_SECRET must be the webhook\'s secret (at least 8 characters)').optional(),
  TENURE_CONFIG: z.string().min(1).optional(),
  TENURE_SCHEDULE_MAX_USERS: z.coerce
    .number({ error: 'TENURE_SCHEDULE_MAX_USERS must be a whole number' })
    .int('TENURE_SCHEDULE_MAX_USERS must be a whole number')
    .min(0, 'TENURE_SCHEDULE_MAX_USERS must be 0 or more')
    .default(25),
  TENURE_SYNC_CRON: z
    .string()
    .regex(/^\S+( \S+){4}$/, 'TENURE_SYNC_CRON must be a five-field cron expression (minute hour day month weekday, UTC), e.g. "0 5 * * *"')
    .default('0 5 * * *'),
  TENURE_SYNC_MAX_CHANGES: z.coerce
    .number({ error: 'TENURE_SYNC_MAX_CHANGES must be a whole number' })
    .int('TENURE_SYNC_MAX_CHANGES must be a whole number')
    .min(0, 'TENURE_SYNC_MAX_CHANGES must be 0 or more')
    .default(25),
  TENURE_ADMIN_TOKEN: z.string().min(16, 'TENURE_ADMIN_TOKEN must be at least 16 characters').optional(),
  TENURE_OPERATORS_FILE: z.string().min(1).optional(),
  TENURE_OPERATOR: z.string().trim().min(1).max(256).optional(),
  TENURE_WORKER_CACHED_WORKFLOWS: z.coerce
    .number({ error: 'TENURE_WORKER_CACHED_WORKFLOWS must be a whole number of workflows' })
    .int('TENURE_WORKER_CACHED_WORKFLOWS must be a whole number of workflows')
    .min(0, 'TENURE_WORKER_CACHED_WORKFLOWS must be 0 (no cache) or more')
    .default(DEFAULT_WORKER_LIMITS.maxCachedWorkflows),
  TENURE_WORKER_WORKFLOW_SLOTS: z.coerce
    .number({ error: 'TENURE_WORKER_WORKFLOW_SLOTS must be a whole number' })
    .int('TENURE_WORKER_WORKFLOW_SLOTS must be a whole number')
    .min(2, 'TENURE_WORKER_WORKFLOW_SLOTS must be at least 2 (the SDK needs two with a workflow cache)')
    .default(DEFAULT_WORKER_LIMITS.workflowTaskSlots),
  TENURE_WORKER_HEAP_MIB: z.coerce
    .number({ error: 'TENURE_WORKER_HEAP_MIB must be a whole number of MiB' })
    .int('TENURE_WORKER_HEAP_MIB must be a whole number of MiB')
    .min(128, 'TENURE_WORKER_HEAP_MIB must be at least 128 (MiB)')
    .default(DEFAULT_WORKER_LIMITS.workflowHeapMiB),
  TENURE_WORKER_ACTIVITY_SLOTS: z.coerce
    .number({ error: 'TENURE_WORKER_ACTIVITY_SLOTS must be a whole number' })
    .int('TENURE_WORKER_ACTIVITY_SLOTS must be a whole number')
    .min(1, 'TENURE_WORKER_ACTIVITY_SLOTS must be at least 1')
    .default(DEFAULT_WORKER_LIMITS.activityTaskSlots),
  TENURE_PAYLOAD_KEYS: z.string().optional(),
  TENURE_UI_ORIGIN: z
    .url({ error: 'TENURE_UI_ORIGIN must be the Temporal UI\'s origin, such as https://temporal.example.com' })
    .refine((value) => new URL(value).origin === value.replace(/\/+$/, ''), 'TENURE_UI_ORIGIN must be an origin only (scheme, host and port, no path), such as https://temporal.example.com')
    .optional(),
  TENURE_TEMPORAL_UI_URL: z
    .url({ protocol: /^https?$/, error: 'TENURE_TEMPORAL_UI_URL must be the Temporal UI\'s http:// or https:// URL, such as http://127.0.0.1:8233 or https://cloud.temporal.io' })
    .optional(),
  TENURE_CONSOLE_SECRET: z.string().min(32, 'TENURE_CONSOLE_SECRET must be at least 32 characters (`openssl rand -base64 32` makes one)').optional(),
  TENURE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  TENURE_LOG_FORMAT: z.enum(['auto', 'json', 'pretty'], { error: 'TENURE_LOG_FORMAT must be auto, json or pretty' }).default('auto'),
  TENURE_REPLAY_WINDOW: z
    .string()
    .default(DEFAULT_REPLAY_WINDOW)
    .refine((value) => positiveDuration(value) !== undefined, 'TENURE_REPLAY_WINDOW must be a positive duration such as 24h, 90m or 2d'),
  TENURE_ALLOW_INSECURE_HTTP: z.enum(['true', 'false', '1', '0'], { error: 'TENURE_ALLOW_INSECURE_HTTP must be true or false' }).optional(),
}).extend(hrisEnvSchema.shape);

function temporalConfig(env: Env, devPort: number, uiPort: number, uiUrl: string | undefined): TemporalConfig {
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  let profile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars });
  } catch (error) {
    throw new ConfigError(`Temporal client configuration (TEMPORAL_* variables or profile file): ${(error as Error).message}`);
  }
  const embedded = !profile.address;
  const address = profile.address ?? `127.0.0.1:${devPort}`;
  const namespace = profile.namespace ?? 'default';
  return {
    embedded,
    address,
    namespace,
    uiPort,
    uiUrl: (uiUrl ?? `http://127.0.0.1:${uiPort}`).replace(/\/+$/, ''),
    connection: () => toClientOptions({ ...profile, address, namespace }).connectionOptions,
  };
}

/**
 * Reads and validates the environment. Throws {@link ConfigError} whose message names
 * every offending variable and says what it must look like.
 */
export function loadConfig(env: Env, cwd: string = process.cwd()): TenureConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.OPENAI_SCIM_BASE_URL && !e.OPENAI_SCIM_TOKEN && e.OPENAI_ADMIN_KEY !== undefined) {
    throw new ConfigError('invalid configuration:\n  OPENAI_SCIM_TOKEN: required when OPENAI_SCIM_BASE_URL is set (the SCIM bearer token)');
  }
  if (e.OPENAI_SCIM_TOKEN && !e.OPENAI_SCIM_BASE_URL) {
    throw new ConfigError('invalid configuration:\n  OPENAI_SCIM_BASE_URL: required when OPENAI_SCIM_TOKEN is set (the SCIM base URL, e.g. https://scim.example.com/scim/v2)');
  }
  let payloadKeys: PayloadKeys | undefined;
  try {
    payloadKeys = e.TENURE_PAYLOAD_KEYS === undefined ? undefined : parsePayloadKeys(e.TENURE_PAYLOAD_KEYS);
  } catch (error) {
    if (!(error instanceof PayloadKeysError)) throw error;
    throw new ConfigError(`invalid configuration:\n  TENURE_PAYLOAD_KEYS: ${error.message}`);
  }
  const home = resolve(cwd, e.TENURE_HOME);
  const { hrisFields, ...sources } = sourcesConfig(env, cwd, e.TENURE_CONFIG);
  const live = e.OPENAI_ADMIN_KEY !== undefined;
  // A live admin key or SCIM token sent over plain HTTP can be read on the way (not when it never leaves this machine).
  const allowHttp = e.TENURE_ALLOW_INSECURE_HTTP === 'true' || e.TENURE_ALLOW_INSECURE_HTTP === '1';
  if (live && !allowHttp) {
    for (const [name, url] of [['OPENAI_BASE_URL', e.OPENAI_BASE_URL], ['OPENAI_SCIM_BASE_URL', e.OPENAI_SCIM_BASE_URL]] as const) {
      if (url && new URL(url).protocol === 'http:' && !isLoopback(new URL(url).hostname)) {
        throw new ConfigError(`invalid configuration:\n  ${name}: must be https:// with OPENAI_ADMIN_KEY set (the key would travel in clear text); http:// is accepted for loopback addresses, or anywhere with TENURE_ALLOW_INSECURE_HTTP=true`);
      }
    }
  }
  // HR credentials likewise, whenever they are set.
  const hrUrls = [
    ['BAMBOOHR_API_BASE_URL', e.BAMBOOHR_API_KEY, e.BAMBOOHR_API_BASE_URL],
    ['HIBOB_API_BASE_URL', e.HIBOB_SERVICE_USER_TOKEN, e.HIBOB_API_BASE_URL],
    ['MERGE_API_BASE_URL', e.MERGE_API_KEY, e.MERGE_API_BASE_URL],
  ] as const;
  for (const [name, credential, url] of hrUrls) {
    if (!allowHttp && credential && url && new URL(url).protocol === 'http:' && !isLoopback(new URL(url).hostname)) {
      throw new ConfigError(`invalid configuration:\n  ${name}: must be https:// (the HR credentials would travel in clear text); http:// is accepted for loopback addresses, or anywhere with TENURE_ALLOW_INSECURE_HTTP=true`);
    }
  }
  const store: StoreConfig = e.TENURE_DATABASE_URL?.startsWith('postgres')
    ? { kind: 'postgres', url: new Secret(e.TENURE_DATABASE_URL) }
    : { kind: 'sqlite', file: e.TENURE_DATABASE_URL ? resolve(cwd, e.TENURE_DATABASE_URL.replace(/^(sqlite|file):/, '')) : join(home, 'tenure.db') };
  return {
    home,
    taskQueue: e.TENURE_TASK_QUEUE,
    temporal: temporalConfig(env, e.TENURE_DEV_TEMPORAL_PORT, e.TENURE_DEV_UI_PORT, e.TENURE_TEMPORAL_UI_URL),
    worker: { maxCachedWorkflows: e.TENURE_WORKER_CACHED_WORKFLOWS, workflowTaskSlots: e.TENURE_WORKER_WORKFLOW_SLOTS, activityTaskSlots: e.TENURE_WORKER_ACTIVITY_SLOTS, workflowHeapMiB: e.TENURE_WORKER_HEAP_MIB },
    server: { host: e.TENURE_HOST, port: e.PORT },
    openai: {
      mode: live ? 'live' : 'sandbox',
      adminKey: live ? new Secret(e.OPENAI_ADMIN_KEY as string) : undefined,
      baseUrl: (e.OPENAI_BASE_URL ?? (live ? 'https://api.openai.com/v1' : `http://127.0.0.1:${e.TENURE_EMULATOR_PORT}/v1`)).replace(/\/+$/, ''),
      timeoutMs: e.OPENAI_TIMEOUT_MS,
      acceptancePollMs: e.OPENAI_ACCEPTANCE_POLL_MS,
      ratePerSecond: e.TENURE_OPENAI_RATE_PER_SECOND,
      scim: e.OPENAI_SCIM_BASE_URL
        ? { baseUrl: e.OPENAI_SCIM_BASE_URL.replace(/\/+$/, ''), token: e.OPENAI_SCIM_TOKEN ? new Secret(e.OPENAI_SCIM_TOKEN) : undefined }
        : live
          ? undefined
          : { baseUrl: `http://127.0.0.1:${e.TENURE_EMULATOR_PORT}/v1/scim/v2`, token: undefined },
    },
    emulator: { port: e.TENURE_EMULATOR_PORT },
    definitionsDir: resolve(cwd, e.TENURE_DEFINITIONS),
    store,
    webhookSecret: e.TENURE_WEBHOOK_SECRET ? new Secret(e.TENURE_WEBHOOK_SECRET) : undefined,
    adminToken: e.TENURE_ADMIN_TOKEN ? new Secret(e.TENURE_ADMIN_TOKEN) : undefined,
    operators: e.TENURE_OPERATORS_FILE ? operatorsConfig(resolve(cwd, e.TENURE_OPERATORS_FILE)) : [],
    operator: e.TENURE_OPERATOR,
    payloadKeys,
    uiOrigin: e.TENURE_UI_ORIGIN ? new URL(e.TENURE_UI_ORIGIN).origin : undefined,
    consoleSecret: e.TENURE_CONSOLE_SECRET ? new Secret(e.TENURE_CONSOLE_SECRET) : undefined,
    ...sources,
    scheduleMaxUsers: e.TENURE_SCHEDULE_MAX_USERS,
    sync: { cron: e.TENURE_SYNC_CRON, maxChanges: e.TENURE_SYNC_MAX_CHANGES },
    logLevel: e.TENURE_LOG_LEVEL,
    logFormat: e.TENURE_LOG_FORMAT,
    definitionSecrets: definitionSecrets(env),
    hris: hris(e, live ? undefined : `http://127.0.0.1:${e.TENURE_EMULATOR_PORT}`, hrisFields),
    replayWindowMs: positiveDuration(e.TENURE_REPLAY_WINDOW) as number,
  };
}

function operatorsConfig(file: string): OperatorEntry[] {
  try {
    return loadOperatorsFile(file);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  TENURE_OPERATORS_FILE: ${(error as Error).message}`);
  }
}

function hris(e: z.infer<typeof hrisEnvSchema>, sandboxOrigin: string | undefined, fields: HrisFieldsSpec): HrisConfig {
  try {
    return hrisConfig(e, sandboxOrigin, fields);
  } catch (error) {
    throw new ConfigError(`invalid configuration:\n  ${(error as Error).message}`);
  }
}

/**
 * The payload keys, or a {@link ConfigError} that says how to make one: a worker, trigger
 * server or client without them would write HR data into Temporal in clear.
 */
export function requirePayloadKeys(config: TenureConfig): PayloadKeys {
  if (config.payloadKeys) return config.payloadKeys;
  throw new ConfigError(
    'no payload key: TENURE_PAYLOAD_KEYS is not set, and without it HR data would reach Temporal unencrypted. ' +
      'Run `tenure keys new`, then set TENURE_PAYLOAD_KEYS to the id:key it prints, the same value for every worker, trigger server and tenure command of this deployment ' +
      '(in sandbox mode, `tenure dev` uses the dev key in .tenure/dev-secrets.json)',
  );
}

/** The file name looked for in the working directory when TENURE_CONFIG is unset. */
export const SOURCES_FILE = 'tenure.config.yaml';

/**
 * The vendor sources: those `tenure.config.yaml` defines (every secret they name must be
 * set), plus BambooHR and HiBob when their secret variable is set and the file does not
 * define them.
 */
function sourcesConfig(env: Env, cwd: string, configured: string | undefined): { sources: SourceConfig[]; sourcesFile: string | undefined; hrisFields: HrisFieldsSpec } {
  const file = resolve(cwd, configured ?? SOURCES_FILE);
  let specs: SourceSpec[] = [];
  let hrisFields: HrisFieldsSpec = {};
  let sourcesFile: string | undefined;
  if (existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
    }
    const parsed = parseSourcesFile(text, file);
    if (parsed.problems.length > 0) throw new SourcesFileError(file, parsed.problems);
    specs = parsed.specs;
    hrisFields = parsed.hris ?? {};
    sourcesFile = file;
  } else if (configured !== undefined) {
    throw new ConfigError(`TENURE_CONFIG names ${file}, which does not exist; unset TENURE_CONFIG or create the file`);
  }
  const secretPattern = { generic: /^whsec_[A-Za-z0-9+/=]{16,}$/, bamboohr: /^.{8,}$/s, hibob: /^.{8,}$/s };
  const sources: SourceConfig[] = specs.map((spec) => {
    const secrets = spec.secretEnv.map((name) => {
      const value = env[name];
      if (!value) throw new ConfigError(`${sourcesFile} defines the source '${spec.name}', but ${name} (its secretEnv) is not set`);
      if (!secretPattern[spec.kind].test(value)) {
        throw new ConfigError(`${name} (secret of the source '${spec.name}') ${spec.kind === 'generic' ? 'must be a Standard Webhooks secret: whsec_ followed by base64' : 'must be at least 8 characters'}`);
      }
      return new Secret(value);
    });
    return { ...spec, secrets };
  });
  for (const kind of ['bamboohr', 'hibob'] as const) {
    const value = env[kind === 'bamboohr' ? 'BAMBOOHR_WEBHOOK_SECRET' : 'HIBOB_WEBHOOK_SECRET'];
    if (value && !sources.some((s) => s.name === kind)) {
      sources.push({
        name: kind,
        kind,
        secretEnv: [kind === 'bamboohr' ? 'BAMBOOHR_WEBHOOK_SECRET' : 'HIBOB_WEBHOOK_SECRET'],
        secrets: [new Secret(value)],
        timestampToleranceMs: DEFAULT_TIMESTAMP_TOLERANCE_MS,
        fields: {},
        events: {},
      });
    }
  }
  return { sources, sourcesFile, hrisFields };
}
