import type { DefaultMappings } from '../triggers/index.ts';
import type { HiBobConfig } from '../config/index.ts';
import type { ConnectorOptions } from './bamboohr.ts';
import { HrApiError } from './errors.ts';
import { HrHttp } from './http.ts';
import { fieldNames, localDate, toPerson, today } from './person.ts';
import type { HrConnector, HrPerson } from './types.ts';

/**
 * HiBob's field ids (dot notation) for the fields Tenure reads. Lists (department, title)
 * come as ids; their labels are read from `humanReadable` first.
 */
export const HIBOB_FIELDS: DefaultMappings = {
  email: { fields: ['root.email'] },
  firstName: { fields: ['root.firstName'] },
  lastName: { fields: ['root.surname'] },
  department: { fields: ['humanReadable.work.department', 'work.department'] },
  title: { fields: ['humanReadable.work.title', 'work.title'] },
  employmentType: {
    fields: ['humanReadable.payroll.employment.type', 'payroll.employment.type'],
    values: { Permanent: 'full_time', 'Full-time': 'full_time', 'Full time': 'full_time', 'Part-time': 'part_time', 'Part time': 'part_time', Contractor: 'contractor', Contract: 'contractor', Intern: 'intern', Internship: 'intern' },
  },
  startDate: { fields: ['work.startDate'] },
  endDate: { fields: ['internal.terminationDate'] },
  managerId: { fields: ['work.reportsTo.id', 'work.manager'] },
  managerEmail: { fields: ['work.reportsTo.email'] },
  status: { fields: ['internal.status'], values: { Active: 'active', Inactive: 'inactive' } },
};

const STATE_FIELDS = ['root.id', 'internal.lifecycleStatus', 'internal.status', 'internal.terminationDate'];
/** Lifecycle statuses of someone employed (access per permissions): Bob's own list. */
const EMPLOYED = new Set(['employed', 'garden leave', 'leave', 'parental leave', 'on leave']);

/**
 * A Bob employee object as flat field ids: nested (`work.department`), slash-keyed
 * (`/work/department: { value }`) and top-level root fields (`email` → `root.email`) all
 * read the same; `humanReadable` values are kept under `humanReadable.<id>`.
 */
export function flattenHiBob(person: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  const walk = (value: unknown, prefix: string) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    } else if (prefix && !(prefix in flat)) {
      flat[prefix] = value;
    }
  };
  for (const [key, value] of Object.entries(person)) {
    if (key.startsWith('/')) {
      const id = key.slice(1).split('/').join('.');
      const inner = value && typeof value === 'object' && 'value' in value ? (value as { value: unknown }).value : value;
      walk(inner, id);
    } else if (key === 'humanReadable') {
      walk(value, 'humanReadable');
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      walk(value, key);
    } else {
      walk(value, `root.${key}`);
    }
  }
  return flat;
}

/**
 * HiBob (Bob), read only, as a service user (HTTP Basic: service user id and token).
 * One person: `POST /people/{id}`. Everyone: `POST /people/search` with `showInactive`,
 * which Bob answers in one page (it has no pagination); the service user's permission
 * group must cover hired and terminated people, or Bob silently leaves them out.
 */
export function hibobConnector(config: HiBobConfig, options: ConnectorOptions): HrConnector & { close(): Promise<void> } {
  const configured = options.fields ?? {};
  const now = options.now ?? Date.now;
  const http = new HrHttp({
    vendor: 'hibob',
    label: 'HiBob',
    baseUrl: config.baseUrl,
    headers: () => ({ authorization: `Basic ${Buffer.from(`${config.serviceUserId}:${config.token.reveal()}`).toString('base64')}` }),
    secrets: [config.token],
    credentialVariables: 'HIBOB_SERVICE_USER_ID and HIBOB_SERVICE_USER_TOKEN (a Bob service user with a permission group)',
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxRetryWaitMs: options.maxRetryWaitMs,
  });
  const fields = [...new Set([...fieldNames(HIBOB_FIELDS, configured).map((name) => name.replace(/^humanReadable\./, '')), ...STATE_FIELDS])]
    // `work.reportsTo.id` is read from the `work.reportsTo` object.
    .map((name) => name.replace(/^work\.reportsTo\..*$/, 'work.reportsTo'));
  const body = { fields: [...new Set(fields)], humanReadable: 'APPEND' };

  function person(raw: Record<string, unknown>): HrPerson {
    const record = flattenHiBob(raw);
    const id = record['root.id'];
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'hibob', status: 200, message: "HiBob answered an employee without root.id; give the service user's permission group the Basic info category" });
    }
    const lifecycle = typeof record['internal.lifecycleStatus'] === 'string' ? record['internal.lifecycleStatus'].toLowerCase() : undefined;
    const status = typeof record['internal.status'] === 'string' ? record['internal.status'].toLowerCase() : undefined;
    const terminationDate = localDate(record['internal.terminationDate']);
    let employment: HrPerson['employment'] = 'unknown';
    if (lifecycle === 'terminated') employment = 'terminated';
    else if (lifecycle === 'hired') employment = 'pending';
    else if (lifecycle !== undefined && EMPLOYED.has(lifecycle)) employment = terminationDate !== null && terminationDate < today(now()) ? 'terminated' : 'active';
    else if (status === 'inactive' && terminationDate !== null) employment = 'terminated';
    else if (status === 'active') employment = 'active';
    return toPerson('hibob', String(id), record, { configured, defaults: HIBOB_FIELDS }, { employment, terminationDate, updatedAt: null });
  }

  return {
    vendor: 'hibob',
    source: 'hibob',
    async getPerson(id, { signal } = {}) {
      const raw = await http.json<Record<string, unknown>>('POST', `/people/${encodeURIComponent(id)}`, { body, signal, notFound: 'undefined', what: `employee ${id}` });
      return raw === undefined ? undefined : person(raw);
    },
    async *listPeople({ signal } = {}) {
      const answer = await http.json<{ employees?: unknown }>('POST', '/people/search', { body: { ...body, showInactive: true }, signal, what: 'people search' });
      if (!answer || !Array.isArray(answer.employees)) throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'hibob', status: 200, message: 'HiBob answered the people search without an employees list' });
      yield answer.employees.map((raw) => person(raw as Record<string, unknown>));
    },
    close: () => http.close(),
  };
}
