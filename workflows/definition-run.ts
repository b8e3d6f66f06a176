import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActionResult, Activities } from '../activities/index.ts';
import { evaluate, evaluateCondition, eventContext, ExpressionError, renderTemplate, type ExpressionContext } from '../dsl/expressions.ts';
import type { ActionStep, ApprovalOutput, ApprovalStep, IfStep, Plan, PlanStep, WaitStep } from '../dsl/plan.ts';
import { positiveDuration } from '../dsl/durations.ts';
import { waitTarget } from '../dsl/time.ts';
import type { DeliveredEvent, HrEvent } from '../events/index.ts';
import { ACTION_ACTIVITIES } from './actions.ts';
import { completeEvent, type Completed } from './enrichment.ts';
import { runLease, type LeaseSource } from './lease.ts';
import {
  approveSignal,
  employeeChangedSignal,
  OPERATOR_ACTIONS,
  OPERATOR_SIGNALS,
  rejectSignal,
  statusQuery,
  supersedeSignal,
  type ApprovalDecision,
  type Attention,
  type OperatorAction,
  type OperatorDecision,
  type RunState,
  type StepResult,
  type Supersession,
} from './messages.ts';
import { SEARCH_ATTRIBUTES, type RunStatus } from './search-attributes.ts';

export type { ApprovalDecision, RunState, StepResult } from './messages.ts';
export { approveSignal, rejectSignal, statusQuery } from './messages.ts';

export interface DefinitionRunInput {
  plan: Plan;
  /** A thin event (with `enrichment`) is completed from the HR system before any step runs. */
  event: DeliveredEvent;
  /** The person's entity workflow, when it started this run: OpenAI actions then take its per-person lease. */
  entity?: LeaseSource;
  /** Task queue of the OpenAI actions (the rate-limited one). Default: the run's own task queue. */
  openaiTaskQueue?: string;
}

export interface DefinitionRunResult {
  workflowId: string;
  definition: string;
  version: string;
  /** `failed` runs end as failed workflows instead of returning. */
  status: Extract<RunStatus, 'done' | 'superseded'>;
  steps: StepResult[];
  /** Why nothing ran: the enriched record did not match the definition's trigger. */
  skipped?: string;
  /** The newer event that made the run moot. */
  supersededBy?: Supersession;
}

/**
 * Stable codes the engine writes (audit `errorType`, failure `type`): a run aborted by an
 * operator, a template or condition that failed on the event's data, a wait whose date
 * is not a date, a run superseded by a newer event (or an event older than one already
 * applied), a run cancelled from outside.
 */
export type EngineFailureType = 'RUN_ABORTED' | 'EXPRESSION_FAILED' | 'BAD_EXPRESSION' | 'BAD_WAIT_TARGET' | 'SUPERSEDED' | 'STALE_EVENT' | 'CANCELLED';

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

const iso = (ms: number) => new Date(ms).toISOString();
const isThin = (event: DeliveredEvent) => 'enrichment' in event && event.enrichment !== undefined;

/**
 * Interprets a frozen plan: each action step is an activity, each wait a durable timer,
 * each approval a wait for a signal. Every action's outcome is recorded in the results
 * store. A step that fails for good parks the run as `needs-attention` until an
 * operator retries the step, skips it or aborts the run; earlier steps are never redone.
 * A `supersede` signal from the person's entity workflow stops the run cleanly.
 */
export async function definitionRun(input: DefinitionRunInput): Promise<DefinitionRunResult> {
  const { plan } = input;
  const openaiQueue = input.openaiTaskQueue;
  const { workflowId, typedSearchAttributes } = workflowInfo();
  const delivered = input.event;
  const state: RunState = {
    status: 'running',
    definition: plan.name,
    version: plan.version,
    employeeId: delivered.employee.id,
    eventType: delivered.type,
    eventId: delivered.id,
    currentStep: null,
    steps: [],
    attention: null,
    waitingUntil: null,
    awaitingApproval: null,
    supersededBy: null,
    employeeUpdatedBy: null,
  };
  setHandler(statusQuery, () => state);
  const lease = runLease(input.entity, workflowId);

  // The entity sets the attributes at start; a run started any other way sets them itself.
  let shownStatus = typedSearchAttributes.get(SEARCH_ATTRIBUTES.status);
  if (typedSearchAttributes.get(SEARCH_ATTRIBUTES.definition) === undefined) {
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.employeeId, value: delivered.employee.id },
      { key: SEARCH_ATTRIBUTES.source, value: delivered.source },
      { key: SEARCH_ATTRIBUTES.eventType, value: delivered.type },
      { key: SEARCH_ATTRIBUTES.definition, value: plan.name },
      { key: SEARCH_ATTRIBUTES.definitionHash, value: plan.hash },
      { key: SEARCH_ATTRIBUTES.status, value: state.status },
    ]);
    shownStatus = state.status;
  }
  const setStatus = (status: RunStatus) => {
    state.status = status;
    if (shownStatus === status) return;
    shownStatus = status;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: status }]);
  };

  // Approval decisions wait here until an approval step takes them, so one sent a moment early is not lost.
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

  // Operator decisions count only while the run is parked: a stale `retry` must not apply to a later failure.
  let operatorDecision: ({ action: OperatorAction } & OperatorDecision) | undefined;
  for (const action of OPERATOR_ACTIONS) {
    setHandler(OPERATOR_SIGNALS[action], (decision: OperatorDecision) => {
      if (typeof decision?.by !== 'string' || decision.by.trim() === '') return log.warn(`'${action}' ignored: it must say who decided (by)`);
      if (!state.attention) return log.warn(`'${action}' ignored: the run is not waiting for an operator`, { status: state.status });
      if (action === 'skip' && !state.attention.skippable) return log.warn(`'skip' ignored: step '${state.attention.step}' cannot be skipped`);
      if (operatorDecision) return log.warn(`'${action}' ignored: '${operatorDecision.action}' by ${operatorDecision.by} came first`);
      operatorDecision = { action, by: decision.by, ...(decision.reason !== undefined ? { reason: String(decision.reason) } : {}) };
    });
  }

  // A newer HR record (a moved start date, a new end date) reaches the steps still to run,
  // even one sent before the run's first step (it may arrive in the same activation as the start).
  let event: HrEvent | undefined = isThin(delivered) ? undefined : (delivered as HrEvent);
  let recordAt = Date.parse(delivered.occurredAt);
  let recordVersion = 0;
  setHandler(employeeChangedSignal, (change) => {
    // A thin event's record is read fresh from the HR system when the run starts: newer than any change sent before.
    if (!event || Date.parse(change.occurredAt) <= recordAt) return;
    recordAt = Date.parse(change.occurredAt);
    event = { ...event, employee: change.employee };
    recordVersion++;
    state.employeeUpdatedBy = change.eventId;
    log.info('newer HR record received', { eventId: change.eventId });
  });

  const body = new CancellationScope();
  let finished = false;
  setHandler(supersedeSignal, (supersession) => {
    if (finished || state.supersededBy) return;
    state.supersededBy = supersession;
    body.cancel();
  });

  const outputs: ExpressionContext['steps'] = {};
  const context = (): ExpressionContext => eventContext(event as HrEvent, plan.vars ?? {}, outputs);
  const emailOf = () => (event ?? delivered).employee.email ?? null;

  const audit = (
    key: string,
    step: { id: string; action: string },
    result: { outcome: ActionResult['outcome'] | 'failed' | 'approved' | 'rejected' | 'superseded'; openaiIds?: Record<string, string> | undefined; error?: StepResult['error'] },
    target: string | null,
    actor?: string,
  ) =>
    recorder.recordOutcome({
      recordKey: `${workflowId}/${key}`,
      runId: workflowId,
      definition: plan.name,
      definitionHash: plan.hash,
      eventId: delivered.id,
      eventType: (event ?? delivered).type,
      source: delivered.source,
      employeeId: delivered.employee.id,
      stepId: step.id,
      action: step.action,
      target,
      outcome: result.outcome,
      openaiIds: result.openaiIds ?? {},
      errorType: result.error?.type ?? null,
      errorMessage: result.error?.message ?? null,
      ...(actor !== undefined ? { actor } : {}),
    });

  /**
   * Parks the run until an operator decides. Resolves with `retry` or `skip` (both
   * recorded); `abort` is recorded and ends the run as failed with RUN_ABORTED, whose
   * cause is the step's own failure.
   */
  async function park(step: { id: string; kind: Attention['kind']; action: string }, error: { type: string; message: string }, attempts: number, skippable: boolean): Promise<{ action: 'retry' | 'skip' } & OperatorDecision> {
    await lease.release();
    state.attention = { step: step.id, kind: step.kind, error, since: iso(Date.now()), attempts, skippable };
    setStatus('needs-attention');
    log.warn('run needs attention', { step: step.id, error });
    setCurrentDetails(
      `**Needs attention**: step **${step.id}** (${step.action}) failed with \`${error.type}\`: ${error.message}\n\n` +
        `Fix the cause, then retry the step${skippable ? ', skip it' : ''} or abort the run: ` +
        `\`tenure retry|${skippable ? 'skip|' : ''}abort ${workflowId} --reason "…"\` (signals \`retry\`${skippable ? ', `skip`' : ''}, \`abort\` with { by, reason }).`,
    );
    await condition(() => operatorDecision !== undefined);
    const decision = operatorDecision as { action: OperatorAction } & OperatorDecision;
    operatorDecision = undefined;
    state.attention = null;
    const why = `${decision.action} by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}; step '${step.id}' had failed with ${error.type}: ${error.message}`;
    await audit(`${step.id}/${decision.action}-${attempts}`, { id: step.id, action: decision.action }, { outcome: decision.action === 'abort' ? 'failed' : 'noop', error: { type: error.type, message: why } }, emailOf(), decision.by);
    if (decision.action === 'abort') {
      setStatus('failed');
      throw ApplicationFailure.create({
        type: 'RUN_ABORTED' satisfies EngineFailureType,
        nonRetryable: true,
        message: `aborted by ${decision.by}${decision.reason ? ` (${decision.reason})` : ''} after step '${step.id}' failed with ${error.type}`,
        cause: ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true }),
        details: [{ step: step.id, by: decision.by, reason: decision.reason ?? null }],
      });
    }
    log.info(`operator chose ${decision.action}`, { step: step.id, by: decision.by });
    setStatus('running');
    return decision as { action: 'retry' | 'skip' } & OperatorDecision;
  }

  // Enrichment seam: a thin delivery is read from the HR system, then its deferred trigger check runs.
  async function enrich(): Promise<Completed> {
    if (!isThin(delivered)) return completeEvent(plan, delivered);
    await lease.release();
    for (let attempt = 1; ; attempt++) {
      try {
        return await completeEvent(plan, delivered);
      } catch (error) {
        if (!(error instanceof ApplicationFailure)) throw error;
        await park({ id: 'enrich', kind: 'enrichment', action: 'enrichment' }, { type: error.type ?? 'ENRICHMENT_FAILED', message: error.message }, attempt, false);
      }
    }
  }

  async function runAction(step: ActionStep, key: string): Promise<StepResult> {
    let input: Record<string, unknown>;
    try {
      input = renderTemplate(step.with, context()) as Record<string, unknown>;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      const failure = { type: 'EXPRESSION_FAILED' satisfies EngineFailureType, message: `step '${step.id}': ${error.message}` };
      await audit(key, step, { outcome: 'failed', error: failure }, null);
      return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
    }
    // Offboarding finds the person by HR identity first (their email may have changed).
    if (step.action === 'openai.remove') input = { ...input, subject: { source: delivered.source, employeeId: delivered.employee.id } };
    if (step.action === 'record') {
      await audit(key, step, { outcome: 'noop' }, null);
      return { id: step.id, kind: 'action', outcome: 'noop' };
    }
    const openai = step.action.startsWith('openai.');
    // Waiting for acceptance only reads, for up to weeks: it neither takes the person's lease
    // nor holds off a supersession (cancelling a look changes nothing at OpenAI).
    const readOnly = step.action === 'openai.awaitAcceptance';
    if (readOnly) await lease.release();
    else if (openai) {
      await lease.acquire(() =>
        setCurrentDetails(`Step **${step.id}** (${step.action}) waits its turn: another run for ${delivered.employee.id} is doing an OpenAI action (one at a time per person).`),
      );
    }
    // openai.awaitAcceptance polls by retrying (Temporal's infrequent-polling pattern): each
    // attempt is one look that fails INVITE_NOT_YET_ACCEPTED with a fixed next-retry delay,
    // so attempts are unlimited; the activity itself ends the wait at `with.timeout`, and a
    // schedule-to-close of that plus a day is the backstop should OpenAI stay down.
    const waitMs = step.action === 'openai.awaitAcceptance' && typeof input.timeout === 'string' ? positiveDuration(input.timeout) : undefined;
    const activities = proxyActivities<Activities>({
      ...(openai && openaiQueue !== undefined ? { taskQueue: openaiQueue } : {}),
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
    const target = typeof input.email === 'string' ? input.email : null;
    const act = async (): Promise<StepResult> => {
      if (openai && !readOnly) lease.markActed();
      try {
        const result = await (activities[name] as (input: unknown) => Promise<ActionResult>)(input);
        outputs[step.id] = { output: result.output };
        await audit(key, step, result, result.target);
        return { id: step.id, kind: 'action', outcome: result.outcome, openaiIds: result.openaiIds };
      } catch (error) {
        if (isCancellation(error)) throw error;
        const failure = failureOf(error);
        await audit(key, step, { outcome: 'failed', error: failure }, target);
        return { id: step.id, kind: 'action', outcome: 'failed', error: failure };
      }
    };
    // Once started, a change runs to its end and is recorded even if the run is superseded
    // meanwhile: cancelling it half-way would leave OpenAI's state unknown to the audit log.
    return readOnly ? act() : CancellationScope.nonCancellable(act);
  }
  /** When a wait ends, from the record as it is now; a failed result when its date is not one. */
  function waitEnd(step: WaitStep, startedAt: number): number | StepResult {
    if (step.durationMs !== undefined) return startedAt + step.durationMs;
    const failed = (type: EngineFailureType, message: string): StepResult => ({ id: step.id, kind: 'wait', outcome: 'failed', error: { type, message } });
    let until: unknown;
    try {
      until = evaluate(step.until as string, context());
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return failed('EXPRESSION_FAILED', `wait '${step.id}': ${error.message}`);
    }
    if (typeof until !== 'string') return failed('BAD_WAIT_TARGET', `wait '${step.id}': until gave ${JSON.stringify(until)}, not a date`);
    const zone = step.timezone ?? (event as HrEvent).employee.timezone ?? 'UTC';
    try {
      return waitTarget(until, { zone, ...(step.offsetMs !== undefined ? { offsetMs: step.offsetMs } : {}), ...(step.at !== undefined ? { at: step.at } : {}) });
    } catch (error) {
      return failed('BAD_WAIT_TARGET', `wait '${step.id}': ${(error as Error).message}`);
    }
  }

  async function runWait(step: WaitStep): Promise<StepResult> {
    const startedAt = Date.now();
    for (;;) {
      const target = waitEnd(step, startedAt);
      if (typeof target !== 'number') return target;
      const remaining = target - Date.now();
      if (remaining <= 0) {
        state.waitingUntil = null;
        const until = iso(Math.max(target, Date.now()));
        outputs[step.id] = { output: { until } };
        return { id: step.id, kind: 'wait', outcome: 'waited', until };
      }
      await lease.release();
      state.waitingUntil = iso(target);
      setStatus('waiting');
      setCurrentDetails(`Step **${step.id}** waits until ${iso(target)} (${plan.name} v${plan.version}). A newer HR record that moves the date moves the wait.`);
      const version = recordVersion;
      // Woken by the timer or by a newer record: either way the date is looked at again.
      await condition(() => recordVersion !== version, remaining, { summary: `${step.id}: until ${iso(target)}` });
      setStatus('running');
    }
  }

  function runIf(step: IfStep): { result: StepResult; branch?: PlanStep[] } {
    let taken: boolean;
    try {
      taken = evaluateCondition(step.condition, context());
    } catch (error) {
      // A condition that fails on this event's data cannot be fixed by retrying as is; an operator decides.
      if (!(error instanceof ExpressionError)) throw error;
      return { result: { id: step.id, kind: 'if', outcome: 'failed', error: { type: 'BAD_EXPRESSION' satisfies EngineFailureType, message: error.message } } };
    }
    const branch = taken ? 'then' : 'else';
    outputs[step.id] = { output: { branch, result: taken } };
    return { result: { id: step.id, kind: 'if', outcome: branch }, branch: taken ? step.then : step.else };
  }

  async function runApproval(step: ApprovalStep): Promise<StepResult> {
    let approvers: string[];
    let message: string | undefined;
    try {
      approvers = step.approvers.map((a) => String(renderTemplate(a, context())));
      message = step.message ? String(renderTemplate(step.message, context())) : undefined;
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return { id: step.id, kind: 'approval', outcome: 'failed', error: { type: 'EXPRESSION_FAILED' satisfies EngineFailureType, message: `approval '${step.id}': ${error.message}` } };
    }
    const pending = () => decisions.findIndex((d) => d.step === undefined || d.step === step.id);
    await lease.release();
    const until = iso(Date.now() + step.timeoutMs);
    state.awaitingApproval = { step: step.id, approvers, until };
    setStatus('waiting');
    setCurrentDetails(
      `Waiting for approval **${step.id}** from ${approvers.join(', ')} until ${until} (then: ${step.onTimeout}). ` +
        `\`tenure approve|reject ${workflowId} --reason "…"\` (signals \`approve\`, \`reject\` with { by, reason }).` +
        (message ? `\n\n${message}` : ''),
    );
    const decided = await condition(() => pending() >= 0, step.timeoutMs, { summary: `${step.id}: approval until ${until}` });
    state.awaitingApproval = null;
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
    await audit(step.id, { id: step.id, action: 'approval' }, { outcome }, output.by ?? 'timeout');
    return { id: step.id, kind: 'approval', outcome, approval: output };
  }

  async function execute(step: PlanStep, attempt: number): Promise<{ result: StepResult; branch?: PlanStep[] }> {
    switch (step.kind) {
      case 'if':
        return runIf(step);
      case 'action':
        return { result: await runAction(step, attempt === 1 ? step.id : `${step.id}#${attempt}`) };
      case 'wait':
        return { result: await runWait(step) };
      case 'approval':
        return { result: await runApproval(step) };
    }
  }

  /** Runs steps in order. A failure that does not continue parks the run until an operator decides. */
  async function runSteps(steps: readonly PlanStep[]): Promise<void> {
    for (const step of steps) {
      const label = step.kind === 'action' ? step.action : step.kind;
      for (let attempt = 1; ; attempt++) {
        state.currentStep = step.id;
        if (step.kind !== 'wait') setCurrentDetails(`Step **${step.id}** (${label}) of ${plan.name} v${plan.version}`);
        const { result, branch } = await execute(step, attempt);
        if (attempt > 1) result.attempts = attempt;
        if (result.outcome !== 'failed' || (step.kind === 'action' && step.continueOnError)) {
          state.steps.push(result);
          if (branch) await runSteps(branch);
          break;
        }
        const error = result.error ?? { type: 'STEP_FAILED', message: 'unknown error' };
        const choice = await park({ id: step.id, kind: step.kind, action: label }, error, attempt, true);
        if (choice.action === 'skip') {
          // Like a step that failed with continueOnError, it has no output: later steps guard with `"<id>" in steps`.
          state.steps.push({ ...result, outcome: 'skipped', skippedBy: { by: choice.by, ...(choice.reason !== undefined ? { reason: choice.reason } : {}) } });
          break;
        }
      }
    }
  }

  async function interpret(): Promise<DefinitionRunResult> {
    setStatus('running');
    const completed = await enrich();
    if (!completed.applies) {
      setStatus('done');
      setCurrentDetails(`Skipped: ${completed.reason}`);
      return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: [], skipped: completed.reason };
    }
    if (isThin(delivered)) event = completed.event;
    await runSteps(plan.steps);
    state.currentStep = null;
    setStatus('done');
    setCurrentDetails(`Done: ${state.steps.map((s) => `${s.id} ${s.outcome}`).join(', ')}`);
    return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: state.steps };
  }

  try {
    const result = await body.run(interpret);
    finished = true;
    return result;
  } catch (error) {
    finished = true;
    if (!isCancellation(error)) {
      if (state.status !== 'failed') setStatus('failed');
      throw error;
    }
    const supersession = state.supersededBy;
    await CancellationScope.nonCancellable(async () => {
      const step = { id: state.currentStep ?? 'run', action: supersession ? 'supersede' : 'cancel' };
      if (supersession) {
        const acted = lease.acted ? 'Actions it had taken stay recorded; the newer run acts on the person now.' : 'It had not acted: nothing was done at OpenAI.';
        const message = `superseded by ${supersession.eventType} ${supersession.eventId} (${supersession.occurredAt}): ${supersession.reason}. ${acted}`;
        await audit('superseded', step, { outcome: 'superseded', error: { type: 'SUPERSEDED' satisfies EngineFailureType, message } }, emailOf());
      } else {
        await audit('cancelled', step, { outcome: 'failed', error: { type: 'CANCELLED' satisfies EngineFailureType, message: 'the run was cancelled in Temporal' } }, emailOf());
      }
    });
    state.attention = null;
    state.waitingUntil = null;
    state.awaitingApproval = null;
    if (!supersession) {
      setStatus('failed');
      throw error;
    }
    setStatus('superseded');
    setCurrentDetails(`**Superseded** by ${supersession.eventType} ${supersession.eventId}: ${supersession.reason}`);
    return { workflowId, definition: plan.name, version: plan.version, status: 'superseded', steps: state.steps, supersededBy: supersession };
  } finally {
    await CancellationScope.nonCancellable(() => lease.ended(state.status));
  }
}
