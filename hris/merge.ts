import type { MergeConfig } from '../config/index.ts';
import type { DefaultMappings } from '../triggers/index.ts';
import type { ConnectorOptions } from './bamboohr.ts';
import { HrApiError } from './errors.ts';
import { HrHttp } from './http.ts';
import { localDate, toPerson } from './person.ts';
import type { HrConnector, HrPerson } from './types.ts';

/** Merge's Employee common model, flattened (see {@link flattenMerge}), for the fields Tenure reads. */
export const MERGE_FIELDS: DefaultMappings = {
  email: { fields: ['work_email'] },
  firstName: { fields: ['preferred_name', 'first_name'] },
  lastName: { fields: ['last_name'] },
  department: { fields: ['groups.DEPARTMENT', 'team.name'] },
  title: { fields: ['employments.job_title'] },
  employmentType: {
    fields: ['employments.employment_type'],
    values: { FULL_TIME: 'full_time', PART_TIME: 'part_time', INTERN: 'intern', CONTRACTOR: 'contractor', FREELANCE: 'contractor' },
  },
  startDate: { fields: ['start_date', 'hire_date'] },
  endDate: { fields: ['termination_date'] },
  managerId: { fields: ['manager.id'] },
  managerEmail: { fields: ['manager.work_email'] },
  status: { fields: ['employment_status'], values: { ACTIVE: 'active', INACTIVE: 'inactive' } },
};

/** Merge's largest page. */
export const MERGE_PAGE_SIZE = 100;
const EXPAND = 'employments,groups,manager,team';
const DATES = ['start_date', 'hire_date', 'termination_date'];

/**
 * A Merge Employee (with `employments`, `groups`, `manager`, `team` expanded) as flat
 * fields: scalars by name, dates as YYYY-MM-DD, the newest employment as
 * `employments.<field>`, each group's name as `groups.<TYPE>`, the manager and team as
 * `manager.<field>` / `team.<field>`.
 */
export function flattenMerge(employee: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(employee)) {
    if (value === null || typeof value !== 'object') flat[key] = DATES.includes(key) ? localDate(value) : value;
  }
  const objects = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => !!v && typeof v === 'object') : []);
  const employments = objects(employee.employments).sort((a, b) => String(b.effective_date ?? '').localeCompare(String(a.effective_date ?? '')));
  for (const [key, value] of Object.entries(employments[0] ?? {})) if (value === null || typeof value !== 'object') flat[`employments.${key}`] = value;
  for (const group of objects(employee.groups)) if (typeof group.type === 'string' && !(`groups.${group.type}` in flat)) flat[`groups.${group.type}`] = group.name;
  for (const key of ['manager', 'team']) {
    const value = employee[key];
    if (typeof value === 'string') flat[`${key}.id`] = value;
    else if (value && typeof value === 'object') for (const [inner, v] of Object.entries(value)) if (v === null || typeof v !== 'object') flat[`${key}.${inner}`] = v;
  }
  return flat;
}

/**
 * Merge's unified HRIS API, read only (`Authorization: Bearer <api key>` and the linked
 * account's `X-Account-Token`). One person: `GET /employees/{id}` by Merge's id. Everyone:
 * `GET /employees`, following the `next` cursor, 100 at a time; Merge lists ACTIVE,
 * PENDING (future hires) and INACTIVE (leavers) alike.
 */
export function mergeConnector(config: MergeConfig, options: ConnectorOptions): HrConnector & { close(): Promise<void> } {
  const configured = options.fields ?? {};
  const pageSize = Math.min(options.pageSize ?? MERGE_PAGE_SIZE, MERGE_PAGE_SIZE);
  const http = new HrHttp({
    vendor: 'merge',
    label: 'Merge',
    baseUrl: config.baseUrl,
    headers: () => ({ authorization: `Bearer ${config.apiKey.reveal()}`, 'x-account-token': config.accountToken.reveal() }),
    secrets: [config.apiKey, config.accountToken],
    credentialVariables: 'MERGE_API_KEY and MERGE_ACCOUNT_TOKEN (the linked account of your HR system)',
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxRetryWaitMs: options.maxRetryWaitMs,
  });

  function person(raw: Record<string, unknown>): HrPerson {
    if (typeof raw.id !== 'string' || !raw.id) throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'merge', status: 200, message: 'Merge answered an employee without an id' });
    const record = flattenMerge(raw);
    const status = typeof raw.employment_status === 'string' ? raw.employment_status.toUpperCase() : undefined;
    const employment: HrPerson['employment'] = status === 'ACTIVE' ? 'active' : status === 'PENDING' ? 'pending' : status === 'INACTIVE' ? 'terminated' : 'unknown';
    const updatedAt = typeof raw.modified_at === 'string' ? raw.modified_at : null;
    return toPerson('merge', raw.id, record, { configured, defaults: MERGE_FIELDS }, { employment, terminationDate: localDate(raw.termination_date), updatedAt });
  }

  return {
    vendor: 'merge',
    source: 'merge',
    async getPerson(id, { signal } = {}) {
      const raw = await http.json<Record<string, unknown>>('GET', `/employees/${encodeURIComponent(id)}?expand=${EXPAND}`, { signal, notFound: 'undefined', what: `employee ${id}` });
      return raw === undefined ? undefined : person(raw);
    },
    async *listPeople({ signal } = {}) {
      let cursor: string | null = null;
      for (let page = 1; ; page++) {
        // Every parameter but the cursor stays the same from page to page, as Merge requires.
        const query: string = `page_size=${pageSize}&expand=${EXPAND}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const body: { results?: unknown; next?: unknown } | undefined = await http.json('GET', `/employees?${query}`, { signal, what: `employees page ${page}` });
        if (!body || !Array.isArray(body.results)) throw new HrApiError({ type: 'HR_API_INVALID', vendor: 'merge', status: 200, message: `Merge's employees page ${page} has no results list` });
        yield body.results.map((raw) => person(raw as Record<string, unknown>));
        cursor = typeof body.next === 'string' && body.next ? body.next : null;
        if (!cursor) return;
      }
    },
    close: () => http.close(),
  };
}
