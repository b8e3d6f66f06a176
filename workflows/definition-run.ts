import {
  ActivityFailure,
  ApplicationFailure,
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
import { renderTemplate, evaluate, expressionContext, ExpressionError, type ExpressionContext } from '../dsl/expressions.ts';
import type { ActionStep, Plan, WaitStep } from '../dsl/plan.ts';
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
  kind: 'action' | 'wait';
  outcome: ActionResult['outcome'] | 'failed' | 'waited';
  openaiIds?: Record<string, string>;
  /** When a wait ended, ISO 8601. */
  until?: string;
  error?: { type: string; message: string };
}

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
  const context = (): ExpressionContext => expressionContext(event, outputs);

  const record = (step: ActionStep, result: Pick<StepResult, 'outcome' | 'openaiIds' | 'error'>, target: string | null) =>
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
      outcome: result.outcome === 'waited' ? 'noop' : result.outcome,
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
    return { id: step.id, kind: 'wait', outcome: 'waited', until: new Date(Math.max(target, Date.now())).toISOString() };
  }

  setStatus('running');
  for (const step of plan.steps) {
    state.currentStep = step.id;
    setCurrentDetails(`Step **${step.id}** (${step.kind === 'action' ? step.action : 'wait'}) of ${plan.name} v${plan.version}`);
    const result = step.kind === 'action' ? await runAction(step) : await runWait(step);
    state.steps.push(result);
    if (result.outcome === 'failed' && step.kind === 'action' && !step.continueOnError) {
      setStatus('failed');
      log.warn('step failed', { step: step.id, error: result.error });
      throw ApplicationFailure.nonRetryable(
        `step '${step.id}' (${step.action}) failed: ${result.error?.message ?? 'unknown error'}`,
        result.error?.type ?? 'STEP_FAILED',
      );
    }
  }
  state.currentStep = null;
  setStatus('done');
  setCurrentDetails(`Done: ${state.steps.map((s) => `${s.id} ${s.outcome}`).join(', ')}`);
  return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: state.steps };
}
