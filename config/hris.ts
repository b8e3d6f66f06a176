/**
 * The HR connectors' configuration: which HR systems Tenure may read, with what
 * credentials, at which base URL. Each vendor is configured when its credentials are set;
 * in sandbox mode (no OPENAI_ADMIN_KEY) a vendor with none set reads the local HR
 * emulator instead, with the emulator's own credentials.
 */
import { z } from 'zod';
import { Secret } from './secret.ts';
import type { FieldMapping, HrisFieldsSpec, MappableField } from './sources.ts';

/**
 * The HR emulator's own credentials: fixed, public and useless anywhere but the local
 * emulator (it answers on loopback only). The sandbox's connectors present them.
 */
export const HR_EMULATOR_CREDENTIALS = {
  bamboohr: { apiKey: 'bamboohr-emulator-api-key', companyDomain: 'sandbox' },
  hibob: { serviceUserId: 'SERVICE-EMULATOR', token: 'hibob-emulator-service-token' },
  merge: { apiKey: 'merge-emulator-api-key', accountToken: 'merge-emulator-account-token' },
} as const;

/** Where each vendor's API lives on an emulator listening at `origin` (e.g. http://127.0.0.1:8787). */
export function hrEmulatorBaseUrls(origin: string): { bamboohr: string; hibob: string; merge: string } {
  return { bamboohr: `${origin}/hris/bamboohr/api`, hibob: `${origin}/hris/hibob/v1`, merge: `${origin}/hris/merge/api/hris/v1` };
}

export interface BambooHrConfig {
  readonly apiKey: Secret;
  /** The text before `.bamboohr.com` in the company's BambooHR address. */
  readonly companyDomain: string;
  /** Up to and including `/api`; default `https://<companyDomain>.bamboohr.com/api`. */
  readonly baseUrl: string;
  /** True when this is the sandbox's emulator. */
  readonly emulated: boolean;
}

export interface HiBobConfig {
  readonly serviceUserId: string;
  readonly token: Secret;
  /** Up to and including `/v1`; default `https://api.hibob.com/v1`. */
  readonly baseUrl: string;
  readonly emulated: boolean;
}

export interface MergeConfig {
  readonly apiKey: Secret;
  /** The linked account's token (`X-Account-Token`): which company's HR system Merge reads. */
  readonly accountToken: Secret;
  /** Up to and including `/api/hris/v1`; default `https://api.merge.dev/api/hris/v1`. */
  readonly baseUrl: string;
  readonly emulated: boolean;
  /** `hris.merge.fields` of tenure.config.yaml: Merge has no webhook source to carry a mapping. */
  readonly fields?: Partial<Record<MappableField, FieldMapping>>;
}

export interface HrisConfig {
  readonly bamboohr: BambooHrConfig | undefined;
  readonly hibob: HiBobConfig | undefined;
  readonly merge: MergeConfig | undefined;
  /** Budget of one HR API call, its in-client retries included, milliseconds. */
  readonly timeoutMs: number;
}

const url = (name: string, example: string) => z.url({ error: `${name} must be an absolute URL such as ${example}` }).optional();

export const hrisEnvSchema = z.object({
  BAMBOOHR_API_KEY: z.string().min(1).optional(),
  BAMBOOHR_COMPANY_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'BAMBOOHR_COMPANY_DOMAIN must be the text before .bamboohr.com in your BambooHR address, e.g. acme')
    .optional(),
  BAMBOOHR_API_BASE_URL: url('BAMBOOHR_API_BASE_URL', 'https://acme.bamboohr.com/api'),
  HIBOB_SERVICE_USER_ID: z.string().min(1).optional(),
  HIBOB_SERVICE_USER_TOKEN: z.string().min(1).optional(),
  HIBOB_API_BASE_URL: url('HIBOB_API_BASE_URL', 'https://api.hibob.com/v1'),
  MERGE_API_KEY: z.string().min(1).optional(),
  MERGE_ACCOUNT_TOKEN: z.string().min(1).optional(),
  MERGE_API_BASE_URL: url('MERGE_API_BASE_URL', 'https://api.merge.dev/api/hris/v1'),
  TENURE_HR_TIMEOUT_MS: z.coerce.number({ error: 'TENURE_HR_TIMEOUT_MS must be a number of milliseconds' }).int().min(100).default(30_000),
});

type HrisEnv = z.infer<typeof hrisEnvSchema>;

const trim = (value: string) => value.replace(/\/+$/, '');

/** Every variable of a vendor, or none: a half-configured vendor is an error naming what is missing. */
function complete(vendor: string, entries: Record<string, string | undefined>): boolean {
  const set = Object.entries(entries).filter(([, v]) => v !== undefined);
  if (set.length === 0) return false;
  const missing = Object.keys(entries).filter((k) => entries[k] === undefined);
  if (missing.length > 0) {
    throw new Error(`${missing.join(' and ')} must be set too: ${set.map(([k]) => k).join(', ')} ${set.length === 1 ? 'is' : 'are'} set, so Tenure reads ${vendor}, which needs both`);
  }
  return true;
}

/** The HR connectors from validated variables; `sandboxOrigin` is the emulator's origin when OpenAI is in sandbox mode. */
export function hrisConfig(e: HrisEnv, sandboxOrigin: string | undefined, fields: HrisFieldsSpec = {}): HrisConfig {
  const emulator = sandboxOrigin ? hrEmulatorBaseUrls(sandboxOrigin) : undefined;
  let bamboohr: BambooHrConfig | undefined;
  if (complete('BambooHR', { BAMBOOHR_API_KEY: e.BAMBOOHR_API_KEY, BAMBOOHR_COMPANY_DOMAIN: e.BAMBOOHR_COMPANY_DOMAIN })) {
    const domain = e.BAMBOOHR_COMPANY_DOMAIN!;
    bamboohr = { apiKey: new Secret(e.BAMBOOHR_API_KEY!), companyDomain: domain, baseUrl: trim(e.BAMBOOHR_API_BASE_URL ?? `https://${domain}.bamboohr.com/api`), emulated: false };
  } else if (emulator) {
    const own = HR_EMULATOR_CREDENTIALS.bamboohr;
    bamboohr = { apiKey: new Secret(own.apiKey), companyDomain: own.companyDomain, baseUrl: emulator.bamboohr, emulated: true };
  }
  let hibob: HiBobConfig | undefined;
  if (complete('HiBob', { HIBOB_SERVICE_USER_ID: e.HIBOB_SERVICE_USER_ID, HIBOB_SERVICE_USER_TOKEN: e.HIBOB_SERVICE_USER_TOKEN })) {
    hibob = { serviceUserId: e.HIBOB_SERVICE_USER_ID!, token: new Secret(e.HIBOB_SERVICE_USER_TOKEN!), baseUrl: trim(e.HIBOB_API_BASE_URL ?? 'https://api.hibob.com/v1'), emulated: false };
  } else if (emulator) {
    const own = HR_EMULATOR_CREDENTIALS.hibob;
    hibob = { serviceUserId: own.serviceUserId, token: new Secret(own.token), baseUrl: emulator.hibob, emulated: true };
  }
  let merge: MergeConfig | undefined;
  if (complete('Merge', { MERGE_API_KEY: e.MERGE_API_KEY, MERGE_ACCOUNT_TOKEN: e.MERGE_ACCOUNT_TOKEN })) {
    merge = { apiKey: new Secret(e.MERGE_API_KEY!), accountToken: new Secret(e.MERGE_ACCOUNT_TOKEN!), baseUrl: trim(e.MERGE_API_BASE_URL ?? 'https://api.merge.dev/api/hris/v1'), emulated: false, fields: fields.merge ?? {} };
  } else if (emulator) {
    const own = HR_EMULATOR_CREDENTIALS.merge;
    merge = { apiKey: new Secret(own.apiKey), accountToken: new Secret(own.accountToken), baseUrl: emulator.merge, emulated: true, fields: fields.merge ?? {} };
  }
  return { bamboohr, hibob, merge, timeoutMs: e.TENURE_HR_TIMEOUT_MS };
}

/** Whether any HR connector is configured (in sandbox mode each points at the emulator). */
export function hasHrConnector(hris: HrisConfig): boolean {
  return Boolean(hris.bamboohr || hris.hibob || hris.merge);
}
