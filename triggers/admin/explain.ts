import { ApplicationFailure, WorkflowFailedError, type Client } from '@temporalio/client';
import { maskEmail, maskEmails } from '../../logging/index.ts';
import type { AuditEntry, EmailReader } from '../../store/index.ts';
import { statusQuery, type Attention, type Decision, type RunState, type StepResult, type Supersession } from '../../workflows/shared.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { describeRun, listRuns, lookUpRun, RunOperationError, type RunFilter, type RunSummary } from './operations.ts';

/**
 * What a run is doing and what an operator can do about it, for `tenure runs show`,
 * `tenure runs` and `GET /admin/runs[/<id>]`: its steps and their outcomes, what it waits
 * for and until when, why it is parked and the exact commands that go on, how a closed run
 * ended, and its page in the Temporal Web UI.
 *
 * Where it comes from: an open run answers its `status` query (a worker must be running);
 * a completed run's result holds its steps; a failed, cancelled or terminated run has no
 * result, so its failure comes from Temporal and its steps from the audit log.
 *
 *   const explained = await explainRun(client, 'onboard-openai/E-1001/evt_1', { uiUrl, namespace, audit: store });
 */

/** What an open run waits for: a wait step's date, or an approval's approvers and deadline. */
export type Waiting = { kind: 'wait'; step: string | null; until: string } | { kind: 'approval'; step: string; approvers: string[]; until: string };

/** One step as a person reads it. */
export interface ExplainedStep {
  id: string;
  /** `wait`, `if`, `approval`, `enrichment`, or the action (`openai.invite`…). */
  kind: string;
  /** `created`, `noop`, `waited`, `then`, `approved`, `skipped`, `failed`… */
  outcome: string;
  /** What else there is to say: a wait's date, who decided, the failure, who skipped it. */
  detail: string | null;
}

/** A command that decides for the run, as an operator types it. */
export interface Fix {
  decision: Decision;
  command: string;
}

export interface RunExplanation {
  run: RunSummary;
  /** The live state from the run's `status` query; null once closed, or when no worker answered. */
  state: RunState | null;
  /** Where `steps` come from: the status query, the closed run's result, the audit log, or nowhere. */
  stepsFrom: 'status' | 'result' | 'audit' | 'none';
  steps: ExplainedStep[];
  currentStep: string | null;
  waiting: Waiting | null;
  /** Why the run is parked (`needs-attention`). */
  attention: Attention | null;
  /** The commands that decide what the run waits for: an approval, or a parked step. */
  fixes: Fix[];
  /** How a closed run ended; null while open. */
  ended: { execution: string; status: string | null; failure: { type: string; message: string } | null; skipped: string | null; supersededBy: Supersession | null } | null;
  /** Set when an open run's status query had no answer (no worker). */
  unanswered: string | null;
  temporalUi: string;
}

export interface ExplainOptions {
  /** The Temporal Web UI's base URL (TENURE_TEMPORAL_UI_URL), e.g. http://127.0.0.1:8233. */
  uiUrl: string;
  namespace: string;
  /** The audit log, for the steps of a run that closed without a result. */
  audit?: { audit(query: { runId: string }): Promise<AuditEntry[]> };
}

/** The run's page in the Temporal Web UI. */
export function temporalUiLink(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A shell word: as it is when safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The commands that decide what the run waits for. */
export function fixesFor(workflowId: string, state: Pick<RunState, 'attention' | 'awaitingApproval'> | null): Fix[] {
  const id = shellWord(workflowId);
  const fixes: Fix[] = [];
  if (state?.awaitingApproval) {
    const { step, approvers } = state.awaitingApproval;
    const as = approvers.length === 1 ? shellWord(approvers[0]!) : '<approver>';
    fixes.push({ decision: 'approve', command: `tenure approve ${id} --step ${shellWord(step)} --as ${as} --reason '<why>'` });
    fixes.push({ decision: 'reject', command: `tenure reject ${id} --step ${shellWord(step)} --as ${as} --reason '<why>'` });
  }
  if (state?.attention) {
    fixes.push({ decision: 'retry', command: `tenure retry ${id} --reason '<why>'` });
    if (state.attention.skippable) fixes.push({ decision: 'skip', command: `tenure skip ${id} --reason '<why>'` });
    fixes.push({ decision: 'abort', command: `tenure abort ${id} --reason '<why>'` });
  }
  return fixes;
}

/** What a run waits for, from its state. */
export function waitingOf(state: Pick<RunState, 'awaitingApproval' | 'waitingUntil' | 'currentStep'> | null): Waiting | null {
  if (state?.awaitingApproval) return { kind: 'approval', ...state.awaitingApproval };
  if (state?.waitingUntil) return { kind: 'wait', step: state.currentStep, until: state.waitingUntil };
  return null;
}

function stepOfResult(step: StepResult): ExplainedStep {
  const parts: string[] = [];
  if (step.until) parts.push(`until ${step.until}`);
  if (step.approval) {
    const { by, reason, timedOut } = step.approval;
    parts.push(timedOut ? 'decided by the timeout' : `by ${by ?? '?'}${reason ? ` (${reason})` : ''}`);
  }
  if (step.error) parts.push(`${step.error.type}: ${maskEmails(step.error.message)}`);
  if (step.attempts && step.attempts > 1) parts.push(`${step.attempts} tries`);
  if (step.skippedBy) parts.push(`skipped by ${step.skippedBy.by}${step.skippedBy.reason ? ` (${step.skippedBy.reason})` : ''}`);
  const ids = Object.entries(step.openaiIds ?? {}).map(([k, v]) => `${k}=${v}`);
  if (ids.length > 0) parts.push(ids.join(' '));
  return { id: step.id, kind: step.kind, outcome: step.outcome, detail: parts.length > 0 ? parts.join('; ') : null };
}

function stepOfAudit(entry: AuditEntry): ExplainedStep {
  const parts: string[] = [];
  if (entry.actor) parts.push(`by ${entry.actor}${entry.reason ? ` (${entry.reason})` : ''}`);
  else if (entry.reason) parts.push(entry.reason);
  if (entry.errorType) parts.push(`${entry.errorType}: ${maskEmails(entry.errorMessage ?? '')}`);
  const ids = Object.entries(entry.openaiIds).map(([k, v]) => `${k}=${v}`);
  if (ids.length > 0) parts.push(ids.join(' '));
  return { id: entry.stepId, kind: entry.action, outcome: entry.outcome, detail: parts.length > 0 ? parts.join('; ') : null };
}

/** The failure a closed run ended with, from Temporal (no worker needed). */
async function endOf(client: Client, run: RunSummary): Promise<{ result: DefinitionRunResult | null; failure: { type: string; message: string } | null }> {
  try {
    const result = await client.withDeadline(Date.now() + 10_000, () => client.workflow.getHandle(run.workflowId, run.runId).result());
    return { result: result as DefinitionRunResult, failure: null };
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    const type = cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : (cause?.name ?? run.execution);
    return { result: null, failure: { type, message: maskEmails(cause?.message ?? error.message) } };
  }
}

/**
 * Explains one run (see the module's comment). RUN_NOT_FOUND or NOT_A_RUN as
 * {@link describeRun}; an open run whose status query has no answer is explained from
 * its summary, with `unanswered` saying why.
 */
export async function explainRun(client: Client, workflowId: string, options: ExplainOptions): Promise<RunExplanation> {
  let run: RunSummary;
  let state: RunState | null = null;
  let unanswered: string | null = null;
  try {
    ({ run, state } = await describeRun(client, workflowId));
  } catch (error) {
    if (!(error instanceof RunOperationError && error.code === 'NO_WORKER')) throw error;
    run = await lookUpRun(client, workflowId);
    unanswered = error.message;
  }
  const base = { run, state, unanswered, temporalUi: temporalUiLink(options.uiUrl, options.namespace, workflowId) };
  const fromAudit = async (): Promise<ExplainedStep[] | null> => (options.audit ? (await options.audit.audit({ runId: workflowId })).map(stepOfAudit) : null);

  if (run.execution === 'RUNNING') {
    if (state) {
      return {
        ...base,
        stepsFrom: 'status',
        steps: state.steps.map(stepOfResult),
        currentStep: state.currentStep,
        waiting: waitingOf(state),
        attention: state.attention,
        fixes: fixesFor(workflowId, state),
        ended: null,
      };
    }
    const steps = await fromAudit();
    return { ...base, stepsFrom: steps ? 'audit' : 'none', steps: steps ?? [], currentStep: null, waiting: null, attention: null, fixes: [], ended: null };
  }

  const { result, failure } = await endOf(client, run);
  const ended = {
    execution: run.execution,
    status: result?.status ?? run.status,
    failure,
    skipped: result?.skipped ?? null,
    supersededBy: result?.supersededBy ?? null,
  };
  if (result) return { ...base, stepsFrom: 'result', steps: result.steps.map(stepOfResult), currentStep: null, waiting: null, attention: null, fixes: [], ended };
  const steps = await fromAudit();
  return { ...base, stepsFrom: steps ? 'audit' : 'none', steps: steps ?? [], currentStep: null, waiting: null, attention: null, fixes: [], ended };
}

/** One run of a list, with what it waits for or why it is parked, and whose it is. */
export interface RunOverview extends RunSummary {
  /** The person's email from the identity map, masked (`a•••@example.com`); null when unknown or the store was not asked. */
  email: string | null;
  currentStep: string | null;
  /** A wait step's date, or an approval's deadline. */
  waitingUntil: string | null;
  waiting: Waiting | null;
  attention: Attention | null;
  /**
   * Where the last four came from: `status` (the run's status query: asked of open runs
   * that are waiting or parked), `unanswered` (no answer before the deadline: no worker,
   * or too many runs), `not-asked` (any other run).
   */
  detail: 'status' | 'unanswered' | 'not-asked';
}

export interface OverviewOptions {
  /** The identity map, for the people's emails; without it, `email` is null. */
  emails?: EmailReader;
  /** Status queries in flight at once. Default 4. */
  concurrency?: number;
  /** When to stop asking runs and answer with what is known, ms from the call. Default 5000. */
  deadlineMs?: number;
}

/**
 * {@link listRuns} with each run's email, what it waits for and why it is parked. Only the
 * open runs whose TenureStatus is `waiting` or `needs-attention` are asked (their status
 * query, a few at a time, all within one deadline): the others have nothing to tell that
 * visibility does not. `problems` says what could not be read (the store, the queries).
 */
export async function overviewRuns(client: Client, filter: RunFilter = {}, options: OverviewOptions = {}): Promise<{ runs: RunOverview[]; problems: string[] }> {
  const runs = await listRuns(client, filter);
  const problems: string[] = [];
  const deadline = Date.now() + (options.deadlineMs ?? 5_000);

  const emails = new Map<string, string>();
  if (options.emails) {
    const people = runs.flatMap((r) => (r.source !== null && r.employeeId !== null ? [{ source: r.source, employeeId: r.employeeId }] : []));
    try {
      for (const [key, email] of await options.emails.emailsOf(people)) emails.set(key, maskEmail(email));
    } catch (error) {
      problems.push(`emails not shown: ${(error as Error).message}`);
    }
  }

  const asked = runs.filter((r) => r.execution === 'RUNNING' && (r.status === 'waiting' || r.status === 'needs-attention'));
  const states = new Map<string, RunState | null>();
  let next = 0;
  const askNext = async (): Promise<void> => {
    while (next < asked.length) {
      const run = asked[next++]!;
      if (Date.now() >= deadline) {
        states.set(run.workflowId, null);
        continue;
      }
      try {
        states.set(run.workflowId, await client.withDeadline(deadline, () => client.workflow.getHandle(run.workflowId, run.runId).query(statusQuery)));
      } catch {
        states.set(run.workflowId, null);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, asked.length) }, askNext));
  const unanswered = [...states.values()].filter((s) => s === null).length;
  if (unanswered > 0) problems.push(`${unanswered} of ${asked.length} waiting or parked run(s) did not answer their status query in time (is a worker running?): their step and reason are not shown`);

  return {
    runs: runs.map((run) => {
      const state = states.get(run.workflowId);
      const waiting = waitingOf(state ?? null);
      return {
        ...run,
        email: run.source !== null && run.employeeId !== null ? (emails.get(`${run.source}/${run.employeeId}`) ?? null) : null,
        currentStep: state?.currentStep ?? null,
        waitingUntil: waiting?.until ?? null,
        waiting,
        attention: state?.attention ?? null,
        detail: state === undefined ? 'not-asked' : state === null ? 'unanswered' : 'status',
      };
    }),
    problems,
  };
}
