import type { Payload } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import { z } from 'zod';
import { EncryptionCodec, PayloadDecryptionError } from './encryption.ts';
import type { PayloadKeys } from './keys.ts';

export interface CodecServerOptions {
  keys: PayloadKeys;
  /** The Temporal namespace Tenure uses; a request whose `X-Namespace` names another is refused. */
  namespace: string;
  /** Is this bearer token allowed to decode (the admin token, an operator's token)? Compare in constant time. */
  authorize: (token: string) => boolean;
  /** Browser origins allowed by CORS: the Temporal UI's (TENURE_UI_ORIGIN). */
  uiOrigins: readonly string[];
  /**
   * Origins whose requests need no token: only `tenure dev`'s own embedded UI on loopback,
   * which cannot send one (it has no login). Default none.
   */
  trustedOrigins?: readonly string[];
  /** Largest request, bytes. Default 8 MiB (a Temporal payload may be 2 MB, a request carries several). */
  bodyLimit?: number;
}

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const bodySchema = z.strictObject({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }))
    .max(10_000, 'at most 10000 payloads per request')
    // The Temporal CLI sends `{}` for no payloads (protobuf JSON leaves out empty lists).
    .default([]),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * The codec server, Temporal's remote codec protocol at `/codec` (a Fastify plugin):
 * `POST /codec/encode` and `POST /codec/decode` take and answer
 * `{"payloads":[{"metadata":{"encoding":"<base64>"},"data":"<base64>"}]}`. The Temporal UI
 * (`--ui-codec-endpoint`, the namespace's codec setting on Temporal Cloud) and the CLI
 * (`--codec-endpoint`) call it to show runs decoded. Requests need
 * `Authorization: Bearer <token>` accepted by `authorize`; CORS admits `uiOrigins`.
 *
 *   app.register(codecServer, { keys, namespace, authorize, uiOrigins: ['https://temporal.example.com'] });
 */
export const codecServer: FastifyPluginAsync<CodecServerOptions> = async (app, options) => {
  const codec = new EncryptionCodec(options.keys);
  const allowed = new Set([...options.uiOrigins, ...(options.trustedOrigins ?? [])]);
  const trusted = new Set(options.trustedOrigins ?? []);
  const bodyLimit = options.bodyLimit ?? 8 * 1024 * 1024;

  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    reply.header('vary', 'origin');
    if (origin && allowed.has(origin)) {
      reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true');
    }
  };

  for (const operation of ['encode', 'decode'] as const) {
    // The preflight carries no credentials: answered before any check.
    app.options(`/codec/${operation}`, async (request, reply) => {
      cors(request, reply);
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600')
        .send();
    });

    app.post<{ Body: Buffer | undefined }>(`/codec/${operation}`, { bodyLimit }, async (request, reply) => {
      cors(request, reply);
      const origin = request.headers.origin;
      const header = request.headers.authorization;
      const token = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : undefined;
      if (!(origin !== undefined && trusted.has(origin)) && !(token && options.authorize(token))) {
        request.log.info({ codec: operation, reason: token ? 'token refused' : 'no token' }, 'codec request refused');
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer realm="tenure-codec"')
          .send({ error: { code: 'UNAUTHORIZED', message: `${token ? 'the bearer token is not accepted' : 'no bearer token'}: send Authorization: Bearer <TENURE_ADMIN_TOKEN or an operator's token>` } });
      }
      const namespace = request.headers['x-namespace'];
      if (typeof namespace === 'string' && namespace !== '' && namespace !== options.namespace) {
        return reply.code(403).send({ error: { code: 'NAMESPACE_NOT_SERVED', message: `this codec serves the namespace '${options.namespace}', not '${namespace.slice(0, 128)}'` } });
      }
      let parsed;
      try {
        parsed = bodySchema.safeParse(Buffer.isBuffer(request.body) ? secureJson.parse(request.body.toString('utf8')) : undefined);
      } catch {
        parsed = undefined;
      }
      if (!parsed?.success) {
        const issue = parsed?.error.issues[0];
        const where = issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'the body is not JSON';
        return reply.code(400).send({ error: { code: 'INVALID_CODEC_REQUEST', message: `${where}; send {"payloads":[{"metadata":{…base64},"data":"<base64>"}]} as application/json` } });
      }
      const payloads = parsed.data.payloads.map(fromJson);
      try {
        const result = operation === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
        return { payloads: result.map(toJson) };
      } catch (error) {
        if (!(error instanceof PayloadDecryptionError)) throw error;
        request.log.warn({ codec: operation, reason: error.message }, 'codec could not decode a payload');
        return reply.code(422).send({ error: { code: 'UNDECRYPTABLE_PAYLOAD', message: error.message } });
      }
    });
  }
};
