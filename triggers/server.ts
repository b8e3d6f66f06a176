import type { Client } from '@temporalio/client';
import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Plan } from '../dsl/index.ts';
import type { Logger } from '../logging/index.ts';
import { auditAdmin, type AuditAdminOptions } from './admin/audit.ts';
import { dispatch } from './dispatch.ts';
import { DeliveryRejected, type Source } from './sources/types.ts';

export interface TriggerServerOptions {
  client: Client;
  taskQueue: string;
  sources: readonly Source[];
  /** The plans in force; read on every delivery, so a reload takes effect at once. */
  plans: () => readonly Plan[];
  logger: Logger;
  /** Largest accepted body, bytes. Default 1 MiB. */
  bodyLimit?: number;
  /** The audit log at `GET /admin/audit`, when TENURE_ADMIN_TOKEN is set. Default: off. */
  audit?: AuditAdminOptions;
}

const REJECTION_STATUS = { INVALID_SIGNATURE: 401, MALFORMED_JSON: 400, INVALID_EVENT: 400 } as const;

function isTemporalUnavailable(error: unknown): boolean {
  const e = error as { code?: number; name?: string; message?: string };
  // gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4), or the connection could not be made at all.
  return e?.code === 14 || e?.code === 4 || e?.name === 'TransportError' || /UNAVAILABLE|ECONNREFUSED|connect/i.test(e?.message ?? '');
}

/** The trigger server: the webhook front door, health, readiness and metrics. */
export function buildTriggerServer(options: TriggerServerOptions) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tenure_' });
  const requests = new Counter({
    name: 'tenure_webhook_requests_total',
    help: 'Webhook deliveries by source and HTTP status',
    labelNames: ['source', 'status'] as const,
    registers: [registry],
  });
  const signatureFailures = new Counter({
    name: 'tenure_webhook_signature_failures_total',
    help: 'Deliveries refused for a missing, wrong or stale signature',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const startLatency = new Histogram({
    name: 'tenure_webhook_start_seconds',
    help: 'Time from receiving a delivery to Temporal accepting it',
    labelNames: ['source'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  const sources = new Map(options.sources.map((s) => [s.name, s]));
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestTimeout: 30_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : randomUUID();
    },
  });

  // Keep the exact bytes: signatures are over them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/*+json'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code =
      status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 400 ? 'MALFORMED_REQUEST' : 'INTERNAL';
    const message =
      status === 413
        ? `body is larger than ${options.bodyLimit ?? 1024 * 1024} bytes`
        : status === 415
          ? 'send the event as Content-Type: application/json'
          : status >= 500
            ? 'internal error; the delivery was not accepted, retry later'
            : error.message;
    return reply.code(status).send({ error: { code, message } });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await options.client.connection.workflowService.getSystemInfo({});
      return { status: 'ready', temporal: 'reachable' };
    } catch {
      return reply.code(503).send({ status: 'not ready', temporal: 'unreachable' });
    }
  });

  if (options.audit) app.register(auditAdmin, options.audit);

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.post<{ Params: { source: string }; Body: string }>('/webhooks/:source', async (request, reply) => {
    const sourceName = request.params.source;
    const source = sources.get(sourceName);
    const label = source ? sourceName : 'unknown';
    const answer = (status: number, body: unknown) => {
      requests.inc({ source: label, status: String(status) });
      return reply.code(status).send(body);
    };
    if (!source) {
      return answer(404, {
        error: { code: 'UNKNOWN_SOURCE', message: `no source '${sourceName}' is enabled; enabled sources: ${[...sources.keys()].join(', ') || 'none'}` },
      });
    }
    if (typeof request.body !== 'string') {
      return answer(415, { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the event as Content-Type: application/json' } });
    }
    const started = process.hrtime.bigint();
    let events;
    try {
      events = source.accept({ rawBody: request.body, headers: request.headers });
    } catch (error) {
      if (error instanceof DeliveryRejected) {
        if (error.code === 'INVALID_SIGNATURE') signatureFailures.inc({ source: label });
        request.log.info({ source: sourceName, code: error.code }, 'delivery refused');
        return answer(REJECTION_STATUS[error.code], {
          error: { code: error.code, message: error.message, ...(error.problems.length ? { problems: error.problems } : {}) },
        });
      }
      throw error;
    }
    try {
      const results = [];
      for (const event of events) results.push(await dispatch(options.client, options.taskQueue, options.plans(), event));
      startLatency.observe({ source: label }, Number(process.hrtime.bigint() - started) / 1e9);
      const duplicate = results.every((r) => r.duplicate);
      request.log.info({ source: sourceName, events: results.map((r) => ({ id: r.eventId, runs: r.runs, duplicate: r.duplicate })) }, 'delivery accepted');
      return answer(duplicate ? 200 : 202, { accepted: true, duplicate, events: results });
    } catch (error) {
      if (isTemporalUnavailable(error)) {
        request.log.warn({ err: error }, 'Temporal unavailable; delivery refused with 503');
        reply.header('retry-after', '30');
        return answer(503, { error: { code: 'TEMPORAL_UNAVAILABLE', message: 'the workflow service is unavailable; nothing was accepted, retry later' } });
      }
      throw error;
    }
  });

  return app;
}
