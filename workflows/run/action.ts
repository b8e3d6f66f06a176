import { ActivityFailure, ApplicationFailure, CancellationScope, CancelledFailure, ChildWorkflowFailure, executeChild, isCancellation, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { isPatched } from '../patches.ts';
import type { AwaitAcceptanceInput } from '../../activities/contract.ts';
import { acceptanceWorkflowId, awaitAcceptance, firstPauseMs } from '../acceptance.ts';
import type { ActionResult, Activities } from '../../activities/index.ts';
import { positiveDuration } from '../../dsl/durations.ts';
import { ExpressionError } from '../../dsl/expression-context.ts';
import { runEngine } from './engine.ts';
import { expressionFailureType } from './types.ts';
import type { ActionStep } from '../../dsl/plan.ts';
import type { StepResult } from '../messages.ts';
import type { DefinitionRun } from './run.ts';

function failureOf(error: unknown): { type: string; message: string } {
  const cause = error instanceof ActivityFailure || error instanceof ChildWorkflowFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ACTIVITY_FAILED', message: cause.message };
  return { type: 'ACTIVITY_FAILED', message: (cause as Error)?.message ?? String(cause) };
}

/**
 * An action step: its rendered `with:` goes to the activity its declaration names, on the
 * queue, with the lease and the cancellation it declares; the outcome is recorded either way.
 */
export async function runAction(run: DefinitionRun, step: ActionStep, key: string): Promise<StepResult> {
  const { delivered, lease } = run;
  const action = runEngine().ACTIONS[step.action];
  let input: Record<string, unknown>;
  try {
    const context = run.context();
    const escape: Readonly<Record<string, (text: string) => string>> = 'escape' in action && action.escape ? action.escape : {};
    input = Object.fromEntries(Object.entries(step.with).map(([field, value]) => [field, runEngine().renderTemplate(value, context, escape[field])]));
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    const failure = { type: expressionFailureType(error), message: `step '${step.id}': ${error.message}` };
    await run.audit(key, step, { outcome: 'failed', error: failure }, null);
    return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
  }
  if ('subject' in action && action.subject) input = { ...input, subject: { source: delivered.source, employeeId: delivered.employee.id } };
  if (action.activity === null) {
    await run.audit(key, step, { outcome: 'noop' }, null);
    return { id: step.id, kind: 'action', outcome: 'noop' };
  }
  const pollsFor = 'pollsFor' in action ? action.pollsFor : undefined;
  if (pollsFor !== undefined) await lease.pause();
  else if (action.lease) {
    await lease.acquire(() =>
      setCurrentDetails(`Step **${step.id}** (${step.action}) waits its turn: another run for ${delivered.employee.id} is doing an OpenAI action (one at a time per person).`),
    );
  }
  // A polling action polls by retrying (Temporal's infrequent-polling pattern): each attempt
  // is one look that fails with a fixed next-retry delay, so attempts are unlimited; the
  // activity itself ends the wait at `with.<pollsFor>`, and a schedule-to-close of that plus
  // a day is the backstop should OpenAI stay down.
  const pollFor = pollsFor !== undefined ? input[pollsFor] : undefined;
  const waitMs = typeof pollFor === 'string' ? positiveDuration(pollFor) : undefined;
  // Runs started before waiting was shown as waiting keep polling by retrying.
  if ('look' in action && action.look !== undefined && waitMs !== undefined && isPatched('acceptance-shown-as-waiting')) {
    return waitForAcceptance(run, step, key, input as AwaitAcceptanceInput, waitMs);
  }
  const activities = proxyActivities<Activities>({
    ...(action.openaiQueue && run.openaiQueue !== undefined ? { taskQueue: run.openaiQueue } : {}),
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
  const activity = activities[action.activity] as (input: unknown) => Promise<ActionResult>;
  const target = typeof input.email === 'string' ? input.email : null;
  const act = async (): Promise<StepResult> => {
    if (action.lease) lease.markActed();
    try {
      run.changing = action.lease;
      // The activity records its own success (`auditRow`); the run records a failure, or a success the activity could not.
      const result = await activity({ ...input, auditRow: run.auditRow(key, step) }).finally(() => {
        run.changing = false;
      });
      if (run.state.supersededBy && action.lease && isPatched('superseded-run-releases-lease')) await lease.releaseQuietly();
      run.outputs[step.id] = { output: result.output };
      // Results recorded before activities returned their identity change get it from the declaration.
      const identity = result.identity !== undefined ? result.identity : action.identity(result);
      if (result.recorded !== true) await run.audit(key, step, { ...result, identity }, result.target);
      return { id: step.id, kind: 'action', outcome: result.outcome, openaiIds: result.openaiIds };
    } catch (error) {
      if (isCancellation(error)) throw error;
      const failure = failureOf(error);
      await run.audit(key, step, { outcome: 'failed', error: failure }, target);
      return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
    }
  };
  // Once started, a change runs to its end and is recorded even if the run is superseded
  // meanwhile: cancelling it half-way would leave OpenAI's state unknown to the audit log.
  // A supersede (or cancel) that came before this step, even before the run's first workflow task, is honoured.
  if (!action.readOnly && run.body.consideredCancelled && isPatched('supersede-before-first-task')) throw new CancelledFailure('the run was superseded before this step started');
  return action.readOnly ? act() : CancellationScope.nonCancellable(act);
}

/**
 * `openai.awaitAcceptance` shown as waiting: one look here (an invite accepted already ends
 * the step at once), then the `awaitAcceptance` child workflow looks again after a minute,
 * backing off to OPENAI_ACCEPTANCE_POLL_MS, with a durable timer between looks. The run's
 * status is `waiting` meanwhile; a supersession cancels the wait (it only reads).
 */
async function waitForAcceptance(run: DefinitionRun, step: ActionStep, key: string, input: AwaitAcceptanceInput, waitMs: number): Promise<StepResult> {
  const action = runEngine().ACTIONS[step.action];
  const looker = proxyActivities<Activities>({
    ...(run.openaiQueue !== undefined ? { taskQueue: run.openaiQueue } : {}),
    startToCloseTimeout: step.timeoutMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: step.retry.maximumAttempts },
    summary: `look for ${input.email}'s acceptance`,
  });
  const look = { ...input, deadlineMs: Date.now() + waitMs };
  try {
    const first = await looker.openaiLookForAcceptance(look);
    let result: ActionResult;
    if (first.done) {
      result = first.done;
    } else {
      const pauseMs = firstPauseMs(first.maxPauseMs);
      run.setStatus('waiting');
      setCurrentDetails(
        `Step **${step.id}**: waiting for ${input.email} to accept the invite \`${first.waiting.inviteId}\` sent ${first.waiting.sentAt ?? '(time unknown)'}; ` +
          `next look at ${new Date(Date.now() + pauseMs).toISOString()}, then less often (up to every ${Math.round(first.maxPauseMs / 1000)} s), until ${new Date(look.deadlineMs).toISOString()}.`,
      );
      result = await executeChild(awaitAcceptance, {
        workflowId: acceptanceWorkflowId(run.workflowId, key),
        args: [{ look, invite: first.waiting, pauseMs, ...(run.openaiQueue !== undefined ? { taskQueue: run.openaiQueue } : {}) }],
        staticSummary: `Waiting for ${input.email} to accept the invite`,
      });
      run.setStatus('running');
    }
    run.outputs[step.id] = { output: result.output };
    const identity = result.identity !== undefined ? result.identity : action.identity(result);
    await run.audit(key, step, { ...result, identity }, result.target);
    return { id: step.id, kind: 'action', outcome: result.outcome, openaiIds: result.openaiIds };
  } catch (error) {
    if (isCancellation(error)) throw error;
    run.setStatus('running');
    const failure = failureOf(error);
    await run.audit(key, step, { outcome: 'failed', error: failure }, input.email);
    return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
  }
}
