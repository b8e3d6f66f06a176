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
import { formatProblem, type Problem } from '../dsl/index.ts';
import { Secret } from './secret.ts';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS, parseSourcesFile, type SourceSpec } from './sources.ts';

export { Secret } from './secret.ts';
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
} from './sources.ts';

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

export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: Secret };

export interface TenureConfig {
  /** Folder that holds every bit of local state (`./.tenure`). */
  readonly home: string;
  readonly taskQueue: string;
  readonly temporal: TemporalConfig;
  readonly server: { readonly host: string; readonly port: number };
  readonly openai: OpenAIConfig;
  readonly emulator: { readonly port: number };
  readonly definitionsDir: string;
  readonly store: StoreConfig;
  /** The generic source's Standard Webhooks secret (`whsec_…`); undefined until the dev stack fills it. */
  readonly webhookSecret: Secret | undefined;
  readonly adminToken: Secret | undefined;
  /**
   * Vendor and extra sources: BambooHR (BAMBOOHR_WEBHOOK_SECRET), HiBob (HIBOB_WEBHOOK_SECRET)
   * and those `tenure.config.yaml` defines. The generic source is `webhookSecret`.
   */
  readonly sources: readonly SourceConfig[];
  /** The `tenure.config.yaml` in force, if any. */
  readonly sourcesFile: string | undefined;
  /** A scheduled run refuses to act when it would touch more users than this. */
  readonly scheduleMaxUsers: number;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /**
   * Secrets definitions may name (`secret: SLACK_WEBHOOK`), from `TENURE_SECRET_<NAME>`
   * variables. Only that prefix is reachable, so no definition can name OPENAI_ADMIN_KEY.
   */
  readonly definitionSecrets: ReadonlyMap<string, Secret>;
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
  TENURE_ADMIN_TOKEN: z.string().min(16, 'TENURE_ADMIN_TOKEN must be at least 16 characters').optional(),
  TENURE_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

function temporalConfig(env: Env, devPort: number, uiPort: number): TemporalConfig {
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
  const home = resolve(cwd, e.TENURE_HOME);
  const live = e.OPENAI_ADMIN_KEY !== undefined;
  const store: StoreConfig = e.TENURE_DATABASE_URL?.startsWith('postgres')
    ? { kind: 'postgres', url: new Secret(e.TENURE_DATABASE_URL) }
    : { kind: 'sqlite', file: e.TENURE_DATABASE_URL ? resolve(cwd, e.TENURE_DATABASE_URL.replace(/^(sqlite|file):/, '')) : join(home, 'tenure.db') };
  return {
    home,
    taskQueue: e.TENURE_TASK_QUEUE,
    temporal: temporalConfig(env, e.TENURE_DEV_TEMPORAL_PORT, e.TENURE_DEV_UI_PORT),
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
    ...sourcesConfig(env, cwd, e.TENURE_CONFIG),
    scheduleMaxUsers: e.TENURE_SCHEDULE_MAX_USERS,
    logLevel: e.TENURE_LOG_LEVEL,
    definitionSecrets: definitionSecrets(env),
  };
}

/** The file name looked for in the working directory when TENURE_CONFIG is unset. */
export const SOURCES_FILE = 'tenure.config.yaml';

/**
 * The vendor sources: those `tenure.config.yaml` defines (every secret they name must be
 * set), plus BambooHR and HiBob when their secret variable is set and the file does not
 * define them.
 */
function sourcesConfig(env: Env, cwd: string, configured: string | undefined): { sources: SourceConfig[]; sourcesFile: string | undefined } {
  const file = resolve(cwd, configured ?? SOURCES_FILE);
  let specs: SourceSpec[] = [];
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
  return { sources, sourcesFile };
}
