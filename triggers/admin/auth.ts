import bearerAuth from '@fastify/bearer-auth';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ZodError } from 'zod';
import type { OperatorEntry, Secret } from '../../config/index.ts';

/** The operator `TENURE_ADMIN_TOKEN` authenticates as. */
export const ADMIN_OPERATOR = 'admin';

/** Bearer token → the operator's email, or undefined when no operator holds it. */
export type OperatorAuthenticator = (token: string) => string | undefined;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Who a bearer token belongs to: an operator of `TENURE_OPERATORS_FILE` (by the sha256 of
 * the token, compared in constant time against every entry), or `admin` for
 * `TENURE_ADMIN_TOKEN`. Reused by every server that authenticates operators.
 *
 *   const authenticate = operatorAuthenticator({ operators: config.operators, adminToken: config.adminToken });
 *   authenticate(token);   // 'grace@example.com' | 'admin' | undefined
 */
export function operatorAuthenticator(options: { operators: readonly OperatorEntry[]; adminToken?: Secret | undefined }): OperatorAuthenticator {
  const known = options.operators.map((o) => ({ email: o.email, hash: Buffer.from(o.tokenSha256, 'hex') }));
  if (options.adminToken) known.push({ email: ADMIN_OPERATOR, hash: sha256(options.adminToken.reveal()) });
  return (token) => {
    const hash = sha256(token);
    let found: string | undefined;
    // Every entry is compared, so the time taken says nothing about which one matched.
    for (const entry of known) if (timingSafeEqual(hash, entry.hash) && found === undefined) found = entry.email;
    return found;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated operator (admin routes only). */
    operator: string | undefined;
  }
}

/** The operator a request of an admin route was authenticated as. */
export function operatorOf(request: FastifyRequest): string {
  if (!request.operator) throw new Error('operatorOf: the route is not behind requireOperator');
  return request.operator;
}

/**
 * Guards every route of the admin plugin it is called in (and only those, not the
 * webhooks) with `Authorization: Bearer <token>` of an operator, and notes who it is on
 * the request. A refusal is 401 in our error shape with a `www-authenticate` challenge.
 */
export async function requireOperator(app: FastifyInstance, authenticate: OperatorAuthenticator): Promise<void> {
  app.decorateRequest('operator', undefined);
  await app.register(bearerAuth, {
    keys: [],
    auth: (token: string, request: FastifyRequest) => {
      const operator = authenticate(token);
      if (operator === undefined) return false;
      request.operator = operator;
      return true;
    },
    verifyErrorLogLevel: 'info',
    // Our error shape, {error:{code,message}}; the plugin's types only allow {error:string}, its runtime sends any object.
    errorResponse: ((error: Error) => ({
      error: { code: 'UNAUTHORIZED', message: `${error.message}: send Authorization: Bearer <your operator token, or TENURE_ADMIN_TOKEN>` },
    })) as unknown as (error: Error) => { error: string },
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="tenure-admin"');
    return payload;
  });
}

/** The first problem of a refused query string or body, as `{ param, message }` naming the parameter (or `whole`). */
export function queryProblem(error: ZodError, whole = 'query'): { param: string; message: string } {
  const issue = error.issues[0]!;
  const param = issue.path.join('.') || String((issue as { keys?: string[] }).keys?.[0] ?? '');
  return { param, message: `${param || whole}: ${issue.message}` };
}
