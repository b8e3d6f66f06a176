import type { BambooHrConfig, Secret } from '../config/index.ts';
import { BAMBOOHR_FIELDS } from '../triggers/index.ts';
import { HrApiError } from './errors.ts';
import { HrHttp } from './http.ts';
import { fieldNames, localDate, toPerson, today, type Fields } from './person.ts';
import type { HrConnector, HrPerson } from './types.ts';

/** Fields read besides the mapped ones: what decides employment, and when the record changed. */
const STATE_FIELDS = ['status', 'employmentHistoryStatus', 'hireDate', 'terminationDate', 'lastChanged'];

/** Display names (as field-based webhooks send them) whose API alias is not their camel case. */
const ALIASES: Record<string, string> = {
  'Employment Status': 'employmentHistoryStatus',
  'Supervisor EID': 'supervisorEId',
  'Work Email': 'workEmail',
};

/** The API alias of a field named as BambooHR displays it (`Division` → `division`); an alias stays as it is. */
export function bamboohrAlias(name: string): string {
  if (ALIASES[name]) return ALIASES[name];
  if (/^[A-Za-z0-9_]+$/.test(name) && !/^[A-Z][a-z]/.test(name)) return name;
  const words = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1).toLowerCase())).join('');
}

/** Rows per page of the dataset listing (BambooHR allows up to 1,000). */
export const BAMBOOHR_PAGE_SIZE = 500;

export interface ConnectorOptions {
  /** The source's field mapping (tenure.config.yaml `fields:`). */
  fields?: Fields | undefined;
  timeoutMs: number;
  /** Rows per page, for tests of pagination. */
  pageSize?: number | undefined;
  /** Longest wait between two tries of a throttled call, milliseconds. */
  maxRetryWaitMs?: number | undefined;
  retries?: number | undefined;
  /** The clock, for "has this date passed". Default `Date.now`. */
  now?: (() => number) | undefined;
}

interface DatasetPage {
  data?: unknown[];
  links?: { next?: string | null };
  meta?: { page?: number; totalPages?: number };
}

/**
 * BambooHR, read only, with an API key (HTTP Basic: the key as user, `x` as password).
 * One person: `GET /v1/employees/{id}?fields=…`. Everyone, Active and Inactive (leavers
 * and future hires are Inactive): `POST /v2/datasets/employee/data`, page by page.
 */
export function bamboohrConnector(config: BambooHrConfig, options: ConnectorOptions): HrConnector & { close(): Promise<void> } {
  const configured = options.fields ?? {};
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? BAMBOOHR_PAGE_SIZE;
  const secrets: Secret[] = [config.apiKey];
  const http = new HrHttp({
    vendor: 'bamboohr',
    label: 'BambooHR',
    baseUrl: config.baseUrl,
    headers: () => ({ authorization: `Basic ${Buffer.from(`${config.apiKey.reveal()}:x`).toString('base64')}` }),
    secrets,
    credentialVariables: 'BAMBOOHR_API_KEY (an API key of a BambooHR user who can see every employee) and BAMBOOHR_COMPANY_DOMAIN',
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxRetryWaitMs: options.maxRetryWaitMs,
  });
  // BambooHR's API takes aliases (`workEmail`), not display names (`Work Email`); a mapping
  // written with display names for field-based webhooks is read through their aliases.
  const configuredNames = Object.values(configured).flatMap((m) => (m ? [m.field] : []));
  const requested = [...new Set([...fieldNames(BAMBOOHR_FIELDS, configured).filter((name) => /^[a-z][A-Za-z0-9_]*$/.test(name) && !configuredNames.includes(name)), ...configuredNames.map(bamboohrAlias), ...STATE_FIELDS])];
  const withDisplayNames = (record: Record<string, unknown>) => {
    const out = { ...record };
    for (const name of configuredNames) if ((out[name] === undefined || out[name] === null) && bamboohrAlias(name) in out) out[name] = out[bamboohrAlias(name)];
    return out;
  };

  function person(record: Record<string, unknown>): HrPerson {
    const id = String(record.id ?? record.employeeId ?? '');
    if (!id) throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'bamboohr', status: 200, message: 'BambooHR answered a record without an id; is BAMBOOHR_API_BASE_URL BambooHR\'s API?' });
    const status = typeof record.status === 'string' ? record.status.toLowerCase() : undefined;
    const history = typeof record.employmentHistoryStatus === 'string' ? record.employmentHistoryStatus.toLowerCase() : undefined;
    const terminationDate = localDate(record.terminationDate);
    const hireDate = localDate(record.hireDate);
    const day = today(now());
    // BambooHR ends employment at the end of the termination date; a future hire is Inactive until the hire date.
    let employment: HrPerson['employment'] = 'unknown';
    if (history === 'terminated' || (terminationDate !== null && terminationDate < day)) employment = 'terminated';
    // Inactive is BambooHR's explicit "no longer employed", except for a hire not started yet.
    else if (status === 'inactive') employment = hireDate !== null && hireDate > day && terminationDate === null ? 'pending' : 'terminated';
    else if (status === 'active') employment = 'active';
    const lastChanged = typeof record.lastChanged === 'string' && record.lastChanged ? record.lastChanged : null;
    return toPerson('bamboohr', id, withDisplayNames(record), { configured, defaults: BAMBOOHR_FIELDS }, { employment, terminationDate, updatedAt: lastChanged });
  }

  return {
    vendor: 'bamboohr',
    source: 'bamboohr',
    async getPerson(id, { signal } = {}) {
      const record = await http.json<Record<string, unknown>>('GET', `/v1/employees/${encodeURIComponent(id)}?fields=${encodeURIComponent(requested.join(','))}&onlyCurrent=true`, {
        signal,
        notFound: 'undefined',
        what: `employee ${id}`,
      });
      return record === undefined ? undefined : person({ ...record, id: record.id ?? id });
    },
    async *listPeople({ signal } = {}) {
      for (let page = 1; ; page++) {
        const body = await http.json<DatasetPage>('POST', '/v2/datasets/employee/data', {
          // No status filter: leavers and future hires are Inactive, and sync needs them.
          body: { fields: ['id', ...requested], page, pageSize },
          signal,
          what: `employee dataset page ${page}`,
        });
        if (!body || !Array.isArray(body.data)) throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'bamboohr', status: 200, message: `BambooHR's employee dataset page ${page} has no data list` });
        // Rows are flat records; some answers wrap each in `fields`.
        yield body.data.map((row) => person(((row as { fields?: unknown }).fields ?? row) as Record<string, unknown>));
        const more = body.links?.next ? true : body.meta?.totalPages !== undefined ? page < body.meta.totalPages : false;
        if (!more || body.data.length === 0) return;
      }
    },
    close: () => http.close(),
  };
}
