import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import {
  DECISION_REFUSALS,
  DECISION_UPDATES,
  DECISIONS,
  RUN_STATUSES,
  SEARCH_ATTRIBUTES,
  statusQuery,
  type Decision,
  type DecisionRefusal,
  type DecisionTaken,
  type RunState,
  type RunStatus,
} from '../../workflows/shared.ts';

/**
 * What operators do to runs from outside, for `tenure runs|approve|reject|retry|skip|abort`
 * and the admin endpoints: list runs from Temporal visibility (Tenure's search
 * attributes), read a run's live state (its `status` query), and send decisions as
 * Temporal Updates — the run itself takes a decision or refuses it with a code, and that
 * answer is what the caller gets.
 */

/** Why an operation was refused; `status` is the HTTP status the admin endpoints answer with. */
export type RunOperationCode = DecisionRefusal | 'RUN_NOT_FOUND' | 'NOT_A_RUN' | 'INVALID_FILTER' | 'NO_WORKER' | 'TEMPORAL_UNAVAILABLE';

const STATUS_OF: Record<RunOperationCode, number> = {
  RUN_NOT_FOUND: 404,
  NOT_A_RUN: 409,
  RUN_CLOSED: 409,
  NOT_PARKED: 409,
  NOT_SKIPPABLE: 409,
  NO_PENDING_APPROVAL: 409,
  NOT_AN_APPROVER: 403,
  REASON_REQUIRED: 400,
  INVALID_FILTER: 400,
  INVALID_DECISION: 400,
  NO_WORKER: 503,
  TEMPORAL_UNAVAILABLE: 503,
};

export class RunOperationError extends Error {
  override readonly name = 'RunOperationError';
  readonly code: RunOperationCode;
  readonly status: number;

  constructor(code: RunOperationCode, message: string) {
    super(message);
    this.code = code;
    this.status = STATUS_OF[code];
  }
}

/** One run as visibility lists it. */
export interface RunSummary {
  workflowId: string;
  runId: string;
  /** Tenure's status (`TenureStatus`); null for a run started before it was set. */
  status: RunStatus | null;
  /** Temporal's own: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED… */
  execution: string;
  definition: string | null;
  definitionHash: string | null;
  employeeId: string | null;
  source: string | null;
  eventType: string | null;
  startTime: string;
  closeTime: string | null;
}

export interface RunFilter {
  employee?: string;
  status?: string;
  definition?: string;
  source?: string;
  /** Most runs returned, newest first. Default 100. */
  limit?: number;
}

/** Default and largest number of runs listed. */
export const RUNS_PAGE = { default: 100, max: 1000 } as const;

// Visibility queries take quoted literals; a value that could close the quote is refused, not escaped.
const SAFE_VALUE = /^[^'"\\\p{Cc}]{1,256}$/u;

/** The visibility query for a filter; throws INVALID_FILTER naming the bad field. */
export function runsQuery(filter: RunFilter): string {
  const clauses = [`WorkflowType = 'definitionRun'`];
  const add = (field: keyof RunFilter, attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    if (!SAFE_VALUE.test(value)) throw new RunOperationError('INVALID_FILTER', `${field}: 1 to 256 characters without quotes, backslashes or control characters`);
    clauses.push(`${attribute} = '${value}'`);
  };
  if (filter.status !== undefined && !(RUN_STATUSES as readonly string[]).includes(filter.status)) {
    throw new RunOperationError('INVALID_FILTER', `status: '${filter.status.slice(0, 40)}' is not a run status; use one of ${RUN_STATUSES.join(', ')}`);
  }
  add('employee', SEARCH_ATTRIBUTES.employeeId.name, filter.employee);
  add('status', SEARCH_ATTRIBUTES.status.name, filter.status);
  add('definition', SEARCH_ATTRIBUTES.definition.name, filter.definition);
  add('source', SEARCH_ATTRIBUTES.source.name, filter.source);
  return clauses.join(' AND ');
}

export function summarize(info: Omit<WorkflowExecutionInfo, 'raw'>): RunSummary {
  const attribute = <T>(key: { name: string }) => (info.typedSearchAttributes.get(key as never) as T | undefined) ?? null;
  return {
    workflowId: info.workflowId,
    runId: info.runId,
    status: attribute<RunStatus>(SEARCH_ATTRIBUTES.status),
    execution: info.status.name,
    definition: attribute<string>(SEARCH_ATTRIBUTES.definition),
    definitionHash: attribute<string>(SEARCH_ATTRIBUTES.definitionHash),
    employeeId: attribute<string>(SEARCH_ATTRIBUTES.employeeId),
    source: attribute<string>(SEARCH_ATTRIBUTES.source),
    eventType: attribute<string>(SEARCH_ATTRIBUTES.eventType),
    startTime: info.startTime.toISOString(),
    closeTime: info.closeTime?.toISOString() ?? null,
  };
}

/** gRPC UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED anywhere in the cause chain. */
function unavailable(error: unknown): boolean {
  for (let e = error as { code?: unknown; name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number' && [14, 4, 8].includes(e.code)) return true;
    if (e.name === 'TransportError' || /UNAVAILABLE|DEADLINE_EXCEEDED|ECONNREFUSED|failed to connect/i.test(e.message ?? '')) return true;
  }
  return false;
}

async function temporal<T>(client: Client, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + 10_000, fn);
  } catch (error) {
    if (error instanceof RunOperationError || error instanceof WorkflowNotFoundError) throw error;
    if (unavailable(error)) throw new RunOperationError('TEMPORAL_UNAVAILABLE', `Temporal did not answer while ${what}; is it running?`);
    throw error;
  }
}

const newestFirst = (a: RunSummary, b: RunSummary) => (a.startTime === b.startTime ? a.workflowId.localeCompare(b.workflowId) : a.startTime < b.startTime ? 1 : -1);

/**
 * Definition runs matching the filter, newest (latest started) first. Visibility cannot sort
 * on SQL stores (`ORDER BY` is refused), and lists open runs first, then closed ones by
 * close time, newest first; a run closes after it starts, so once the runs listed closed
 * before the `limit`-th newest start seen, none further down can be newer, and listing stops.
 */
export async function listRuns(client: Client, filter: RunFilter = {}): Promise<RunSummary[]> {
  const limit = filter.limit ?? RUNS_PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > RUNS_PAGE.max) throw new RunOperationError('INVALID_FILTER', `limit: a whole number from 1 to ${RUNS_PAGE.max}`);
  const query = runsQuery(filter);
  return temporal(client, 'listing runs', async () => {
    // The newest `limit` seen so far, newest first.
    const runs: RunSummary[] = [];
    for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      const run = summarize(info);
      const oldestKept = runs.length >= limit ? runs[limit - 1]!.startTime : null;
      if (oldestKept !== null && run.closeTime !== null && run.closeTime < oldestKept) break;
      if (oldestKept !== null && run.startTime <= oldestKept) continue;
      const at = runs.findIndex((r) => newestFirst(run, r) < 0);
      runs.splice(at === -1 ? runs.length : at, 0, run);
      if (runs.length > limit) runs.pop();
    }
    return runs;
  });
}

export interface RunDetails {
  run: RunSummary;
  /** The live state from the run's `status` query; null once the run has closed. */
  state: RunState | null;
}

/** A definition run's summary from Temporal (no worker needed); RUN_NOT_FOUND or NOT_A_RUN otherwise. */
async function lookUp(client: Client, workflowId: string): Promise<{ run: RunSummary }> {
  const handle = client.workflow.getHandle(workflowId);
  const info = await temporal(client, `looking up ${workflowId}`, () => handle.describe()).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) throw new RunOperationError('RUN_NOT_FOUND', `no run ${workflowId}: run ids look like <definition>/<employeeId>/<eventId>; \`tenure runs --employee <id>\` lists a person's runs`);
    throw error;
  });
  if (info.type !== 'definitionRun') {
    throw new RunOperationError('NOT_A_RUN', `${workflowId} is not a definition run (its workflow type is ${info.type}); \`tenure runs\` lists runs`);
  }
  return { run: summarize(info) };
}

/** A definition run's summary from Temporal, without asking the run (no worker needed); RUN_NOT_FOUND or NOT_A_RUN otherwise. */
export async function lookUpRun(client: Client, workflowId: string): Promise<RunSummary> {
  return (await lookUp(client, workflowId)).run;
}

/** A run's summary and, while it is open, its live state (which needs a worker to answer). */
export async function describeRun(client: Client, workflowId: string): Promise<RunDetails> {
  const handle = client.workflow.getHandle(workflowId);
  const { run } = await lookUp(client, workflowId);
  if (run.execution !== 'RUNNING') return { run, state: null };
  try {
    const state = await client.withDeadline(Date.now() + 5_000, () => handle.query(statusQuery));
    return { run, state };
  } catch (error) {
    if (unavailable(error) || /timeout|deadline|no poller/i.test((error as Error).message)) {
      throw new RunOperationError('NO_WORKER', `${workflowId} is open but no worker answered its status query; start a worker (\`tenure worker\`, or \`npm start\`)`);
    }
    throw error;
  }
}

export { DECISIONS, type Decision };

export interface DecisionInput {
  /** Who decides (the authenticated operator): recorded in the audit log. */
  by: string;
  /** Why: recorded in the audit log; required for skip and abort. */
  reason?: string;
  /** approve/reject: which approval, when the run has several. */
  step?: string;
}

/** How long a decision waits for the run's answer, ms. */
const DECISION_DEADLINE_MS = 10_000;

/** The run's refusal, when the update failed with one of its codes. */
function refusalOf(error: unknown): RunOperationError | undefined {
  if (!(error instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = error.cause;
  if (cause instanceof ApplicationFailure && (DECISION_REFUSALS as readonly string[]).includes(cause.type ?? '')) {
    return new RunOperationError(cause.type as DecisionRefusal, cause.message);
  }
  return undefined;
}

/**
 * Sends an operator's decision to a run as a Temporal Update and returns the run's answer:
 * the step it applies to, or the run's refusal (RUN_CLOSED, NO_PENDING_APPROVAL,
 * NOT_AN_APPROVER, NOT_PARKED, NOT_SKIPPABLE, REASON_REQUIRED, INVALID_DECISION) as a
 * {@link RunOperationError}. Only whether the id names an open run is looked up first.
 */
export async function decide(client: Client, workflowId: string, decision: Decision, input: DecisionInput): Promise<DecisionTaken & { workflowId: string }> {
  if (typeof input.by !== 'string' || input.by.trim() === '' || input.by.length > 256) {
    throw new RunOperationError('INVALID_DECISION', 'by: say who decides (1 to 256 characters); it is recorded in the audit log');
  }
  if (input.reason !== undefined && (typeof input.reason !== 'string' || input.reason.length > 1000)) {
    throw new RunOperationError('INVALID_DECISION', 'reason: text of at most 1000 characters');
  }
  const closed = (run: RunSummary) => new RunOperationError('RUN_CLOSED', `${workflowId} has ended (${run.execution.toLowerCase()}${run.status ? `, ${run.status}` : ''}); nothing to decide`);
  const { run } = await lookUp(client, workflowId);
  if (run.execution !== 'RUNNING') throw closed(run);
  const request = { by: input.by.trim(), ...(input.reason?.trim() ? { reason: input.reason.trim() } : {}), ...(input.step !== undefined ? { step: input.step } : {}) };
  const handle = client.workflow.getHandle(workflowId);
  try {
    const taken = await client.withDeadline(Date.now() + DECISION_DEADLINE_MS, () => handle.executeUpdate(DECISION_UPDATES[decision], { args: [request] }));
    return { workflowId, ...taken };
  } catch (error) {
    const refusal = refusalOf(error);
    if (refusal) throw refusal;
    // It ended between the look-up and the update.
    if (error instanceof WorkflowNotFoundError || /already completed/i.test((error as Error).message)) throw closed((await lookUp(client, workflowId)).run);
    if (unavailable(error)) {
      throw new RunOperationError(
        'NO_WORKER',
        `${workflowId} did not answer within ${DECISION_DEADLINE_MS / 1000} s: is a worker running (\`tenure worker\`, or \`npm start\`)? The decision may still apply once one is; \`tenure runs\` shows where the run stands`,
      );
    }
    throw error;
  }
}
