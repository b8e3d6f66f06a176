import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import {
  abortSignal,
  approveSignal,
  rejectSignal,
  retrySignal,
  RUN_STATUSES,
  SEARCH_ATTRIBUTES,
  skipSignal,
  statusQuery,
  type RunState,
  type RunStatus,
} from '../../workflows/shared.ts';

/**
 * What operators do to runs from outside, for `tenure runs|approve|reject|retry|skip|abort`
 * and the admin endpoints: list runs from Temporal visibility (Tenure's search
 * attributes), read a run's live state (its `status` query), and send decisions — each
 * checked first, so a decision that cannot apply is refused with a reason instead of
 * being signalled into a run that ignores it.
 */

/** Why an operation was refused; `status` is the HTTP status the admin endpoints answer with. */
export type RunOperationCode =
  | 'RUN_NOT_FOUND'
  | 'NOT_A_RUN'
  | 'RUN_CLOSED'
  | 'NOT_PARKED'
  | 'NOT_SKIPPABLE'
  | 'NO_PENDING_APPROVAL'
  | 'INVALID_FILTER'
  | 'INVALID_DECISION'
  | 'NO_WORKER'
  | 'TEMPORAL_UNAVAILABLE';

const STATUS_OF: Record<RunOperationCode, number> = {
  RUN_NOT_FOUND: 404,
  NOT_A_RUN: 409,
  RUN_CLOSED: 409,
  NOT_PARKED: 409,
  NOT_SKIPPABLE: 409,
  NO_PENDING_APPROVAL: 409,
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

/** Definition runs matching the filter, newest first. */
export async function listRuns(client: Client, filter: RunFilter = {}): Promise<RunSummary[]> {
  const limit = filter.limit ?? RUNS_PAGE.default;
  if (!Number.isInteger(limit) || limit < 1 || limit > RUNS_PAGE.max) throw new RunOperationError('INVALID_FILTER', `limit: a whole number from 1 to ${RUNS_PAGE.max}`);
  const query = runsQuery(filter);
  return temporal(client, 'listing runs', async () => {
    const runs: RunSummary[] = [];
    for await (const info of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      runs.push(summarize(info));
      if (runs.length >= limit) break;
    }
    return runs;
  });
}

export interface RunDetails {
  run: RunSummary;
  /** The live state from the run's `status` query; null once the run has closed. */
  state: RunState | null;
}

/** A run's summary and, while it is open, its live state (which needs a worker to answer). */
export async function describeRun(client: Client, workflowId: string): Promise<RunDetails> {
  const handle = client.workflow.getHandle(workflowId);
  const info = await temporal(client, `looking up ${workflowId}`, () => handle.describe()).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) throw new RunOperationError('RUN_NOT_FOUND', `no run ${workflowId}: run ids look like <definition>/<employeeId>/<eventId>; \`tenure runs --employee <id>\` lists a person's runs`);
    throw error;
  });
  if (info.type !== 'definitionRun') {
    throw new RunOperationError('NOT_A_RUN', `${workflowId} is not a definition run (its workflow type is ${info.type}); \`tenure runs\` lists runs`);
  }
  const run = summarize(info);
  if (info.status.name !== 'RUNNING') return { run, state: null };
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

export const DECISIONS = ['approve', 'reject', 'retry', 'skip', 'abort'] as const;
export type Decision = (typeof DECISIONS)[number];

export interface DecisionInput {
  /** Who decides: shown in the audit log. */
  by: string;
  reason?: string;
  /** approve/reject: which approval, when the run has several. */
  step?: string;
}

const SIGNALS = { approve: approveSignal, reject: rejectSignal, retry: retrySignal, skip: skipSignal, abort: abortSignal } as const;

/**
 * Sends an operator's decision to a run, after checking that it can apply: the run is
 * open, and parked (retry, skip, abort; skip only where allowed) or waiting for an
 * approval (approve, reject). Resolves once Temporal has the signal.
 */
export async function decide(client: Client, workflowId: string, decision: Decision, input: DecisionInput): Promise<{ workflowId: string; decision: Decision; step: string }> {
  if (typeof input.by !== 'string' || input.by.trim() === '' || input.by.length > 256) {
    throw new RunOperationError('INVALID_DECISION', 'by: say who decides (1 to 256 characters); it is recorded in the audit log');
  }
  if (input.reason !== undefined && (typeof input.reason !== 'string' || input.reason.length > 1000)) {
    throw new RunOperationError('INVALID_DECISION', 'reason: text of at most 1000 characters');
  }
  const { run, state } = await describeRun(client, workflowId);
  if (!state) throw new RunOperationError('RUN_CLOSED', `${workflowId} has ended (${run.execution.toLowerCase()}${run.status ? `, ${run.status}` : ''}); nothing to decide`);
  let step: string;
  if (decision === 'approve' || decision === 'reject') {
    const pending = state.awaitingApproval;
    if (!pending) throw new RunOperationError('NO_PENDING_APPROVAL', `${workflowId} is not waiting for an approval (status ${state.status}, step ${state.currentStep ?? '-'})`);
    if (input.step !== undefined && input.step !== pending.step) {
      throw new RunOperationError('NO_PENDING_APPROVAL', `${workflowId} is waiting for approval '${pending.step}', not '${input.step}'`);
    }
    step = pending.step;
  } else {
    const attention = state.attention;
    if (!attention) throw new RunOperationError('NOT_PARKED', `${workflowId} is not waiting for an operator (status ${state.status}); retry, skip and abort apply to runs that need attention`);
    if (decision === 'skip' && !attention.skippable) throw new RunOperationError('NOT_SKIPPABLE', `step '${attention.step}' of ${workflowId} cannot be skipped (nothing can run without it); retry it or abort the run`);
    step = attention.step;
  }
  const payload = { by: input.by.trim(), ...(input.reason ? { reason: input.reason } : {}), ...(decision === 'approve' || decision === 'reject' ? { step } : {}) };
  await temporal(client, `signalling ${workflowId}`, () => client.workflow.getHandle(workflowId).signal(SIGNALS[decision], payload));
  return { workflowId, decision, step };
}
