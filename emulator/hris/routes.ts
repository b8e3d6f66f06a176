/**
 * BambooHR, HiBob and Merge read APIs on the emulator server, under `/hris/<vendor>`:
 * the vendors' paths, record shapes, pagination, authentication and error answers, over
 * an {@link HrDirectory}. Control endpoints (`/_emulator/hris/…`) let tests and the
 * sandbox set the directory up in each vendor's own JSON.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { HR_EMULATOR_CREDENTIALS } from '../../config/index.ts';
import { HR_VENDORS, type HrDirectory, type HrEmulatorVendor, type VendorRecord } from './directory.ts';

export type HrCredentials = {
  readonly bamboohr: { readonly apiKey: string; readonly companyDomain: string };
  readonly hibob: { readonly serviceUserId: string; readonly token: string };
  readonly merge: { readonly apiKey: string; readonly accountToken: string };
};

export const DEFAULT_HR_CREDENTIALS: HrCredentials = HR_EMULATOR_CREDENTIALS;

/** Path prefixes of each vendor's API on the emulator. */
export const HRIS_PREFIXES: Record<HrEmulatorVendor, string> = {
  bamboohr: '/hris/bamboohr/api',
  hibob: '/hris/hibob/v1',
  merge: '/hris/merge/api/hris/v1',
};

/** An answer in the vendor's own error form. */
export class HrEmulatorError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Which vendor's API a path is, if any. */
export function hrisVendorOf(path: string): HrEmulatorVendor | undefined {
  return HR_VENDORS.find((vendor) => path === `/hris/${vendor}` || path.startsWith(`/hris/${vendor}/`));
}

/**
 * Sends an error as the vendor does: BambooHR with no body and the reason in
 * `X-BambooHR-Error-Message` (RFC 7807 on its v2 endpoints), Bob as `{ error }`, Merge as
 * Django REST Framework's `{ detail }`.
 */
export function hrisError(reply: FastifyReply, vendor: HrEmulatorVendor, status: number, message: string, path = ''): FastifyReply {
  reply.code(status);
  if (vendor === 'bamboohr') {
    reply.header('x-bamboohr-error-message', message);
    if (path.includes('/v2/')) return reply.type('application/problem+json').send({ type: 'about:blank', title: message, status, detail: message });
    return reply.send('');
  }
  if (vendor === 'hibob') return reply.send({ error: message });
  return reply.send({ detail: message });
}

function matches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function basic(header: string | undefined): { user: string; password: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice('Basic '.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Why a vendor API request is refused (401), or undefined when its credentials are good. */
export function hrisRefusal(vendor: HrEmulatorVendor, headers: Record<string, string | string[] | undefined>, credentials: HrCredentials): string | undefined {
  const authorization = typeof headers.authorization === 'string' ? headers.authorization : undefined;
  if (vendor === 'bamboohr') {
    // The API key is the user name; any password is accepted, as BambooHR does.
    const presented = basic(authorization);
    if (!presented) return 'API key is missing';
    return matches(presented.user, credentials.bamboohr.apiKey) ? undefined : 'API key is invalid';
  }
  if (vendor === 'hibob') {
    const presented = basic(authorization);
    if (!presented) return 'Missing service user credentials (Authorization: Basic base64(ID:TOKEN))';
    return matches(presented.user, credentials.hibob.serviceUserId) && matches(presented.password, credentials.hibob.token) ? undefined : 'Invalid service user ID or token';
  }
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length).trim() : '';
  if (!bearer) return 'Authentication credentials were not provided.';
  if (!matches(bearer, credentials.merge.apiKey)) return 'Invalid API key.';
  const account = typeof headers['x-account-token'] === 'string' ? headers['x-account-token'] : '';
  if (!account) return 'Missing X-Account-Token header.';
  return matches(account, credentials.merge.accountToken) ? undefined : 'Invalid X-Account-Token.';
}

const bambooDatasetBody = z.object({
  fields: z.array(z.string().min(1)).min(1, 'fields must name at least one field'),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(1000).default(100),
  filter: z.string().optional(),
});

const bobReadBody = z.object({
  fields: z.array(z.string()).max(400).optional(),
  humanReadable: z.enum(['', 'APPEND', 'REPLACE']).optional(),
});
const bobSearchBody = bobReadBody.extend({
  showInactive: z.boolean().optional(),
  filters: z.array(z.object({ fieldPath: z.enum(['root.id', 'root.email']), operator: z.literal('equals'), values: z.array(z.string()) })).max(1).optional(),
});

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HrEmulatorError(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'bad request'}`);
}

/** Bob answers only the requested field ids (`root.x` is top-level `x`), and `humanReadable` on APPEND. */
function bobView(record: VendorRecord, fields: string[] | undefined, humanReadable: string | undefined): VendorRecord {
  const pick = (source: unknown, ids: string[][]): unknown => {
    if (!source || typeof source !== 'object' || Array.isArray(source)) return undefined;
    const out: Record<string, unknown> = {};
    for (const path of ids) {
      let from: unknown = source;
      for (const part of path) from = from && typeof from === 'object' ? (from as Record<string, unknown>)[part] : undefined;
      if (from === undefined) continue;
      let into = out;
      for (const part of path.slice(0, -1)) into = (into[part] ??= {}) as Record<string, unknown>;
      into[path.at(-1)!] = from;
    }
    return out;
  };
  const ids = (fields ?? ['root.id', 'root.email', 'root.firstName', 'root.surname', 'root.displayName', 'work.department', 'work.title', 'work.startDate']).map((f) =>
    f.startsWith('root.') ? [f.slice('root.'.length)] : f.split('.'),
  );
  const view = pick(record, [['id'], ...ids]) as VendorRecord;
  if (humanReadable === 'APPEND' && record.humanReadable) view.humanReadable = pick(record.humanReadable, ids);
  return view;
}

/** Merge lists and reads `employments`, `groups`, `manager`, `team` as ids unless `expand` names them. */
function mergeView(record: VendorRecord, expand: Set<string>, directory: HrDirectory): VendorRecord {
  const view: VendorRecord = { ...record };
  const idOf = (v: unknown) => (v && typeof v === 'object' ? (v as { id?: unknown }).id : v);
  for (const key of ['employments', 'groups']) {
    if (Array.isArray(view[key]) && !expand.has(key)) view[key] = (view[key] as unknown[]).map(idOf);
  }
  if (typeof view.manager === 'string' && expand.has('manager')) {
    const manager = directory.get('merge', view.manager);
    view.manager = manager ? mergeView(manager, new Set(), directory) : view.manager;
  } else if (view.manager && typeof view.manager === 'object' && !expand.has('manager')) {
    view.manager = idOf(view.manager);
  }
  if (view.team && typeof view.team === 'object' && !expand.has('team')) view.team = idOf(view.team);
  return { remote_was_deleted: false, ...view };
}

type Query = Record<string, string | undefined>;

/** Registers the vendors' APIs. Authentication is checked by the server's request hook (see {@link hrisRefusal}). */
export function registerHrisApis(app: FastifyInstance, directory: HrDirectory, credentials: HrCredentials): void {
  // BambooHR: the company-host form (/api/v1/…) and the gateway form (/api/gateway.php/{domain}/v1/…).
  const bamboo = HRIS_PREFIXES.bamboohr;
  const getEmployee = async (request: { params: { id: string; domain?: string }; query: Query; headers: Record<string, string | string[] | undefined> }) => {
    if (request.params.domain !== undefined && request.params.domain !== credentials.bamboohr.companyDomain) throw new HrEmulatorError(404, `No company with domain ${request.params.domain}`);
    const accept = String(request.headers.accept ?? '');
    // BambooHR answers XML unless asked for JSON; the emulator speaks JSON only.
    if (!accept.includes('application/json')) throw new HrEmulatorError(406, 'Send Accept: application/json (this emulator does not answer XML)');
    const record = directory.get('bamboohr', request.params.id);
    if (!record) throw new HrEmulatorError(404, `Employee ${request.params.id} not found`);
    const fields = (request.query.fields ?? 'firstName,lastName').split(',').map((f) => f.trim()).filter(Boolean);
    if (fields.length > 400) throw new HrEmulatorError(400, 'At most 400 fields may be requested');
    return Object.fromEntries([['id', record.id], ...fields.filter((f) => f !== 'id').map((f) => [f, record[f] ?? null])]);
  };
  app.get<{ Params: { id: string }; Querystring: Query }>(`${bamboo}/v1/employees/:id`, getEmployee);
  app.get<{ Params: { id: string; domain: string }; Querystring: Query }>(`${bamboo}/gateway.php/:domain/v1/employees/:id`, getEmployee);
  app.post<{ Params: { dataset: string } }>(`${bamboo}/v2/datasets/:dataset/data`, async (request) => {
    if (request.params.dataset !== 'employee') throw new HrEmulatorError(404, `Dataset ${request.params.dataset} not found; this emulator serves the employee dataset`);
    const body = parse(bambooDatasetBody, request.body);
    if (body.filter !== undefined) throw new HrEmulatorError(422, 'This emulator does not evaluate dataset filters; omit filter to read everyone');
    const total = directory.count('bamboohr');
    const totalPages = Math.max(1, Math.ceil(total / body.pageSize));
    const rows = directory.slice('bamboohr', (body.page - 1) * body.pageSize, body.page * body.pageSize).map((record) => Object.fromEntries(body.fields.map((f) => [f, record[f] ?? null])));
    const link = (page: number) => `${bamboo}/v2/datasets/employee/data?page=${page}`;
    return {
      data: rows,
      links: { next: body.page < totalPages ? link(body.page + 1) : null, prev: body.page > 1 ? link(body.page - 1) : null },
      meta: { page: body.page, pageSize: body.pageSize, totalPages, totalItems: total },
    };
  });

  // HiBob: reads are POSTs with a body that selects fields; search has no pagination.
  const bob = HRIS_PREFIXES.hibob;
  app.post(`${bob}/people/search`, async (request) => {
    const body = parse(bobSearchBody, request.body);
    const filter = body.filters?.[0];
    const everyone = directory.list('hibob').filter((record) => {
      if (filter) return filter.values.includes(String(filter.fieldPath === 'root.id' ? record.id : record.email));
      return body.showInactive === true || (record.internal as { status?: string } | undefined)?.status !== 'Inactive';
    });
    return { employees: everyone.map((record) => bobView(record, body.fields, body.humanReadable)) };
  });
  app.post<{ Params: { identifier: string } }>(`${bob}/people/:identifier`, async (request) => {
    const body = parse(bobReadBody, request.body);
    const { identifier } = request.params;
    const record = directory.get('hibob', identifier) ?? directory.list('hibob').find((r) => typeof r.email === 'string' && r.email.toLowerCase() === identifier.toLowerCase());
    if (!record) throw new HrEmulatorError(404, `Employee ${identifier} not found`);
    return bobView(record, body.fields, body.humanReadable);
  });

  // Merge: cursor pagination over the Employee common model.
  const merge = HRIS_PREFIXES.merge;
  app.get<{ Querystring: Query }>(`${merge}/employees`, async (request) => {
    const q = request.query;
    const pageSize = Math.min(100, Math.max(1, Number.parseInt(q.page_size ?? '100', 10) || 100));
    const expand = new Set((q.expand ?? '').split(',').filter(Boolean));
    const where = q.employment_status ? (r: Readonly<VendorRecord>) => r.employment_status === q.employment_status : undefined;
    const total = directory.count('merge', where);
    let start = 0;
    if (q.cursor) {
      const decoded = Buffer.from(q.cursor, 'base64url').toString('utf8');
      const match = /^o=(\d+)$/.exec(decoded);
      if (!match) throw new HrEmulatorError(400, 'Invalid cursor.');
      start = Number(match[1]);
    }
    const cursor = (offset: number) => Buffer.from(`o=${offset}`).toString('base64url');
    return {
      next: start + pageSize < total ? cursor(start + pageSize) : null,
      previous: start > 0 ? cursor(Math.max(0, start - pageSize)) : null,
      results: directory.slice('merge', start, start + pageSize, where).map((r) => mergeView(r, expand, directory)),
    };
  });
  app.get<{ Params: { id: string }; Querystring: Query }>(`${merge}/employees/:id`, async (request) => {
    const record = directory.get('merge', request.params.id);
    if (!record) throw new HrEmulatorError(404, 'Not found.');
    return mergeView(record, new Set((request.query.expand ?? '').split(',').filter(Boolean)), directory);
  });
}

const vendorParam = z.enum(HR_VENDORS, { error: `vendor must be one of ${HR_VENDORS.join(', ')}` });
const idParam = z.string().min(1).max(200);
const recordBody = z.record(z.string(), z.unknown(), { error: "the body must be the vendor's JSON record of the person (an object)" });

/** `PUT|DELETE /_emulator/hris/<vendor>/employees/<id>`, `GET /_emulator/hris/<vendor>/employees`. */
export function registerHrisControl(app: FastifyInstance, directory: HrDirectory, fail: (status: number, message: string) => Error): void {
  const checked = <T>(schema: z.ZodType<T>, value: unknown): T => {
    const result = schema.safeParse(value);
    if (!result.success) throw fail(400, result.error.issues[0]?.message ?? 'bad request');
    return result.data;
  };
  type Params = { Params: { vendor: string; id: string } };
  app.put<Params>('/_emulator/hris/:vendor/employees/:id', async (request) => {
    const vendor = checked(vendorParam, request.params.vendor);
    return directory.put(vendor, checked(idParam, request.params.id), checked(recordBody, request.body));
  });
  app.delete<Params>('/_emulator/hris/:vendor/employees/:id', async (request) => ({ deleted: directory.delete(checked(vendorParam, request.params.vendor), request.params.id) }));
  app.get<{ Params: { vendor: string } }>('/_emulator/hris/:vendor/employees', async (request) => {
    const vendor = checked(vendorParam, request.params.vendor);
    return { vendor, employees: directory.list(vendor) };
  });
}
