import type { Client } from '@temporalio/client';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import { operatorOf, queryProblem, requireOperator, type OperatorAuthenticator } from './auth.ts';
import type { AuditReader } from '../../store/index.ts';
import { explainRun } from './explain.ts';
import { decide, DECISIONS, listRuns, RUNS_PAGE, RunOperationError, type Decision } from './operations.ts';

export interface RunsAdminOptions {
  client: Client;
  /** Who may call: requests send `Authorization: Bearer <token>` of an operator (or TENURE_ADMIN_TOKEN, as `admin`). */
  authenticate: OperatorAuthenticator;
  /** The Temporal Web UI's base URL, for each run's link. Default: http://127.0.0.1:8233. */
  temporalUiUrl?: string;
  /** The audit log: the steps of a run that closed without a result (failed, cancelled). */
  audit?: AuditReader;
}

const listSchema = z.strictObject({
  employee: z.string().optional(),
  status: z.string().optional(),
  definition: z.string().optional(),
  source: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(RUNS_PAGE.max).default(RUNS_PAGE.default),
});

// No `by`: the actor of a decision is the authenticated operator, never a field of the body.
const decisionSchema = z.strictObject({
  reason: z.string().trim().max(1000).optional(),
  step: z.string().min(1).max(64).optional(),
});

function refuse(reply: FastifyReply, error: unknown) {
  if (!(error instanceof RunOperationError)) throw error;
  if (error.status === 503) reply.header('retry-after', '30');
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

/**
 * Runs over HTTP, for operators (bearer token; see operatorAuthenticator):
 *
 *   GET  /admin/runs?employee=&status=&definition=&source=&limit=   runs from Temporal visibility, newest first
 *   POST /admin/runs/<workflowId>/<approve|reject|retry|skip|abort>  body {"reason": "...", "step": "..."}
 *   GET  /admin/runs/<workflowId>                                    one run: summary, live state, and `explanation`
 *                                                                    (steps, what it waits for, the commands that go on,
 *                                                                    how a closed run ended, its Temporal UI link)
 *
 * Workflow ids hold slashes (`onboard-openai/E-1001/evt_1`); they go in the path as they
 * are (or percent-encoded). A decision is sent to the run as an update, with the
 * authenticated operator as its actor; the run's answer is the response: 200 with the
 * step it took, or its refusal (409 NOT_PARKED, NOT_SKIPPABLE, NO_PENDING_APPROVAL,
 * RUN_CLOSED; 403 NOT_AN_APPROVER; 400 REASON_REQUIRED).
 *
 *   app.register(runsAdmin, { client, authenticate: operatorAuthenticator(config) });
 */
/** A definition run's id is `<definition>/<employeeId>/<eventId>`: anything with fewer parts is not one. */
function malformedRunId(reply: FastifyReply, workflowId: string) {
  return reply.code(400).send({
    error: { code: 'INVALID_RUN_ID', message: `'${workflowId.slice(0, 100)}' is not a run id: run ids look like <definition>/<employeeId>/<eventId>; \`tenure runs\` lists them` },
  });
}

export const runsAdmin: FastifyPluginAsync<RunsAdminOptions> = async (app, options) => {
  await requireOperator(app, options.authenticate);
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
    // The router has decoded the path once already; decoding again would misread a `%` in an id.
    const workflowId = request.params['*'];
    if (workflowId.split('/').length < 3) return malformedRunId(reply, workflowId);
    try {
      const { run, state, unanswered, ...explanation } = await explainRun(options.client, workflowId, {
        uiUrl: options.temporalUiUrl ?? 'http://127.0.0.1:8233',
        namespace: options.client.options.namespace,
        ...(options.audit ? { audit: options.audit } : {}),
      });
      // An open run whose status query has no answer is a 503, as before explanations.
      if (unanswered !== null) throw new RunOperationError('NO_WORKER', unanswered);
      return { run, state, explanation };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.post<{ Params: { '*': string } }>('/admin/runs/*', async (request, reply) => {
    const path = request.params['*'];
    const cut = path.lastIndexOf('/');
    const [workflowId, decision] = [path.slice(0, cut), path.slice(cut + 1)];
    if (cut <= 0 || !(DECISIONS as readonly string[]).includes(decision)) {
      return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `POST /admin/runs/<workflowId>/<decision>, where decision is one of ${DECISIONS.join(', ')}` } });
    }
    if (workflowId.split('/').length < 3) return malformedRunId(reply, workflowId);
    const parsed = decisionSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      const { param, message } = queryProblem(parsed.error, 'body');
      const hint = param === 'by' ? 'the actor is the operator your token authenticates; remove by' : 'send {"reason": "<why>"}';
      return reply.code(400).send({ error: { code: 'INVALID_DECISION', param, message: `${message}; ${hint}` } });
    }
    const by = operatorOf(request);
    try {
      const taken = await decide(options.client, workflowId, decision as Decision, { by, ...parsed.data });
      request.log.info({ workflowId, decision, by }, 'operator decision taken');
      return reply.code(200).send({ accepted: true, ...taken });
    } catch (error) {
      return refuse(reply, error);
    }
  });
};
