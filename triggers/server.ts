import type { Client } from '@temporalio/client';
import Fastify, { type FastifyReply } from 'fastify';
import { randomUUID } from 'node:crypto';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { codecServer, type CodecServerOptions } from '../codec/index.ts';
import type { Plan } from '../dsl/index.ts';
import type { Logger } from '../logging/index.ts';
import { StoreError, type EventMemory } from '../store/index.ts';
import { auditAdmin, type AuditAdminOptions } from './admin/audit.ts';
import { runsAdmin } from './admin/runs.ts';
import { operatorConsole, type ConsoleOptions } from './console/index.ts';
import { ConditionEvaluator } from './conditions.ts';
import { ConditionsUnjudged, dispatch, type Dispatched } from './dispatch.ts';
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
  /** Longest wait for Temporal per event before answering 503, milliseconds. Default 5,000. */
  dispatchTimeoutMs?: number;
  /** Longest time to receive a whole request, milliseconds. Default 30,000. */
  requestTimeoutMs?: number;
  /** Longest time to receive a request's headers, milliseconds (a header drip is cut off). Default 10,000. */
  headersTimeoutMs?: number;
  /** How often connections are checked against those timeouts, milliseconds. Default 1,000. */
  connectionsCheckingIntervalMs?: number;
  /** Most connections open at once; more are refused at once. Default 1,024. */
  maxConnections?: number;
  /** `Retry-After` sent with 503, seconds. Default 30. */
  retryAfterSeconds?: number;
  /** Event ids handed to Temporal, remembered for good (the results store), so a redelivery after Temporal's retention is a duplicate. Default: none. */
  events?: EventMemory;
  /** Longest time one event's conditions may take before they count as failed, milliseconds. Default 1,000. */
  conditionDeadlineMs?: number;
  /** The condition worker script. Default: condition-worker.ts (tests substitute one that hangs). */
  conditionWorkerUrl?: URL;
  /** The admin endpoints, for operators (TENURE_OPERATORS_FILE, TENURE_ADMIN_TOKEN): the audit log (`GET /admin/audit`) and runs (`/admin/runs`). Default: off. */
  audit?: AuditAdminOptions;
  /** The Temporal Web UI's base URL (TENURE_TEMPORAL_UI_URL), for the runs' links in `GET /admin/runs/<id>`. */
  temporalUiUrl?: string;
  /** The operator console at `/console` (sign-in with an operator's token). Default: off. */
  console?: ConsoleOptions;
  /** The codec server at `/codec` (`POST /codec/encode`, `/codec/decode`) for the Temporal UI and CLI. Default: off. */
  codec?: CodecServerOptions;
}

const REJECTION_STATUS = { INVALID_SIGNATURE: 401, STALE_DELIVERY: 401, MALFORMED_JSON: 400, FORBIDDEN_KEY: 400, INVALID_EVENT: 400 } as const;

/** Events of one delivery handed to Temporal at once; bounded so a large BambooHR batch cannot flood it. */
const DISPATCH_CONCURRENCY = 8;

/** gRPC UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED (numeric codes), anywhere in the cause chain. */
const RETRYABLE_GRPC_CODES = new Set([14, 4, 8]);

export function isTemporalUnavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number' && RETRYABLE_GRPC_CODES.has(e.code)) return true;
    if (e.name === 'TransportError' || /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|failed to connect/i.test(e.message ?? '')) return true;
  }
  return false;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

const isJson = (contentType: string | undefined) => /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType ?? '');

/** The trigger server: the webhook front door, health, readiness and metrics. */
export function buildTriggerServer(options: TriggerServerOptions) {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const retryAfter = String(options.retryAfterSeconds ?? 30);
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
    help: 'Deliveries refused for a missing, wrong, malformed, stale or future signature',
    labelNames: ['source', 'reason'] as const,
    registers: [registry],
  });
  const eventOutcomes = new Counter({
    name: 'tenure_webhook_events_total',
    help: 'Events in accepted deliveries by outcome (accepted, duplicate, unmatched, ignored)',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  const startLatency = new Histogram({
    name: 'tenure_webhook_start_seconds',
    help: 'Time from receiving a delivery to Temporal accepting all of its events',
    labelNames: ['source'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const sources = new Map(options.sources.map((s) => [s.name, s]));
  const enabled = () => [...sources.keys()].join(', ') || 'none';
  // Source names come from the URL: label unknown ones as one value, so an attacker cannot grow the metric set.
  const sourceLabel = (name: unknown) => (typeof name === 'string' && sources.has(name) ? name : 'unknown');

  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    connectionTimeout: options.requestTimeoutMs ?? 30_000,
    // Slow clients: headers must arrive within headersTimeout, and Node checks every connection
    // that often (its default, 30 s, let a header drip last close to a minute).
    http: {
      headersTimeout: Math.min(options.headersTimeoutMs ?? 10_000, options.requestTimeoutMs ?? 30_000),
      connectionsCheckingInterval: options.connectionsCheckingIntervalMs ?? 1_000,
    },
    // Malformed or absurdly long URLs: answered in the same JSON shape as everything else.
    frameworkErrors: (error, request, reply) => {
      const status = error.statusCode ?? 400;
      request.log.info({ code: error.code, status }, 'request refused by the router');
      return (reply as FastifyReply).code(status).send({ error: { code: status === 414 ? 'URI_TOO_LONG' : 'MALFORMED_REQUEST', message: status === 414 ? 'the URL is too long' : 'the URL is malformed' } });
    },
    // Ours, always: a client's id could collide with another's. Theirs is logged apart (below).
    genReqId: () => randomUUID(),
  });
  app.server.maxConnections = options.maxConnections ?? 1024;

  // Keep the exact bytes: signatures are over them. text/plain is read only for HiBob's ping.
  app.removeAllContentTypeParsers();
  const keepRaw = (_req: unknown, body: string | Buffer, done: (error: null, body: string | Buffer) => void) => done(null, body);
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer', bodyLimit }, keepRaw);
  app.addContentTypeParser(/^application\/[\w.-]+\+json$/, { parseAs: 'buffer', bodyLimit }, keepRaw);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const theirs = request.headers['x-request-id'];
    if (typeof theirs === 'string' && theirs !== '') request.log = request.log.child({ clientRequestId: theirs.replace(/[^\w.:-]/g, '_').slice(0, 128) });
  });
  app.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url === '/webhooks/:source') {
      requests.inc({ source: sourceLabel((request.params as { source?: string }).source), status: String(reply.statusCode) });
    }
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: error.code, status }, 'request refused');
    const [code, message] =
      status === 413
        ? ['PAYLOAD_TOO_LARGE', `body is larger than ${bodyLimit} bytes`]
        : status === 415
          ? ['UNSUPPORTED_MEDIA_TYPE', 'send the event as Content-Type: application/json']
          : status === 408
            ? ['REQUEST_TIMEOUT', 'the request took too long to arrive']
            : status < 500
              ? ['MALFORMED_REQUEST', error.message]
              : ['INTERNAL', 'internal error; the delivery was not accepted, retry later'];
    // Never a stack trace, never the internals of a 5xx.
    return reply.code(status).send({ error: { code, message } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}; webhooks are POST /webhooks/<source>` } }),
  );

  // Conditions run off this thread, so one costly event cannot hold up other requests.
  const conditions = new ConditionEvaluator({ deadlineMs: options.conditionDeadlineMs ?? 1_000, ...(options.conditionWorkerUrl ? { workerUrl: options.conditionWorkerUrl } : {}) });
  app.addHook('onReady', async () => conditions.start());
  app.addHook('onClose', () => conditions.close());

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    try {
      await options.client.withDeadline(Date.now() + 2_000, () => options.client.connection.workflowService.getSystemInfo({}));
      return { status: 'ready', temporal: 'reachable', sources: [...sources.keys()] };
    } catch {
      return reply.code(503).header('retry-after', retryAfter).send({ status: 'not ready', temporal: 'unreachable' });
    }
  });

  if (options.audit) app.register(auditAdmin, options.audit);
  if (options.audit) {
    app.register(runsAdmin, {
      client: options.client,
      authenticate: options.audit.authenticate,
      audit: options.audit.store,
      ...(options.temporalUiUrl !== undefined ? { temporalUiUrl: options.temporalUiUrl } : {}),
    });
  }

  if (options.console) app.register(operatorConsole, { client: options.client, ...options.console });

  if (options.codec) app.register(codecServer, options.codec);

  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  app.post<{ Params: { source: string }; Body: Buffer | undefined }>(
    '/webhooks/:source',
    {
      // Refuse unknown sources before reading a byte of the body.
      onRequest: async (request, reply) => {
        if (!sources.has(request.params.source)) {
          return reply.code(404).send({ error: { code: 'UNKNOWN_SOURCE', message: `no source '${request.params.source.slice(0, 64)}' is enabled; enabled sources: ${enabled()}` } });
        }
      },
    },
    async (request, reply) => {
      const source = sources.get(request.params.source) as Source;
      const label = source.name;
      const unsupported = (r: FastifyReply) => r.code(415).send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the event as Content-Type: application/json' } });
      if (!Buffer.isBuffer(request.body)) return unsupported(reply);
      let rawBody: string;
      try {
        // Strict: a body that is not UTF-8 is not JSON, and decoding it leniently would change the signed bytes.
        rawBody = utf8.decode(request.body);
      } catch {
        return reply.code(400).send({ error: { code: 'MALFORMED_JSON', message: 'body is not UTF-8 text' } });
      }
      const delivery = { rawBody, headers: request.headers };
      if (source.isPing?.(delivery)) {
        request.log.info({ source: label }, 'connection check answered');
        return reply.code(200).send({ accepted: true, ping: true, events: [], ignored: [] });
      }
      if (!isJson(request.headers['content-type'])) return unsupported(reply);

      const started = process.hrtime.bigint();
      let accepted;
      try {
        accepted = source.accept(delivery);
      } catch (error) {
        if (!(error instanceof DeliveryRejected)) throw error;
        if (error.code === 'INVALID_SIGNATURE' || error.code === 'STALE_DELIVERY') {
          signatureFailures.inc({ source: label, reason: error.detail ?? 'mismatch' });
          request.log.warn({ source: label, reason: error.detail }, 'delivery refused: invalid signature');
        } else request.log.info({ source: label, code: error.code, problems: error.problems }, 'delivery refused');
        return reply.code(REJECTION_STATUS[error.code]).send({
          error: { code: error.code, message: error.message, ...(error.problems.length ? { problems: error.problems } : {}) },
        });
      }

      let results: Dispatched[];
      try {
        const plans = options.plans();
        results = await mapLimited(accepted.events, DISPATCH_CONCURRENCY, (event) =>
          dispatch(options.client, options.taskQueue, plans, event, { timeoutMs: options.dispatchTimeoutMs ?? 5_000, conditions: (p, e) => conditions.match(p, e), ...(options.events ? { events: options.events } : {}) }),
        );
      } catch (error) {
        if (error instanceof StoreError) {
          request.log.warn({ source: label, code: error.code }, 'results store unavailable; delivery refused with 503');
          return reply
            .code(503)
            .header('retry-after', retryAfter)
            .send({ error: { code: 'STORE_UNAVAILABLE', message: 'the results store is unavailable; the delivery was not accepted, retry later' } });
        }
        if (error instanceof ConditionsUnjudged) {
          // Not judged is not false: answering 200 would drop the event. The sender retries it.
          request.log.warn({ source: label, unjudged: error.unjudged }, 'conditions not judged in time; delivery refused with 503');
          return reply
            .code(503)
            .header('retry-after', retryAfter)
            .send({ error: { code: 'CONDITIONS_UNAVAILABLE', message: 'the definitions\' conditions could not be evaluated in time; the delivery was not accepted, retry later' } });
        }
        if (!isTemporalUnavailable(error)) throw error;
        // Nothing is lost: the sender retries the whole delivery, and what did get through is de-duplicated.
        request.log.warn({ source: label, err: error }, 'Temporal unavailable; delivery refused with 503');
        return reply
          .code(503)
          .header('retry-after', retryAfter)
          .send({ error: { code: 'TEMPORAL_UNAVAILABLE', message: 'the workflow service is unavailable; the delivery was not accepted, retry later' } });
      }
      startLatency.observe({ source: label }, Number(process.hrtime.bigint() - started) / 1e9);
      for (const r of results) eventOutcomes.inc({ source: label, outcome: r.outcome });
      for (const _ of accepted.ignored) eventOutcomes.inc({ source: label, outcome: 'ignored' });
      const anyNew = results.some((r) => r.outcome === 'accepted');
      // A redelivery: nothing new was handed over, and at least one event had been before.
      const duplicate = !anyNew && results.some((r) => r.outcome === 'duplicate');
      request.log.info(
        // Ids only (the entity's workflow id names the employee id): no email or name in the log.
        { source: label, events: results.map((r) => ({ id: r.eventId, workflowId: r.workflowId, outcome: r.outcome, runs: r.runs })), ignored: accepted.ignored.map((i) => i.type) },
        'delivery accepted',
      );
      // 202: work was handed to Temporal. 200: nothing new to do (a redelivery, no matching definition, an ignored event type).
      return reply.code(anyNew ? 202 : 200).send({ accepted: true, duplicate, events: results, ignored: accepted.ignored });
    },
  );

  return app;
}
