import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyView from '@fastify/view';
import type { Client } from '@temporalio/client';
import { Eta } from 'eta';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Secret } from '../../config/index.ts';
import { auditCsv, OUTCOMES, parseSince, StoreInputError, StoreUnavailableError, type AuditEntry, type AuditQuery, type ConsoleReader, type Outcome } from '../../store/index.ts';
import { RUN_STATUSES } from '../../workflows/shared.ts';
import type { OperatorAuthenticator } from '../admin/auth.ts';
import { decide, DECISIONS, listRuns, RunOperationError, type Decision } from '../admin/operations.ts';
import { isRunStatus, lastChange, latestDrift, needsAPerson, openaiAccess, openRunsOf, type ConsoleSources } from './data.ts';
import { decodeSession, encodeSession, newSession, processKey, SESSION_COOKIE, SESSION_TTL_MS, SignedOut, type Session } from './session.ts';

export interface ConsoleOptions {
  store: ConsoleReader;
  /** Who may sign in: the operators of the admin API (TENURE_OPERATORS_FILE, TENURE_ADMIN_TOKEN as `admin`). */
  authenticate: OperatorAuthenticator;
  /** The definitions in force and the problems of their last (re)load. */
  definitions: ConsoleSources['definitions'];
  /** The Temporal namespace the runs live in (for links to the Temporal UI). */
  namespace: string;
  /** The Temporal UI's URL (TENURE_TEMPORAL_UI_URL); undefined: runs are not linked there. */
  temporalUiUrl?: string | undefined;
  /** Signs the session cookie (TENURE_CONSOLE_SECRET, or the dev stack's). Default: a random key per process, so sessions end at restart. */
  sessionKey?: Secret | undefined;
  /** How long a session lasts from sign-in, ms. Default 8 hours. */
  sessionTtlMs?: number;
  /** The clock, epoch ms (tests move it). Default Date.now. */
  now?: () => number;
  /** Sign-in attempts allowed per client address per minute (a guessed token is refused no faster). Default 10. */
  signInsPerMinute?: number;
}

const VIEWS = new URL('./views/', import.meta.url).pathname;
const STYLE = readFileSync(new URL('./style.css', import.meta.url), 'utf8');
// The inline stylesheet is the only thing the page may load or run: CSP names it by its hash.
const CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Rows per page of the People and Audit pages. */
const PAGE = { people: 50, audit: 100, runs: 100 } as const;

const decisionForm = z.strictObject({
  _csrf: z.string(),
  run: z.string().min(1).max(512),
  decision: z.enum(DECISIONS),
  reason: z.string().max(1000).optional(),
  step: z.string().max(64).optional(),
});

const auditFilter = z.object({
  employee: z.string().trim().max(256).optional(),
  run: z.string().trim().max(512).optional(),
  action: z.string().trim().max(64).optional(),
  outcome: z.string().trim().optional(),
  since: z.string().trim().max(64).optional(),
  after: z.coerce.number().int().min(0).optional(),
});

/** Empty form fields are no filter. */
const given = (value: string | undefined) => (value === undefined || value === '' ? undefined : value);

declare module 'fastify' {
  interface FastifyRequest {
    /** The console's signed-in operator (console routes only). */
    consoleSession: Session | undefined;
  }
}

/**
 * The operator console at `/console`: server-rendered pages (no JavaScript) for what needs
 * a person (parked runs, approvals, with buttons that send decisions as the signed-in
 * operator), people, runs, the audit log (and its CSV), the definitions in force and the
 * latest drift. Operators sign in with their bearer token once; a signed, HttpOnly,
 * SameSite=Strict cookie carries the session until it expires or they sign out. Every form
 * carries a CSRF token; every page a Content-Security-Policy that allows its inline style only.
 *
 *   app.register(operatorConsole, { client, store, authenticate, definitions: () => registry, namespace: 'default', temporalUiUrl, sessionKey });
 */
export const operatorConsole: FastifyPluginAsync<ConsoleOptions & { client: Client }> = async (app, options) => {
  const now = options.now ?? Date.now;
  const ttlMs = options.sessionTtlMs ?? SESSION_TTL_MS;
  const signedOut = new SignedOut();
  const ui = options.temporalUiUrl?.replace(/\/+$/, '');
  const temporalLink = (workflowId: string) => (ui ? `${ui}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}` : null);

  // Secure only over HTTPS: the dev stack serves plain HTTP on the loopback address.
  const cookieBase = { path: '/console', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;
  await app.register(fastifyCookie, { secret: options.sessionKey?.reveal() ?? processKey() });
  await app.register(fastifyFormbody, { bodyLimit: 16 * 1024 });
  await app.register(fastifyCsrf, { cookieKey: 'tenure_csrf', cookieOpts: { ...cookieBase, signed: true }, logLevel: 'info' });
  // Only the sign-in form is limited (per client address): the routes opt in.
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifyView, { engine: { eta: new Eta({ views: VIEWS, autoEscape: true, cache: true }) }, root: VIEWS, viewExt: 'eta', defaultContext: { style: STYLE } });

  // Query strings of console pages may hold an email (a People search): request logs name the path only.
  app.addHook('onRoute', (route) => {
    route.logSerializers = {
      ...route.logSerializers,
      req: (request: { method: string; url: string; id: string }) => ({ method: request.method, url: request.url.split('?')[0], reqId: request.id }),
    };
  });

  app.decorateRequest('consoleSession', undefined);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('content-security-policy', CSP);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-content-type-options', 'nosniff');
    const raw = request.cookies[SESSION_COOKIE];
    if (!raw) return;
    const unsigned = request.unsignCookie(raw);
    const session = unsigned.valid && unsigned.value ? decodeSession(unsigned.value, now()) : undefined;
    if (session && !signedOut.has(session)) request.consoleSession = session;
  });

  const page = (reply: FastifyReply, view: string, data: Record<string, unknown>) =>
    reply.type('text/html; charset=utf-8').view(view, { operator: reply.request.consoleSession?.operator ?? null, csrf: reply.generateCsrf(), nav: view, ...data });

  // Everything but the sign-in page needs a session: a browser is sent to sign in.
  const signedIn = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.consoleSession) return;
    return reply.code(303).header('location', '/console/sign-in').send();
  };

  app.setErrorHandler(async (error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console request failed');
    else request.log.info({ code: error.code, status }, 'console request refused');
    const message =
      error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET'
        ? 'This form has expired or did not come from the console. Go back, reload the page and try again.'
        : status >= 500
          ? 'Something went wrong on the server; the log has the details.'
          : error.message;
    return page(reply.code(status), 'problem', { title: status === 403 ? 'Refused' : 'Problem', message });
  });

  app.get('/console', { preHandler: signedIn }, async (_request, reply) => reply.code(303).header('location', '/console/needs').send());

  // Any other console address: a page, not the trigger server's JSON (the router prefers every route above).
  app.get('/console/*', async (request, reply) =>
    page(reply.code(404), 'problem', { title: 'Not found', message: `There is no console page at ${request.url.split('?')[0]}. The pages are listed at the top.` }),
  );

  app.get('/console/sign-in', async (request, reply) => {
    if (request.consoleSession) return reply.code(303).header('location', '/console/needs').send();
    return page(reply, 'sign-in', { title: 'Sign in', refused: false });
  });

  const signInLimit = {
    max: options.signInsPerMinute ?? 10,
    timeWindow: 60_000,
    // Thrown to the error handler above, which shows it as a page; Retry-After says when to come back.
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
      Object.assign(new Error(`Too many sign-in attempts from this address. Try again in ${context.after}.`), { statusCode: 429, code: 'CONSOLE_SIGN_IN_LIMITED' }),
  };
  app.post<{ Body: { token?: unknown } }>('/console/sign-in', { preHandler: app.csrfProtection, config: { rateLimit: signInLimit } }, async (request, reply) => {
    const token = typeof request.body?.token === 'string' ? request.body.token.trim() : '';
    const operator = token === '' ? undefined : options.authenticate(token);
    if (operator === undefined) {
      // Nothing about who the operators are, nor the token: a refusal looks the same for every wrong token.
      request.log.info('console sign-in refused');
      return page(reply.code(401), 'sign-in', { title: 'Sign in', refused: true });
    }
    const session = newSession(operator, now(), ttlMs);
    request.log.info({ operator }, 'console sign-in');
    reply.setCookie(SESSION_COOKIE, encodeSession(session), { ...cookieBase, signed: true, maxAge: Math.floor(ttlMs / 1000) });
    return reply.code(303).header('location', '/console/needs').send();
  });

  app.post('/console/sign-out', { preHandler: app.csrfProtection }, async (request, reply) => {
    if (request.consoleSession) signedOut.add(request.consoleSession, now());
    reply.clearCookie(SESSION_COOKIE, cookieBase);
    return reply.code(303).header('location', '/console/sign-in').send();
  });

  app.get('/console/needs', { preHandler: signedIn }, async (request, reply) => {
    const log = (workflowId: string, error: unknown) => request.log.warn({ workflowId, err: error }, 'console: a run\'s state could not be read');
    const found = await needsAPerson(options.client, { log }).catch(refusal);
    return page(reply, 'needs', { title: 'Needs a person', ...('problem' in found ? { parked: [], approvals: [], problem: found.problem } : { ...found, problem: null }), temporalLink });
  });

  app.post<{ Body: Record<string, unknown> }>('/console/decide', { preHandler: [signedIn, app.csrfProtection] }, async (request, reply) => {
    const parsed = decisionForm.safeParse(request.body);
    if (!parsed.success) return page(reply.code(400), 'problem', { title: 'Problem', message: 'The form was incomplete: choose a run and a decision.' });
    const { run, decision, reason, step } = parsed.data;
    const by = request.consoleSession!.operator;
    try {
      const taken = await decide(options.client, run, decision as Decision, { by, ...(given(reason) ? { reason: reason!.trim() } : {}), ...(given(step) ? { step } : {}) });
      request.log.info({ workflowId: run, decision, by }, 'operator decision taken (console)');
      return page(reply, 'answer', { title: 'Decision taken', run, taken, refusal: null, temporalLink });
    } catch (error) {
      if (!(error instanceof RunOperationError)) throw error;
      return page(reply.code(error.status), 'answer', { title: 'Decision refused', run, taken: null, refusal: { code: error.code, message: error.message }, temporalLink });
    }
  });

  app.get<{ Querystring: { q?: string; after?: string } }>('/console/people', { preHandler: signedIn }, async (request, reply) => {
    const search = given(typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 512) : undefined);
    const after = parseAfter(request.query.after);
    try {
      const found = await options.store.people({ limit: PAGE.people, ...(search ? { search } : {}), ...(after ? { after } : {}) });
      const open = await openRunsOf(options.client, found.people.map((p) => p.employeeId)).catch(() => null);
      const people = found.people.map((p) => ({ ...p, access: openaiAccess(p), lastChange: lastChange(p), openRuns: open ? (open.get(p.employeeId) ?? []).filter((r) => r.source === null || r.source === p.source) : null }));
      const next = found.next ? `/console/people?${new URLSearchParams({ ...(search ? { q: search } : {}), after: `${found.next.source}/${found.next.employeeId}` })}` : null;
      return page(reply, 'people', { title: 'People', q: search ?? '', people, next, runsUnreadable: open === null });
    } catch (error) {
      return storeProblem(reply, error);
    }
  });

  app.get<{ Querystring: { status?: string; definition?: string; employee?: string } }>('/console/runs', { preHandler: signedIn }, async (request, reply) => {
    const filter = { status: given(request.query.status), definition: given(request.query.definition), employee: given(request.query.employee) };
    const shown = { status: filter.status ?? '', definition: filter.definition ?? '', employee: filter.employee ?? '' };
    const definitions = options.definitions().plans.map((p) => p.name);
    if (filter.status !== undefined && !isRunStatus(filter.status)) {
      return page(reply.code(400), 'runs', { title: 'Runs', filter: shown, statuses: RUN_STATUSES, definitions, runs: [], problem: `status: choose one of ${RUN_STATUSES.join(', ')}`, temporalLink });
    }
    const runs = await listRuns(options.client, { limit: PAGE.runs, ...(filter.status ? { status: filter.status } : {}), ...(filter.definition ? { definition: filter.definition } : {}), ...(filter.employee ? { employee: filter.employee } : {}) }).catch(refusal);
    const problem = 'problem' in runs ? runs.problem : null;
    return page(reply.code(problem ? 400 : 200), 'runs', { title: 'Runs', filter: shown, statuses: RUN_STATUSES, definitions, runs: 'problem' in runs ? [] : runs, problem, temporalLink });
  });

  const auditQuery = (raw: unknown): { query: AuditQuery; shown: Record<string, string>; after: number | undefined } | { problem: string } => {
    const parsed = auditFilter.safeParse(raw);
    if (!parsed.success) return { problem: `${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}` };
    const f = parsed.data;
    const outcome = given(f.outcome);
    if (outcome !== undefined && !(OUTCOMES as readonly string[]).includes(outcome)) return { problem: `outcome: choose one of ${OUTCOMES.join(', ')}` };
    const sinceText = given(f.since);
    const since = sinceText === undefined ? undefined : parseSince(sinceText);
    if (since === null) return { problem: 'since: give a date (2026-11-01) or an RFC 3339 instant (2026-11-01T09:00:00Z)' };
    const query: AuditQuery = {
      ...(given(f.employee) ? { employeeId: f.employee! } : {}),
      ...(given(f.run) ? { runId: f.run! } : {}),
      ...(given(f.action) ? { action: f.action! } : {}),
      ...(outcome ? { outcome: outcome as Outcome } : {}),
      ...(since ? { since } : {}),
    };
    const shown = { employee: f.employee ?? '', run: f.run ?? '', action: f.action ?? '', outcome: outcome ?? '', since: sinceText ?? '' };
    return { query, shown, after: f.after };
  };

  app.get('/console/audit', { preHandler: signedIn }, async (request, reply) => {
    const found = auditQuery(request.query);
    const empty = { employee: '', run: '', action: '', outcome: '', since: '' };
    if ('problem' in found) return page(reply.code(400), 'audit', { title: 'Audit', filter: empty, outcomes: OUTCOMES, entries: [], next: null, csv: null, problem: found.problem });
    try {
      const entries = await options.store.audit({ ...found.query, limit: PAGE.audit, ...(found.after !== undefined ? { afterId: found.after } : {}) });
      const filters = Object.fromEntries(Object.entries(found.shown).filter(([, v]) => v !== ''));
      const next = entries.length === PAGE.audit ? `/console/audit?${new URLSearchParams({ ...filters, after: String(entries.at(-1)!.id) })}` : null;
      return page(reply, 'audit', { title: 'Audit', filter: found.shown, outcomes: OUTCOMES, entries, next, csv: `/console/audit.csv?${new URLSearchParams(filters)}`, problem: null });
    } catch (error) {
      return storeProblem(reply, error);
    }
  });

  app.get('/console/audit.csv', { preHandler: signedIn }, async (request, reply) => {
    const found = auditQuery(request.query);
    if ('problem' in found) return page(reply.code(400), 'problem', { title: 'Problem', message: found.problem });
    try {
      // Read the first page before answering, so an unreachable store is an error page, not a cut-off file.
      const rows = options.store.auditRows(found.query);
      const first = await rows.next();
      async function* all(): AsyncGenerator<AuditEntry> {
        if (first.done) return;
        yield first.value;
        yield* rows;
      }
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tenure-audit.csv"').send(auditCsv(all()));
    } catch (error) {
      return storeProblem(reply, error);
    }
  });

  app.get('/console/definitions', { preHandler: signedIn }, async (_request, reply) => {
    const { plans, problems } = options.definitions();
    return page(reply, 'definitions', { title: 'Definitions', plans, problems });
  });

  app.get('/console/drift', { preHandler: signedIn }, async (_request, reply) => {
    try {
      const drift = await latestDrift(options.client, options.store);
      return page(reply, 'drift', { title: 'Drift', ...drift });
    } catch (error) {
      return storeProblem(reply, error);
    }
  });

  function refusal(error: unknown): { problem: string } {
    if (error instanceof RunOperationError) return { problem: `${error.code}: ${error.message}` };
    throw error;
  }

  function storeProblem(reply: FastifyReply, error: unknown) {
    if (error instanceof StoreUnavailableError) {
      reply.request.log.warn({ code: error.code }, 'console read failed: store unavailable');
      return page(reply.code(503).header('retry-after', '30'), 'problem', { title: 'Problem', message: 'The results store is unavailable; try again in a moment.' });
    }
    if (error instanceof StoreInputError) return page(reply.code(400), 'problem', { title: 'Problem', message: error.message });
    throw error;
  }
};

/** `<source>/<employeeId>` of the People page's next link. */
function parseAfter(value: string | undefined): { source: string; employeeId: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const cut = value.indexOf('/');
  if (cut <= 0 || cut === value.length - 1) return undefined;
  return { source: value.slice(0, cut), employeeId: value.slice(cut + 1) };
}
