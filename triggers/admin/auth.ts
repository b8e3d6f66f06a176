import bearerAuth from '@fastify/bearer-auth';
import type { FastifyInstance } from 'fastify';
import type { ZodError } from 'zod';
import type { Secret } from '../../config/index.ts';

/**
 * Guards every route of the admin plugin it is called in (and only those, not the
 * webhooks) with `Authorization: Bearer <TENURE_ADMIN_TOKEN>`, compared in constant time.
 * A refusal is 401 in our error shape with a `www-authenticate` challenge.
 */
export async function requireAdminToken(app: FastifyInstance, token: Secret): Promise<void> {
  await app.register(bearerAuth, {
    keys: [token.reveal()],
    verifyErrorLogLevel: 'info',
    // Our error shape, {error:{code,message}}; the plugin's types only allow {error:string}, its runtime sends any object.
    errorResponse: ((error: Error) => ({
      error: { code: 'UNAUTHORIZED', message: `${error.message}: send Authorization: Bearer <TENURE_ADMIN_TOKEN>` },
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
