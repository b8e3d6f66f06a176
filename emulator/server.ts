import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Faults, faultsSchema } from './faults.ts';
import {
  SCIM_LIST_SCHEMA,
  SCIM_MAX_RESULTS,
  SCIM_MEDIA_TYPE,
  applyScimPatch,
  matchesScimFilter,
  parseScimFilter,
  parseScimUserBody,
  scimError,
  serviceProviderConfig,
} from './scim.ts';
import { EmulatorHttpError, Organization, ScimHttpError, type ScimUser } from './state.ts';
import { HrDirectory } from './hris/directory.ts';
import { DEFAULT_HR_CREDENTIALS, HrEmulatorError, HRIS_PREFIXES, hrisError, hrisRefusal, hrisVendorOf, registerHrisApis, registerHrisControl, type HrCredentials } from './hris/routes.ts';

export interface EmulatorOptions {
  /** The bearer key every `/v1` request must carry. Default: a fresh `sk-admin-emulator-…` key. */
  adminKey?: string;
  /** The bearer token of the SCIM service (`/v1/scim/v2`). Default: the admin key, as in OpenAI's own example. */
  scimToken?: string;
  /** Address to bind. Default `127.0.0.1`: control endpoints must stay on loopback. */
  host?: string;
  /** Port to bind; 0 picks a free one. Default 8787. */
  port?: number;
  organization?: Organization;
  /** The HR emulators' directory (BambooHR, HiBob, Merge). Default: empty. */
  hris?: HrDirectory;
  /** Credentials the HR emulators accept. Default: the sandbox's (HR_EMULATOR_CREDENTIALS). */
  hrisCredentials?: HrCredentials;
}

export interface ServedRequest {
  method: string;
  path: string;
  /** 0 when the connection was dropped on purpose (a `drop` fault). */
  status: number;
  at: string;
  /** The injected fault, if one fired: e.g. `status 429`, `drop after`, `latency 200ms`. */
  fault?: string;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:8787` */
  readonly url: string;
  /** The Admin API base, `${url}/v1`. */
  readonly baseUrl: string;
  /** The SCIM 2.0 base, `${url}/v1/scim/v2`. */
  readonly scimUrl: string;
  readonly adminKey: string;
  readonly scimToken: string;
  readonly organization: Organization;
  readonly requests: readonly ServedRequest[];
  readonly faults: Faults;
  /** The HR emulators' people, per vendor, in each vendor's own JSON. */
  readonly hris: HrDirectory;
  readonly hrisCredentials: HrCredentials;
  /** Base URLs of the HR emulators, as the connectors' *_API_BASE_URL variables take them. */
  readonly hrisUrls: { readonly bamboohr: string; readonly hibob: string; readonly merge: string };
  close(): Promise<void>;
}

const SCIM_PREFIXES = ['/v1/scim/v2', '/scim/v2'];
/** Requests kept for `GET /_emulator/requests`. */
const MAX_LOGGED_REQUESTS = 10_000;
const isScimPath = (path: string) => SCIM_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));

function openaiError(reply: FastifyReply, error: EmulatorHttpError): FastifyReply {
  return reply.code(error.status).send({
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  });
}

function scimErrorReply(reply: FastifyReply, status: number, detail: string, scimType: string | null = null): FastifyReply {
  return reply.code(status).type(SCIM_MEDIA_TYPE).send(scimError(status, detail, scimType));
}

function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

function keyMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().optional(),
});

const orgRole = z.enum(['reader', 'owner']);
const projectRole = z.enum(['member', 'owner']);

const inviteBody = z.object({
  email: z.email(),
  role: orgRole,
  projects: z.array(z.object({ id: z.string().min(1), role: projectRole })).optional(),
});
const userUpdateBody = z.object({ role: z.string().nullable().optional() });
const projectCreateBody = z.object({ name: z.string().min(1), residency: z.string().nullable().optional(), external_key_id: z.string().nullable().optional() });
const projectUpdateBody = z.object({ name: z.string().min(1).nullable().optional(), external_key_id: z.string().nullable().optional() });
const projectUserCreateBody = z.object({ user_id: z.string().min(1).nullable().optional(), email: z.string().nullable().optional(), role: projectRole });
const projectUserUpdateBody = z.object({ role: z.string().nullable().optional() });
const seedUserBody = z.object({ email: z.email(), role: orgRole.default('reader'), name: z.string().optional() });
const clockBody = z.object({ advanceSeconds: z.number().int().min(0) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue?.path.join('.') || null;
  throw new EmulatorHttpError(400, `Invalid ${param ?? 'request'}: ${issue?.message ?? 'bad request'}`, 'invalid_request_error', param, null);
}

/** OpenAI's cursor pagination: `limit`, `after`, and the list envelope. */
function page<T extends { id: string }>(items: T[], query: unknown) {
  const { limit, after } = parse(listQuery, query);
  let start = 0;
  if (after !== undefined) {
    const index = items.findIndex((item) => item.id === after);
    if (index < 0) throw new EmulatorHttpError(400, `Invalid 'after': no object with id '${after}'.`, 'invalid_request_error', 'after', null);
    start = index + 1;
  }
  const data = items.slice(start, start + limit);
  return {
    object: 'list' as const,
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: start + limit < items.length,
  };
}

type Query = Record<string, string | string[] | undefined>;
const values = (v: string | string[] | undefined) => [v].flat().filter((x): x is string => typeof x === 'string');

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when a `drop after` fault fired: the answer is computed, then the connection dies. */
    tenureDropAfter?: boolean;
    tenureFault?: string;
  }
}

export interface EmulatorContext {
  organization: Organization;
  adminKey: string;
  scimToken: string;
  log: ServedRequest[];
  faults: Faults;
  hris?: HrDirectory;
  hrisCredentials?: HrCredentials;
}

function registerAdminApi(app: FastifyInstance, organization: Organization): void {
  app.get('/v1/organization/invites', async (request) => page(organization.listInvites(), request.query));
  app.post('/v1/organization/invites', async (request) => organization.createInvite(parse(inviteBody, request.body)));
  app.get<{ Params: { inviteId: string } }>('/v1/organization/invites/:inviteId', async (request) => organization.getInvite(request.params.inviteId));
  app.delete<{ Params: { inviteId: string } }>('/v1/organization/invites/:inviteId', async (request) => organization.deleteInvite(request.params.inviteId));

  app.get<{ Querystring: Query }>('/v1/organization/users', async (request) => {
    // OpenAI's SDKs send `emails[]=…` (brackets); the spec names it `emails`: both are accepted.
    const emails = [...values(request.query.emails), ...values(request.query['emails[]'])];
    return page(organization.listUsers(emails), request.query);
  });
  app.get<{ Params: { userId: string } }>('/v1/organization/users/:userId', async (request) => organization.getUser(request.params.userId));
  app.post<{ Params: { userId: string } }>('/v1/organization/users/:userId', async (request) =>
    organization.modifyUser(request.params.userId, parse(userUpdateBody, request.body)),
  );
  app.delete<{ Params: { userId: string } }>('/v1/organization/users/:userId', async (request) => organization.deleteUser(request.params.userId));

  app.get<{ Querystring: Query }>('/v1/organization/projects', async (request) => {
    const include = values(request.query.include_archived)[0];
    if (include !== undefined && include !== 'true' && include !== 'false') {
      throw new EmulatorHttpError(400, `Invalid include_archived: expected true or false.`, 'invalid_request_error', 'include_archived', null);
    }
    return page(organization.listProjects(include === 'true'), request.query);
  });
  app.post('/v1/organization/projects', async (request) => organization.createProject(parse(projectCreateBody, request.body)));
  type ProjectParams = { Params: { projectId: string } };
  app.get<ProjectParams>('/v1/organization/projects/:projectId', async (request) => organization.getProject(request.params.projectId));
  app.post<ProjectParams>('/v1/organization/projects/:projectId', async (request) =>
    organization.modifyProject(request.params.projectId, parse(projectUpdateBody, request.body)),
  );
  app.post<ProjectParams>('/v1/organization/projects/:projectId/archive', async (request) => organization.archiveProject(request.params.projectId));

  app.get<ProjectParams>('/v1/organization/projects/:projectId/users', async (request) =>
    page(organization.listProjectUsers(request.params.projectId), request.query),
  );
  app.post<ProjectParams>('/v1/organization/projects/:projectId/users', async (request) =>
    organization.addProjectUser(request.params.projectId, parse(projectUserCreateBody, request.body)),
  );
  type ProjectUserParams = { Params: { projectId: string; userId: string } };
  app.get<ProjectUserParams>('/v1/organization/projects/:projectId/users/:userId', async (request) =>
    organization.getProjectUser(request.params.projectId, request.params.userId),
  );
  app.post<ProjectUserParams>('/v1/organization/projects/:projectId/users/:userId', async (request) =>
    organization.modifyProjectUser(request.params.projectId, request.params.userId, parse(projectUserUpdateBody, request.body)),
  );
  app.delete<ProjectUserParams>('/v1/organization/projects/:projectId/users/:userId', async (request) =>
    organization.removeProjectUser(request.params.projectId, request.params.userId),
  );
}

function registerScim(app: FastifyInstance, organization: Organization, prefix: string): void {
  const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
  const present = (request: FastifyRequest, user: ScimUser) => ({
    ...user,
    meta: { ...user.meta, location: `${origin(request)}${prefix}/Users/${user.id}` },
  });
  const withEtag = (reply: FastifyReply, user: ScimUser) => reply.type(SCIM_MEDIA_TYPE).header('etag', user.meta.version);
  const checkIfMatch = (request: FastifyRequest, user: ScimUser) => {
    const ifMatch = request.headers['if-match'];
    if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').map((s) => s.trim()).includes(user.meta.version)) {
      throw new ScimHttpError(412, `If-Match ${ifMatch} does not match the current version ${user.meta.version}`);
    }
  };

  app.get(`${prefix}/ServiceProviderConfig`, async (_request, reply) => reply.type(SCIM_MEDIA_TYPE).send(serviceProviderConfig()));

  app.get<{ Querystring: Query }>(`${prefix}/Users`, async (request, reply) => {
    const filter = values(request.query.filter)[0];
    const comparisons = filter ? parseScimFilter(filter) : [];
    const all = organization.listScimUsers().filter((u) => matchesScimFilter(u, comparisons));
    // RFC 7644 §3.4.2.4: startIndex is 1-based (below 1 reads as 1), count below 0 reads as 0.
    const startIndex = Math.max(1, Number.parseInt(values(request.query.startIndex)[0] ?? '1', 10) || 1);
    const rawCount = values(request.query.count)[0];
    const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, rawCount === undefined ? 100 : Number.parseInt(rawCount, 10) || 0));
    const resources = all.slice(startIndex - 1, startIndex - 1 + count).map((u) => present(request, u));
    return reply.type(SCIM_MEDIA_TYPE).send({
      schemas: [SCIM_LIST_SCHEMA],
      totalResults: all.length,
      startIndex,
      itemsPerPage: resources.length,
      Resources: resources,
    });
  });

  app.post(`${prefix}/Users`, async (request, reply) => {
    const user = organization.createScimUser(parseScimUserBody(request.body));
    const body = present(request, user);
    return withEtag(reply, user).code(201).header('location', body.meta.location).send(body);
  });

  type UserParams = { Params: { scimId: string } };
  app.get<UserParams>(`${prefix}/Users/:scimId`, async (request, reply) => {
    const user = organization.getScimUser(request.params.scimId);
    if (request.headers['if-none-match'] === user.meta.version) return reply.code(304).send();
    return withEtag(reply, user).send(present(request, user));
  });
  app.put<UserParams>(`${prefix}/Users/:scimId`, async (request, reply) => {
    checkIfMatch(request, organization.getScimUser(request.params.scimId));
    const user = organization.replaceScimUser(request.params.scimId, parseScimUserBody(request.body));
    return withEtag(reply, user).send(present(request, user));
  });
  app.patch<UserParams>(`${prefix}/Users/:scimId`, async (request, reply) => {
    const current = organization.getScimUser(request.params.scimId);
    checkIfMatch(request, current);
    const user = organization.replaceScimUser(current.id, applyScimPatch(current, request.body));
    return withEtag(reply, user).send(present(request, user));
  });
  app.delete<UserParams>(`${prefix}/Users/:scimId`, async (request, reply) => {
    checkIfMatch(request, organization.getScimUser(request.params.scimId));
    organization.deleteScimUser(request.params.scimId);
    return reply.code(204).send();
  });
}

function registerControl(app: FastifyInstance, { organization, log, faults, hris }: EmulatorContext): void {
  app.get('/_emulator/state', async () => organization.snapshot());
  app.get('/_emulator/requests', async () => log);
  app.post('/_emulator/reset', async () => {
    organization.reset();
    hris?.reset();
    faults.clear();
    log.length = 0;
    return { ok: true };
  });
  type InviteParams = { Params: { inviteId: string } };
  app.post<InviteParams>('/_emulator/invites/:inviteId/accept', async (request) => organization.acceptInvite(request.params.inviteId));
  app.post<InviteParams>('/_emulator/invites/:inviteId/expire', async (request) => organization.expireInvite(request.params.inviteId));
  app.post('/_emulator/users', async (request) => {
    const body = parse(seedUserBody, request.body);
    return organization.addUser({ email: body.email, role: body.role, name: body.name });
  });
  app.post('/_emulator/clock', async (request) => ({ now: organization.advanceClock(parse(clockBody, request.body).advanceSeconds) }));
  app.get('/_emulator/faults', async () => faults.describe());
  // Replaces every rule: `{ seed, rules: [{ path, method, rate, kind, status, retryAfter, ms, when, times }] }`.
  app.post('/_emulator/faults', async (request) => {
    faults.set(parse(faultsSchema, request.body));
    return faults.describe();
  });
  app.delete('/_emulator/faults', async () => {
    faults.clear();
    return faults.describe();
  });
}

export function buildEmulator(context: EmulatorContext): FastifyInstance {
  const { adminKey, scimToken, log, faults } = context;
  const hris = context.hris ?? new HrDirectory();
  const hrisCredentials = context.hrisCredentials ?? DEFAULT_HR_CREDENTIALS;
  const app = Fastify({ logger: false, genReqId: () => `req_${randomUUID().replaceAll('-', '')}` });
  // OpenAI's SDKs and curl examples send `Content-Type: application/json` on bodiless GET,
  // DELETE and archive POSTs too; an empty body is no body, not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(['application/json', SCIM_MEDIA_TYPE], { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The request body is not valid JSON.'), { statusCode: 400 }), undefined);
    }
  });

  const record = (request: FastifyRequest, status: number) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/_emulator/')) return;
    log.push({ method: request.method, path, status, at: new Date().toISOString(), ...(request.tenureFault ? { fault: request.tenureFault } : {}) });
    // A long-running sandbox keeps the most recent requests only.
    if (log.length > MAX_LOGGED_REQUESTS) log.splice(0, log.length - MAX_LOGGED_REQUESTS);
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
    const path = request.url.split('?')[0] ?? '';
    // The route the router matched, not the raw URL: `/%5Femulator/reset` is routed to `/_emulator/reset`.
    const control = (request.routeOptions.url ?? '').startsWith('/_emulator/') || path.startsWith('/_emulator/');
    if (control) {
      if (!isLoopback(request.socket.remoteAddress)) {
        return openaiError(reply, new EmulatorHttpError(403, 'Emulator control endpoints answer on loopback only.', 'invalid_request_error'));
      }
      return;
    }
    const scim = isScimPath(path);
    const vendor = hrisVendorOf(path);
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (vendor) {
      const refused = hrisRefusal(vendor, request.headers, hrisCredentials);
      if (refused) return hrisError(reply, vendor, 401, refused, path);
    } else if (!presented || !keyMatches(presented, scim ? scimToken : adminKey)) {
      if (scim) return scimErrorReply(reply, 401, presented ? 'The bearer token is not valid for this SCIM service.' : 'Authorization: Bearer <token> is required.');
      return openaiError(
        reply,
        new EmulatorHttpError(
          401,
          presented
            ? 'Incorrect API key provided. You can find your admin keys at https://platform.openai.com/settings/organization/admin-keys.'
            : "You didn't provide an API key. You need to provide your admin key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          'invalid_request_error',
          null,
          'invalid_api_key',
        ),
      );
    }

    const fault = faults.decide(request.method, path);
    if (fault.latencyMs > 0) {
      request.tenureFault = `latency ${fault.latencyMs}ms`;
      await sleep(fault.latencyMs);
    }
    if (fault.drop === 'before') {
      request.tenureFault = 'drop before';
      record(request, 0);
      reply.hijack();
      request.raw.socket.destroy();
      return;
    }
    if (fault.drop === 'after') {
      request.tenureFault = 'drop after';
      request.tenureDropAfter = true;
    }
    if (fault.status) {
      const { status, retryAfter } = fault.status;
      request.tenureFault = `status ${status}`;
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      if (scim) return scimErrorReply(reply, status, status === 429 ? 'Too many requests' : 'The service is temporarily unavailable');
      if (vendor) return hrisError(reply, vendor, status, status === 429 ? 'Rate limit exceeded' : 'Service temporarily unavailable', path);
      return openaiError(
        reply,
        status === 429
          ? new EmulatorHttpError(429, 'Rate limit reached for requests. Please try again later.', 'rate_limit_error', null, 'rate_limit_exceeded')
          : new EmulatorHttpError(status, 'The server had an error while processing your request. Sorry about that!', 'server_error'),
      );
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (request.tenureDropAfter) {
      // The request took effect; its answer is lost, as when a process dies between the call and its completion.
      record(request, 0);
      reply.raw.on('error', () => {});
      request.raw.socket.destroy();
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!request.tenureDropAfter) record(request, reply.statusCode);
  });

  app.setErrorHandler((error, request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const vendor = hrisVendorOf(path);
    if (vendor) {
      if (error instanceof HrEmulatorError) return hrisError(reply, vendor, error.status, error.message, path);
      return status < 500 ? hrisError(reply, vendor, status, (error as Error).message, path) : hrisError(reply, vendor, 500, 'Internal server error', path);
    }
    if (isScimPath(path)) {
      if (error instanceof ScimHttpError) return scimErrorReply(reply, error.status, error.message, error.scimType);
      if (error instanceof EmulatorHttpError) return scimErrorReply(reply, error.status, error.message);
      if (status < 500) return scimErrorReply(reply, status, (error as Error).message, status === 400 ? 'invalidSyntax' : null);
      return scimErrorReply(reply, 500, 'The server had an error while processing your request.');
    }
    if (error instanceof EmulatorHttpError) return openaiError(reply, error);
    if (status < 500) {
      return openaiError(reply, new EmulatorHttpError(status, (error as Error).message, 'invalid_request_error'));
    }
    return openaiError(reply, new EmulatorHttpError(500, 'The server had an error while processing your request.', 'server_error'));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (isScimPath(path)) return scimErrorReply(reply, 404, `No such resource: ${request.method} ${path}`);
    const vendor = hrisVendorOf(path);
    if (vendor) return hrisError(reply, vendor, 404, `No such endpoint: ${request.method} ${path}`, path);
    return openaiError(reply, new EmulatorHttpError(404, `Invalid URL (${request.method} ${path})`, 'invalid_request_error'));
  });

  registerAdminApi(app, context.organization);
  for (const prefix of SCIM_PREFIXES) registerScim(app, context.organization, prefix);
  registerControl(app, { ...context, hris });
  registerHrisApis(app, hris, hrisCredentials);
  registerHrisControl(app, hris, (status, message) => new EmulatorHttpError(status, message, 'invalid_request_error'));
  return app;
}

/** A fresh sandbox key, printed by whoever starts the emulator. */
export function generateAdminKey(): string {
  return `sk-admin-emulator-${randomBytes(18).toString('base64url')}`;
}

/** Starts the emulator and resolves once it is listening. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const organization = options.organization ?? new Organization();
  const adminKey = options.adminKey ?? generateAdminKey();
  const scimToken = options.scimToken ?? adminKey;
  const requests: ServedRequest[] = [];
  const faults = new Faults();
  const hris = options.hris ?? new HrDirectory();
  const hrisCredentials = options.hrisCredentials ?? DEFAULT_HR_CREDENTIALS;
  const app = buildEmulator({ organization, adminKey, scimToken, log: requests, faults, hris, hrisCredentials });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8787 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    scimUrl: `${url}/v1/scim/v2`,
    adminKey,
    scimToken,
    organization,
    requests,
    faults,
    hris,
    hrisCredentials,
    hrisUrls: { bamboohr: `${url}${HRIS_PREFIXES.bamboohr}`, hibob: `${url}${HRIS_PREFIXES.hibob}`, merge: `${url}${HRIS_PREFIXES.merge}` },
    close: () => app.close(),
  };
}
