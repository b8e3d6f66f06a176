import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  defineSignal,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  defineQuery,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActionResult, Activities } from '../activities/index.ts';
import { evaluate, evaluateCondition, eventContext, ExpressionError, renderTemplate, type ExpressionContext } from '../dsl/expressions.ts';
import type { ActionStep, ApprovalOutput, ApprovalStep, IfStep, Plan, PlanStep, WaitStep } from '../dsl/plan.ts';
import { positiveDuration } from '../dsl/durations.ts';
import { waitTarget } from '../dsl/time.ts';
import type { DeliveredEvent } from '../events/index.ts';
import { ACTION_ACTIVITIES } from './actions.ts';
import { completeEvent } from './enrichment.ts';
import { SEARCH_ATTRIBUTES, type RunStatus } from './search-attributes.ts';

export interface DefinitionRunInput {
  plan: Plan;
  /** A thin event (with `enrichment`) is completed from the HR system before any step runs. */
  event: DeliveredEvent;
}

export interface StepResult {
  id: string;
  kind: PlanStep['kind'];
  /** An action's outcome; `waited`; the branch an `if` took; an approval's decision. */
  outcome: ActionResult['outcome'] | 'failed' | 'waited' | 'then' | 'else' | 'approved' | 'rejected';
  openaiIds?: Record<string, string>;
  /** When a wait ended, ISO 8601. */
  until?: string;
  /** Who decided an approval, and why. */
  approval?: ApprovalOutput;
  error?: { type: string; message: string };
}

/** An operator's decision on a pending approval. `step` picks one approval when a run has several. */
export interface ApprovalDecision {
  by: string;
  reason?: string;
  step?: string;
}

export const approveSignal = defineSignal<[ApprovalDecision]>('approve');
export const rejectSignal = defineSignal<[ApprovalDecision]>('reject');

export interface DefinitionRunResult {
  workflowId: string;
  definition: string;
  version: string;
  status: Extract<RunStatus, 'done' | 'failed'>;
  steps: StepResult[];
  /** Why nothing ran: the enriched record did not match the definition's trigger. */
  skipped?: string;
}

export interface RunState {
  status: RunStatus;
  currentStep: string | null;
  steps: StepResult[];
}

export const statusQuery = defineQuery<RunState>('status');

const recorder = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record outcome',
});

function failureOf(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ACTIVITY_FAILED', message: cause.message };
  return { type: 'ACTIVITY_FAILED', message: (cause as Error)?.message ?? String(cause) };
}

/**
 * Interprets a frozen plan: each action step is an activity, each wait a durable timer.
 * Every action's outcome is recorded in the results store.
 */
export async function definitionRun({ plan, event: delivered }: DefinitionRunInput): Promise<DefinitionRunResult> {
  const { workflowId } = workflowInfo();
  const state: RunState = { status: 'running', currentStep: null, steps: [] };
  setHandler(statusQuery, () => state);

  const setStatus = (status: RunStatus) => {
    state.status = status;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: status }]);
  };
  // Decisions wait here until an approval step takes them, so one sent a moment early is not lost.
  const decisions: (ApprovalDecision & { approved: boolean })[] = [];
  const decide = (approved: boolean) => (decision: ApprovalDecision) => {
    if (typeof decision?.by !== 'string' || decision.by.trim() === '') {
      log.warn('approval decision ignored: it must say who decided (by)', { approved });
      return;
    }
    decisions.push({ ...decision, approved });
  };
  setHandler(approveSignal, decide(true));
  setHandler(rejectSignal, decide(false));

  // Enrichment seam: a thin delivery is read from the HR system, then its deferred trigger check runs.
  const completed = await completeEvent(plan, delivered).catch((error: unknown) => {
    setStatus('failed');
    throw error;
  });
  if (!completed.applies) {
    setStatus('done');
    setCurrentDetails(`Skipped: ${completed.reason}`);
    return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: [], skipped: completed.reason };
  }
  const event = completed.event;
  const outputs: ExpressionContext['steps'] = {};
  const context = (): ExpressionContext => eventContext(event, plan.vars ?? {}, outputs);


  const record = (
    step: { id: string; action: string },
    result: { outcome: ActionResult['outcome'] | 'failed' | 'approved' | 'rejected'; openaiIds?: Record<string, string> | undefined; error?: StepResult['error'] },
    target: string | null,
  ) =>
    recorder.recordOutcome({
      recordKey: `${workflowId}/${step.id}`,
      runId: workflowId,
      definition: plan.name,
      definitionHash: plan.hash,
      eventId: event.id,
      eventType: event.type,
      source: event.source,
      employeeId: event.employee.id,
      stepId: step.id,
      action: step.action,
      target,
      outcome: result.outcome,
      openaiIds: result.openaiIds ?? {},
      errorType: result.error?.type ?? null,
      errorMessage: result.error?.message ?? null,
    });

  async function runAction(step: ActionStep): Promise<StepResult> {
    let input: Record<string, unknown>;
    try {
      input = renderTemplate(step.with, context()) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      const failure = { type: 'EXPRESSION_FAILED', message: `step '${step.id}': ${error.message}` };
      await record(step, { outcome: 'failed', error: failure }, null);
      return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
    }
    // Offboarding finds the person by HR identity first (their email may have changed).
    if (step.action === 'openai.remove') input = { ...input, subject: { source: event.source, employeeId: event.employee.id } };
    if (step.action === 'record') {
      await record(step, { outcome: 'noop' }, null);
      return { id: step.id, kind: 'action', outcome: 'noop' };
    }
    // openai.awaitAcceptance polls by retrying (Temporal's infrequent-polling pattern): each
    // attempt is one look that fails INVITE_NOT_YET_ACCEPTED with a fixed next-retry delay,
    // so attempts are unlimited; the activity itself ends the wait at `with.timeout`, and a
    // schedule-to-close of that plus a day is the backstop should OpenAI stay down.
    const waitMs = step.action === 'openai.awaitAcceptance' && typeof input.timeout === 'string' ? positiveDuration(input.timeout) : undefined;
    const activities = proxyActivities<Activities>({
      startToCloseTimeout: step.timeoutMs,
      ...(waitMs !== undefined ? { scheduleToCloseTimeout: waitMs + 86_400_000 } : {}),
      retry: {
        ...(waitMs !== undefined ? {} : { maximumAttempts: step.retry.maximumAttempts }),
        initialInterval: '1s',
        backoffCoefficient: 2,
        maximumInterval: '1m',
      },
      summary: `${step.action} ${typeof input.email === 'string' ? input.email : (input.channel ?? '')}`.trim(),
    });
    const name = ACTION_ACTIVITIES[step.action];
    try {
      const result = await (activities[name] as (input: unknown) => Promise<ActionResult>)(input);
      outputs[step.id] = { output: result.output };
      await record(step, result, result.target);
      return { id: step.id, kind: 'action', outcome: result.outcome, openaiIds: result.openaiIds };
    } catch (error) {
      const failure = failureOf(error);
      const target = typeof input.email === 'string' ? input.email : null;
      await record(step, { outcome: 'failed', error: failure }, target);
      return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
    }
  }

  async function runWait(step: WaitStep): Promise<StepResult> {
    let target: number;
    if (step.durationMs !== undefined) target = Date.now() + step.durationMs;
    else {
      let until: unknown;
      try {
        until = evaluate(step.until as string, context());
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        throw ApplicationFailure.nonRetryable(`wait '${step.id}': ${error.message}`, 'EXPRESSION_FAILED');
      }
      if (typeof until !== 'string') {
        throw ApplicationFailure.nonRetryable(`wait '${step.id}': until gave ${JSON.stringify(until)}, not a date`, 'BAD_WAIT_TARGET');
      }
      const zone = step.timezone ?? event.employee.timezone ?? 'UTC';
      target = waitTarget(until, { zone, ...(step.offsetMs !== undefined ? { offsetMs: step.offsetMs } : {}), ...(step.at !== undefined ? { at: step.at } : {}) });
    }
    const remaining = target - Date.now();
    if (remaining > 0) {
      setStatus('waiting');
      await sleep(remaining, { summary: `${step.id}: until ${new Date(target).toISOString()}` });
      setStatus('running');
    }
    const until = new Date(Math.max(target, Date.now())).toISOString();
    outputs[step.id] = { output: { until } };
    return { id: step.id, kind: 'wait', outcome: 'waited', until };
  }

  async function runIf(step: IfStep): Promise<StepResult[]> {
    const result = evaluateCondition(step.condition, context());
    const branch = result ? 'then' : 'else';
    outputs[step.id] = { output: { branch, result } };
    const decided: StepResult = { id: step.id, kind: 'if', outcome: branch };
    state.steps.push(decided);
    return [decided, ...(await runSteps(result ? step.then : step.else))];
  }

  async function runApproval(step: ApprovalStep): Promise<StepResult> {
    const approvers = step.approvers.map((a) => renderTemplate(a, context()));
    const pending = () => decisions.findIndex((d) => d.step === undefined || d.step === step.id);
    setStatus('waiting');
    setCurrentDetails(
      `Waiting for approval **${step.id}** from ${approvers.join(', ')} until ${new Date(Date.now() + step.timeoutMs).toISOString()} ` +
        `(then: ${step.onTimeout}). Signal \`approve\` or \`reject\` with { by, reason }.` +
        (step.message ? `\n\n${String(renderTemplate(step.message, context()))}` : ''),
    );
    const decided = await condition(() => pending() >= 0, step.timeoutMs);
    setStatus('running');
    let output: ApprovalOutput;
    if (decided) {
      const [decision] = decisions.splice(pending(), 1) as [ApprovalDecision & { approved: boolean }];
      output = { approved: decision.approved, by: decision.by, reason: decision.reason ?? null, timedOut: false };
    } else {
      output = { approved: step.onTimeout === 'approve', by: null, reason: `no decision within ${step.timeoutMs} ms`, timedOut: true };
    }
    outputs[step.id] = { output };
    const outcome = output.approved ? 'approved' : 'rejected';
    // For approvals the audit row's target is who decided (or `timeout`): the auditor's "who approved this".
    await record({ id: step.id, action: 'approval' }, { outcome }, output.by ?? 'timeout');
    return { id: step.id, kind: 'approval', outcome, approval: output };
  }

  /** Runs steps in order; a failure that does not continue ends the run. Returns the results of these steps (branches flattened). */
  async function runSteps(steps: readonly PlanStep[]): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (const step of steps) {
      state.currentStep = step.id;
      setCurrentDetails(`Step **${step.id}** (${step.kind === 'action' ? step.action : step.kind}) of ${plan.name} v${plan.version}`);
      let result: StepResult | undefined;
      try {
        if (step.kind === 'if') {
          results.push(...(await runIf(step)));
          continue;
        }
        result = step.kind === 'action' ? await runAction(step) : step.kind === 'wait' ? await runWait(step) : await runApproval(step);
      } catch (error) {
        // A template or condition that fails on this event's data fails the step for good: retrying cannot fix it.
        if (!(error instanceof ExpressionError)) throw error;
        result = { id: step.id, kind: step.kind, outcome: 'failed', error: { type: 'BAD_EXPRESSION', message: error.message } };
        if (step.kind === 'action') await record(step, { outcome: 'failed', error: result.error }, null);
      }
      state.steps.push(result);
      results.push(result);
      if (result.outcome === 'failed' && !(step.kind === 'action' && step.continueOnError)) {
        setStatus('failed');
        log.warn('step failed', { step: step.id, error: result.error });
        throw ApplicationFailure.nonRetryable(
          `step '${step.id}' (${step.kind === 'action' ? step.action : step.kind}) failed: ${result.error?.message ?? 'unknown error'}`,
          result.error?.type ?? 'STEP_FAILED',
        );
      }
    }
    return results;
  }

  setStatus('running');
  await runSteps(plan.steps);
  state.currentStep = null;
  setStatus('done');
  setCurrentDetails(`Done: ${state.steps.map((s) => `${s.id} ${s.outcome}`).join(', ')}`);
  return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: state.steps };
}
