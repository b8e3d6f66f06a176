import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { EmulatorHttpError, Organization } from './state.ts';

export interface EmulatorOptions {
  /** The bearer key every `/v1` request must carry. Default: a fresh `sk-admin-emulator-…` key. */
  adminKey?: string;
  /** Address to bind. Default `127.0.0.1`: control endpoints must stay on loopback. */
  host?: string;
  /** Port to bind; 0 picks a free one. Default 8787. */
  port?: number;
  organization?: Organization;
}

export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  at: string;
}

export interface RunningEmulator {
  /** e.g. `http://127.0.0.1:8787` */
  readonly url: string;
  /** The Admin API base, `${url}/v1`. */
  readonly baseUrl: string;
  readonly adminKey: string;
  readonly organization: Organization;
  readonly requests: readonly ServedRequest[];
  close(): Promise<void>;
}

function openaiError(reply: FastifyReply, error: EmulatorHttpError): FastifyReply {
  return reply.code(error.status).send({
    error: { message: error.message, type: error.type, param: error.param, code: error.code },
  });
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

const inviteBody = z.object({
  email: z.email(),
  role: z.enum(['reader', 'owner']),
  projects: z.array(z.object({ id: z.string().min(1), role: z.enum(['member', 'owner']) })).optional(),
});

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

export function buildEmulator(organization: Organization, adminKey: string, log: ServedRequest[]): FastifyInstance {
  const app = Fastify({ logger: false, genReqId: () => `req_${randomUUID().replaceAll('-', '')}` });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id);
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/_emulator/')) {
      if (!isLoopback(request.socket.remoteAddress)) {
        return openaiError(reply, new EmulatorHttpError(403, 'Emulator control endpoints answer on loopback only.', 'invalid_request_error'));
      }
      return;
    }
    const header = request.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
    if (!presented || !keyMatches(presented, adminKey)) {
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
  });

  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/_emulator/')) return;
    log.push({ method: request.method, path, status: reply.statusCode, at: new Date().toISOString() });
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof EmulatorHttpError) return openaiError(reply, error);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status < 500) {
      return openaiError(reply, new EmulatorHttpError(status, (error as Error).message, 'invalid_request_error'));
    }
    return openaiError(reply, new EmulatorHttpError(500, 'The server had an error while processing your request.', 'server_error'));
  });

  app.setNotFoundHandler((request, reply) =>
    openaiError(reply, new EmulatorHttpError(404, `Invalid URL (${request.method} ${request.url.split('?')[0]})`, 'invalid_request_error')),
  );

  app.get('/v1/organization/invites', async (request) => page(organization.listInvites(), request.query));
  app.post('/v1/organization/invites', async (request) => organization.createInvite(parse(inviteBody, request.body)));
  app.get<{ Params: { inviteId: string } }>('/v1/organization/invites/:inviteId', async (request) =>
    organization.getInvite(request.params.inviteId),
  );

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/v1/organization/users', async (request) => {
    const { emails, 'emails[]': bracketed, ...rest } = request.query;
    const wanted = [emails, bracketed].flat().filter((e): e is string => typeof e === 'string').map((e) => e.toLowerCase());
    const users = [...organization.users.values()].filter((u) => wanted.length === 0 || wanted.includes(u.email.toLowerCase()));
    return page(users, rest);
  });

  app.get('/_emulator/state', async () => organization.snapshot());
  app.get('/_emulator/requests', async () => log);
  app.post('/_emulator/reset', async () => {
    organization.reset();
    log.length = 0;
    return { ok: true };
  });

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
  const requests: ServedRequest[] = [];
  const app = buildEmulator(organization, adminKey, requests);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 8787 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    adminKey,
    organization,
    requests,
    close: () => app.close(),
  };
}
