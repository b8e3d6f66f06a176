/**
 * Tenure's configuration: the one module that reads environment variables. Parse it
 * once at start-up and pass the result down; nothing else reads `process.env`.
 *
 *   const config = loadConfig(process.env);   // throws ConfigError naming the variable
 *   config.openai.mode                        // 'sandbox' | 'live'
 *
 * Secrets are wrapped in {@link Secret}, so logging or serializing a config prints `[redacted]`.
 */
import { loadClientConfigProfile, toClientOptions, type ClientConnectConfig } from '@temporalio/envconfig';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { Secret } from './secret.ts';

export { Secret } from './secret.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Default ports and addresses of the local dev stack. */
export const DEV_DEFAULTS = {
  temporalPort: 7233,
  temporalUiPort: 8233,
  emulatorPort: 8787,
  triggerPort: 3000,
} as const;

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
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
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
    logLevel: e.TENURE_LOG_LEVEL,
  };
}
