import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { queryProblem, requireOperator, type OperatorAuthenticator } from './auth.ts';
import { auditCsv, parseSince, StoreInputError, StoreUnavailableError, type AuditEntry, type AuditQuery, type AuditReader } from '../../store/index.ts';

export interface AuditAdminOptions {
  store: AuditReader;
  /** Who may call: requests send `Authorization: Bearer <token>` of an operator (or TENURE_ADMIN_TOKEN). */
  authenticate: OperatorAuthenticator;
}

/** Default and largest page of the JSON answer, rows. */
export const AUDIT_PAGE = { default: 1000, max: 10_000 } as const;

const querySchema = z.strictObject({
  employee: z.string().min(1).max(256).optional(),
  source: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  run: z.string().min(1).max(512).optional(),
  since: z.string().optional(),
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE.max).default(AUDIT_PAGE.default),
  after: z.coerce.number().int().min(0).optional(),
});

/**
 * `GET /admin/audit`: the audit log over HTTP, for operators (bearer token, compared in
 * constant time). Query: `employee`, `source`, `action`, `run`,
 * `since` (a date or an RFC 3339 instant), `format=json|csv`. JSON is paged
 * (`limit`, default 1000, and `after`: pass the answer's `next`); CSV is the whole
 * selection, streamed, with a header row. 503 with Retry-After when the store is down.
 *
 *   app.register(auditAdmin, { store, authenticate: operatorAuthenticator(config) });
 */
export const auditAdmin: FastifyPluginAsync<AuditAdminOptions> = async (app, options) => {
  // Registered inside this plugin, the hook guards these routes only, not the webhooks.
  await requireOperator(app, options.authenticate);

  app.get('/admin/audit', async (request, reply) => {
    const parsed = querySchema.safeParse(request.query);
    if (!parsed.success) {
      return reply.code(400).send({ error: { code: 'INVALID_QUERY', ...queryProblem(parsed.error) } });
    }
    const q = parsed.data;
    const since = q.since === undefined ? undefined : parseSince(q.since);
    if (since === null) {
      return reply.code(400).send({ error: { code: 'INVALID_QUERY', param: 'since', message: 'since: give a date (2026-11-01) or an RFC 3339 instant (2026-11-01T09:00:00Z)' } });
    }
    const query: AuditQuery = {
      ...(q.employee !== undefined ? { employeeId: q.employee } : {}),
      ...(q.source !== undefined ? { source: q.source } : {}),
      ...(q.action !== undefined ? { action: q.action } : {}),
      ...(q.run !== undefined ? { runId: q.run } : {}),
      ...(since !== undefined ? { since } : {}),
    };
    try {
      if (q.format === 'json') {
        const entries = await options.store.audit({ ...query, limit: q.limit, ...(q.after !== undefined ? { afterId: q.after } : {}) });
        return { entries, next: entries.length === q.limit ? entries.at(-1)!.id : null };
      }
      // Read the first page before answering, so an unreachable store is a 503, not a cut-off 200.
      const rows = options.store.auditRows(query);
      const first = await rows.next();
      async function* all(): AsyncGenerator<AuditEntry> {
        if (first.done) return;
        yield first.value;
        yield* rows;
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="tenure-audit.csv"')
        .send(auditCsv(all()));
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        request.log.warn({ code: error.code }, 'audit read failed: store unavailable');
        return reply.code(503).header('retry-after', '30').send({ error: { code: 'STORE_UNAVAILABLE', message: 'the results store is unavailable; retry later' } });
      }
      if (error instanceof StoreInputError) return reply.code(400).send({ error: { code: 'INVALID_QUERY', param: error.field, message: error.message } });
      throw error;
    }
  });
};
