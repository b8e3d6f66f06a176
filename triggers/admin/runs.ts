import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Secret } from '../../config/index.ts';
import { queryProblem, requireAdminToken } from './auth.ts';
import { decide, DECISIONS, describeRun, listRuns, RUNS_PAGE, RunOperationError, type Decision } from './operations.ts';

export interface RunsAdminOptions {
  client: Client;
  /** TENURE_ADMIN_TOKEN: requests must send `Authorization: Bearer <token>`. */
  token: Secret;
}

const listSchema = z.strictObject({
  employee: z.string().optional(),
  status: z.string().optional(),
  definition: z.string().optional(),
  source: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(RUNS_PAGE.max).default(RUNS_PAGE.default),
});

const decisionSchema = z.strictObject({
  by: z.string().trim().min(1).max(256),
  reason: z.string().max(1000).optional(),
  step: z.string().min(1).max(64).optional(),
});

function refuse(reply: FastifyReply, error: unknown) {
  if (!(error instanceof RunOperationError)) throw error;
  if (error.status === 503) reply.header('retry-after', '30');
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

/**
 * Runs over HTTP, behind the admin token (constant-time check by @fastify/bearer-auth):
 *
 *   GET  /admin/runs?employee=&status=&definition=&source=&limit=   runs from Temporal visibility, newest first
 *   GET  /admin/runs/<workflowId>                                    one run: summary and live state
 *   POST /admin/runs/<workflowId>/<approve|reject|retry|skip|abort>  body {"by": "...", "reason": "...", "step": "..."}
 *
 * Workflow ids hold slashes (`onboard-openai/E-1001/evt_1`); they go in the path as they
 * are (or percent-encoded). A decision that cannot apply is refused with 409 and a code
 * (NOT_PARKED, NOT_SKIPPABLE, NO_PENDING_APPROVAL, RUN_CLOSED); an accepted one answers 202.
 *
 *   app.register(runsAdmin, { client, token: config.adminToken });
 */
export const runsAdmin: FastifyPluginAsync<RunsAdminOptions> = async (app, options) => {
  await requireAdminToken(app, options.token);
  // The server keeps webhook bodies as raw bytes (signatures are over them); decisions are plain JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 16 * 1024 }, app.getDefaultJsonParser('error', 'error'));

  app.get('/admin/runs', async (request, reply) => {
    const parsed = listSchema.safeParse(request.query);
    if (!parsed.success) {
      return reply.code(400).send({ error: { code: 'INVALID_FILTER', ...queryProblem(parsed.error) } });
    }
    try {
      return { runs: await listRuns(options.client, parsed.data) };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.get<{ Params: { '*': string } }>('/admin/runs/*', async (request, reply) => {
    const workflowId = decodeURIComponent(request.params['*']);
    try {
      return await describeRun(options.client, workflowId);
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.post<{ Params: { '*': string } }>('/admin/runs/*', async (request, reply) => {
    const path = decodeURIComponent(request.params['*']);
    const cut = path.lastIndexOf('/');
    const [workflowId, decision] = [path.slice(0, cut), path.slice(cut + 1)];
    if (cut <= 0 || !(DECISIONS as readonly string[]).includes(decision)) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `POST /admin/runs/<workflowId>/<decision>, where decision is one of ${DECISIONS.join(', ')}` } });
    }
    const parsed = decisionSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const { param, message } = queryProblem(parsed.error, 'body');
      return reply.code(400).send({ error: { code: 'INVALID_DECISION', param, message: `${message}; send {"by": "<who>", "reason": "<why>"}` } });
    }
    try {
      const done = await decide(options.client, workflowId, decision as Decision, parsed.data);
      request.log.info({ workflowId, decision, by: parsed.data.by }, 'operator decision sent');
      return reply.code(202).send({ accepted: true, ...done });
    } catch (error) {
      return refuse(reply, error);
    }
  });
};
