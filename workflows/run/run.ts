import { ApplicationFailure, CancellationScope, condition, isCancellation, log, proxyActivities, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ActionResult, Activities, AuditRowStart, IdentityChange, OpenAIIds } from '../../activities/index.ts';
import { eventContext, type ExpressionContext } from '../../dsl/expression-context.ts';
import type { Plan } from '../../dsl/plan.ts';
import type { DeliveredEvent, HrEvent } from '../../events/index.ts';
import { completeEvent, type Completed } from '../enrichment.ts';
import { storeWrites } from '../local-first.ts';
import { FEWER_ROUND_TRIPS, isPatched } from '../patches.ts';
import { runLease, type RunLease } from '../lease.ts';
import type {
  ApprovalDecision,
  Attention,
  DecisionRefusal,
  DecisionRequest,
  DecisionTaken,
  EmployeeChange,
  OperatorAction,
  OperatorDecision,
  RunState,
  StepResult,
  Supersession,
} from '../messages.ts';
import { SEARCH_ATTRIBUTES, type RunStatus } from '../search-attributes.ts';
import { runSteps } from './steps.ts';
import type { DefinitionRunInput, DefinitionRunResult, EngineFailureType } from './types.ts';

const recorder = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record outcome',
});
/** Outcomes recorded as a local activity first (see storeWrites); runs from before record as they did. */
const localRecorder = storeWrites({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record outcome',
});

export const iso = (ms: number) => new Date(ms).toISOString();
const isThin = (event: DeliveredEvent) => 'enrichment' in event && event.enrichment !== undefined;

/** What an audit row says about a step. */
export interface Outcome {
  outcome: ActionResult['outcome'] | 'failed' | 'approved' | 'rejected' | 'superseded';
  openaiIds?: OpenAIIds | undefined;
  identity?: IdentityChange | null | undefined;
  error?: StepResult['error'];
}

/** An approval decision waiting for an approval step to take it. */
export type PendingDecision = ApprovalDecision & { approved: boolean };

/** Who decided, and why: the audit row's `actor` and `reason`. */
export interface Decided {
  actor: string | null;
  reason: string | null;
}

/** Refuses a decision: the update's caller gets this failure, with the code as its type. */
function refuse(code: DecisionRefusal, message: string): never {
  throw ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * One definition run: its state (what the `status` query shows), the event and newer
 * records it reads, the outputs of its steps, its lease, and the decisions that reached
 * it. The workflow function wires the handlers to its methods; the step runners
 * (steps.ts, action.ts, wait.ts, if.ts, approval.ts) read and change it.
 */
export class DefinitionRun {
  readonly plan: Plan;
  readonly delivered: DeliveredEvent;
  readonly workflowId: string;
  readonly openaiQueue: string | undefined;
  readonly state: RunState;
  readonly lease: RunLease;
  /** `steps.<id>.output` for the expressions of later steps. */
  readonly outputs: ExpressionContext['steps'] = {};
  /** The event as the steps read it: undefined until a thin delivery is enriched. */
  event: HrEvent | undefined;
  /** Counts newer records received: a wait looks at its date again when it changes. */
  recordVersion = 0;
  /** Approval decisions wait here until an approval step takes them, so one sent a moment early is not lost. */
  readonly decisions: PendingDecision[] = [];
  /** Stopped by the `supersede` signal or a cancellation; runs the steps. */
  readonly body = new CancellationScope();
  /** An OpenAI change is under way: the lease is kept until it ends, even if the run is superseded. */
  changing = false;

  private recordAt: number;
  private readonly definitionShown: boolean;
  /**
   * Runs started since decisions became updates hold the old signals to the same rules
   * (approvers; a reason for skip and abort); older runs replay them as they ran.
   */
  private readonly strictSignals: boolean;
  private shownStatus: string | undefined;
  private finished = false;
  // Operator decisions count only while the run is parked: a stale `retry` must not apply to a later failure.
  private operatorDecision: ({ action: OperatorAction } & OperatorDecision) | undefined;

  constructor(input: DefinitionRunInput) {
    const { plan, event: delivered } = input;
    this.plan = plan;
    this.delivered = delivered;
    this.openaiQueue = input.openaiTaskQueue;
    const { workflowId, typedSearchAttributes } = workflowInfo();
    this.workflowId = workflowId;
    this.state = {
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
    this.lease = runLease(input.entity, workflowId, { eventId: delivered.id, eventType: delivered.type, occurredAt: delivered.occurredAt, definition: plan.name });
    this.shownStatus = typedSearchAttributes.get(SEARCH_ATTRIBUTES.status);
    this.definitionShown = typedSearchAttributes.get(SEARCH_ATTRIBUTES.definition) !== undefined;
    this.event = isThin(delivered) ? undefined : (delivered as HrEvent);
    this.recordAt = Date.parse(delivered.occurredAt);
    this.strictSignals = isPatched('decisions-as-updates');
  }

  /** The entity sets the search attributes at start; a run started any other way sets them itself. */
  showAttributes(): void {
    if (this.definitionShown) return;
    const { delivered, plan } = this;
    upsertSearchAttributes([
      { key: SEARCH_ATTRIBUTES.employeeId, value: delivered.employee.id },
      { key: SEARCH_ATTRIBUTES.source, value: delivered.source },
      { key: SEARCH_ATTRIBUTES.eventType, value: delivered.type },
      { key: SEARCH_ATTRIBUTES.definition, value: plan.name },
      { key: SEARCH_ATTRIBUTES.definitionHash, value: plan.hash },
      { key: SEARCH_ATTRIBUTES.status, value: this.state.status },
    ]);
    this.shownStatus = this.state.status;
  }

  setStatus(status: RunStatus): void {
    this.state.status = status;
    if (this.shownStatus === status) return;
    this.shownStatus = status;
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: status }]);
  }

  /** What expressions read: the event (as enriched and updated), vars and earlier steps' outputs. */
  context(): ExpressionContext {
    return eventContext(this.event as HrEvent, this.plan.vars ?? {}, this.outputs);
  }

  emailOf(): string | null {
    return (this.event ?? this.delivered).employee.email ?? null;
  }

  // ── handlers ──────────────────────────────────────────────────────────────

  /** Refuses a decision the run cannot take at all: a malformed one, or one for a run that has ended. */
  private checkRequest(request: DecisionRequest): void {
    if (typeof request?.by !== 'string' || request.by.trim() === '') refuse('INVALID_DECISION', 'by: say who decides; it is recorded in the audit log');
    if (request.reason !== undefined && typeof request.reason !== 'string') refuse('INVALID_DECISION', 'reason: text');
    const { status, supersededBy } = this.state;
    if (this.finished || supersededBy || status === 'done' || status === 'failed' || status === 'superseded') {
      refuse('RUN_CLOSED', `${this.workflowId} has ended (${supersededBy ? 'superseded' : status}); nothing to decide`);
    }
  }

  /** Validates `approve` / `reject`: the approval step it decides, or a refusal. */
  checkApproval(request: DecisionRequest): string {
    this.checkRequest(request);
    const pending = this.state.awaitingApproval;
    if (!pending) refuse('NO_PENDING_APPROVAL', `${this.workflowId} is not waiting for an approval (status ${this.state.status}, step ${this.state.currentStep ?? '-'})`);
    if (request.step !== undefined && request.step !== pending.step) refuse('NO_PENDING_APPROVAL', `${this.workflowId} is waiting for approval '${pending.step}', not '${request.step}'`);
    const first = this.decisions.find((d) => (d.step === undefined || d.step === pending.step) && this.mayDecide(pending.approvers, d.by));
    if (first) refuse('NO_PENDING_APPROVAL', `approval '${pending.step}' was already ${first.approved ? 'approved' : 'rejected'} by ${first.by}`);
    if (!pending.approvers.some((approver) => sameName(approver, request.by))) {
      refuse('NOT_AN_APPROVER', `${request.by.trim()} is not an approver of '${pending.step}'; its approvers are ${pending.approvers.join(', ')}`);
    }
    return pending.step;
  }

  /** The `approve` / `reject` update: the waiting approval step takes the decision. */
  takeApproval(approved: boolean, request: DecisionRequest): DecisionTaken {
    const step = this.checkApproval(request);
    const by = request.by.trim();
    this.decisions.push({ by, step, approved, ...(request.reason ? { reason: request.reason } : {}) });
    return { decision: approved ? 'approve' : 'reject', step, by };
  }

  /** Validates `retry` / `skip` / `abort`: the parked step it applies to, or a refusal. */
  checkParked(action: OperatorAction, request: DecisionRequest): string {
    this.checkRequest(request);
    const { attention } = this.state;
    if (!attention) refuse('NOT_PARKED', `${this.workflowId} is not waiting for an operator (status ${this.state.status}); retry, skip and abort apply to runs that need attention`);
    if (this.operatorDecision) refuse('NOT_PARKED', `'${this.operatorDecision.action}' by ${this.operatorDecision.by} came first`);
    if (action === 'skip' && !attention.skippable) refuse('NOT_SKIPPABLE', `step '${attention.step}' of ${this.workflowId} cannot be skipped (nothing can run without it); retry it or abort the run`);
    if (action !== 'retry' && !request.reason?.trim()) refuse('REASON_REQUIRED', `${action} needs a reason, recorded in the audit log (--reason "…", or {"reason": "…"})`);
    return attention.step;
  }

  /** The `retry` / `skip` / `abort` update: the parked run goes on with it. */
  takeParked(action: OperatorAction, request: DecisionRequest): DecisionTaken {
    const step = this.checkParked(action, request);
    const by = request.by.trim();
    this.operatorDecision = { action, by, ...(request.reason ? { reason: request.reason } : {}) };
    return { decision: action, step, by };
  }

  /**
   * The `approve` / `reject` signals, kept for clients and runs from before the updates.
   * As before, one sent a moment early waits for its approval step; in runs started since
   * the updates, the step takes it only from one of its approvers (see {@link mayDecide}).
   */
  approvalSignal(approved: boolean, decision: ApprovalDecision): void {
    if (typeof decision?.by !== 'string' || decision.by.trim() === '') {
      log.warn('approval decision ignored: it must say who decided (by)', { approved });
      return;
    }
    this.decisions.push({ ...decision, approved });
  }

  /** Whether an approval step listing `approvers` takes a decision by `by`: in runs started since the updates, only from an approver. */
  mayDecide(approvers: readonly string[], by: string): boolean {
    return !this.strictSignals || approvers.some((approver) => sameName(approver, by));
  }

  /** The `retry` / `skip` / `abort` signals, kept for clients and runs from before the updates. */
  parkedSignal(action: OperatorAction, decision: OperatorDecision): void {
    if (this.strictSignals) {
      try {
        this.takeParked(action, decision);
      } catch (error) {
        if (!(error instanceof ApplicationFailure)) throw error;
        log.warn(`'${action}' signal ignored (${error.type}): ${error.message}`);
      }
      return;
    }
    const { attention } = this.state;
    if (typeof decision?.by !== 'string' || decision.by.trim() === '') return log.warn(`'${action}' ignored: it must say who decided (by)`);
    if (!attention) return log.warn(`'${action}' ignored: the run is not waiting for an operator`, { status: this.state.status });
    if (action === 'skip' && !attention.skippable) return log.warn(`'skip' ignored: step '${attention.step}' cannot be skipped`);
    if (this.operatorDecision) return log.warn(`'${action}' ignored: '${this.operatorDecision.action}' by ${this.operatorDecision.by} came first`);
    this.operatorDecision = { action, by: decision.by, ...(decision.reason !== undefined ? { reason: String(decision.reason) } : {}) };
  }

  /**
   * A newer HR record (a moved start date, a new end date) reaches the steps still to run,
   * even one sent before the run's first step (it may arrive in the same activation as the start).
   */
  employeeChanged(change: EmployeeChange): void {
    // A thin event's record is read fresh from the HR system when the run starts: newer than any change sent before.
    if (!this.event || Date.parse(change.occurredAt) <= this.recordAt) return;
    this.recordAt = Date.parse(change.occurredAt);
    this.event = { ...this.event, employee: change.employee };
    this.recordVersion++;
    this.state.employeeUpdatedBy = change.eventId;
    log.info('newer HR record received', { eventId: change.eventId });
  }

  supersede(supersession: Supersession): void {
    if (this.finished || this.state.supersededBy) return;
    this.state.supersededBy = supersession;
    this.body.cancel();
    // The person is not held while this run records its end (or finishes a notify).
    if (!this.changing && isPatched('superseded-run-releases-lease')) void CancellationScope.nonCancellable(() => this.lease.releaseQuietly());
  }

  // ── what the steps share ──────────────────────────────────────────────────

  /** The audit row's fields known before a step acts: its key, the run, its event and person, the step. */
  auditRow(key: string, step: { id: string; action: string }): AuditRowStart {
    const { plan, delivered, workflowId } = this;
    return {
      recordKey: `${workflowId}/${key}`,
      runId: workflowId,
      definition: plan.name,
      definitionHash: plan.hash,
      eventId: delivered.id,
      eventType: (this.event ?? delivered).type,
      source: delivered.source,
      employeeId: delivered.employee.id,
      stepId: step.id,
      action: step.action,
    };
  }

  audit(key: string, step: { id: string; action: string }, result: Outcome, target: string | null, decided?: Decided): Promise<{ written: boolean }> {
    const record = isPatched(FEWER_ROUND_TRIPS) ? localRecorder.recordOutcome : recorder.recordOutcome;
    return record({
      ...this.auditRow(key, step),
      target,
      outcome: result.outcome,
      openaiIds: result.openaiIds ?? {},
      ...(result.identity ? { identity: result.identity } : {}),
      errorType: result.error?.type ?? null,
      errorMessage: result.error?.message ?? null,
      ...(decided ? { actor: decided.actor, reason: decided.reason } : {}),
    });
  }

  /**
   * Parks the run until an operator decides. Resolves with `retry` or `skip` (both
   * recorded); `abort` is recorded and ends the run as failed with RUN_ABORTED, whose
   * cause is the step's own failure.
   */
  async park(step: { id: string; kind: Attention['kind']; action: string }, error: { type: string; message: string }, attempts: number, skippable: boolean): Promise<{ action: 'retry' | 'skip' } & OperatorDecision> {
    const { state, workflowId } = this;
    await this.lease.pause();
    state.attention = { step: step.id, kind: step.kind, error, since: iso(Date.now()), attempts, skippable };
    this.setStatus('needs-attention');
    log.warn('run needs attention', { step: step.id, error });
    setCurrentDetails(
      `**Needs attention**: step **${step.id}** (${step.action}) failed with \`${error.type}\`: ${error.message}\n\n` +
        `Fix the cause, then retry the step${skippable ? ', skip it' : ''} or abort the run: ` +
        `\`tenure retry|${skippable ? 'skip|' : ''}abort ${workflowId} --reason "…"\` (updates \`retry\`${skippable ? ', `skip`' : ''}, \`abort\` with { by, reason }; skip and abort need a reason).`,
    );
    await condition(() => this.operatorDecision !== undefined);
    const decision = this.operatorDecision as { action: OperatorAction } & OperatorDecision;
    this.operatorDecision = undefined;
    state.attention = null;
    const why = `${decision.action} by ${decision.by}${decision.reason ? `: ${decision.reason}` : ''}; step '${step.id}' had failed with ${error.type}: ${error.message}`;
    await this.audit(`${step.id}/${decision.action}-${attempts}`, { id: step.id, action: decision.action }, { outcome: decision.action === 'abort' ? 'failed' : 'noop', error: { type: error.type, message: why } }, this.emailOf(), { actor: decision.by, reason: decision.reason ?? null });
    if (decision.action === 'abort') {
      this.setStatus('failed');
      throw ApplicationFailure.create({
        type: 'RUN_ABORTED' satisfies EngineFailureType,
        nonRetryable: true,
        message: `aborted by ${decision.by}${decision.reason ? ` (${decision.reason})` : ''} after step '${step.id}' failed with ${error.type}`,
        cause: ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true }),
        details: [{ step: step.id, by: decision.by, reason: decision.reason ?? null }],
      });
    }
    log.info(`operator chose ${decision.action}`, { step: step.id, by: decision.by });
    this.setStatus('running');
    return decision as { action: 'retry' | 'skip' } & OperatorDecision;
  }

  // ── the run ───────────────────────────────────────────────────────────────

  /** Runs the plan to its end: done, superseded (returned), or failed (thrown). Tells the entity at the end. */
  async execute(): Promise<DefinitionRunResult> {
    try {
      const result = await this.body.run(() => this.interpret());
      this.finished = true;
      return result;
    } catch (error) {
      this.finished = true;
      return await this.stopped(error);
    } finally {
      await CancellationScope.nonCancellable(() => this.lease.ended(this.state.status));
    }
  }

  // Enrichment seam: a thin delivery is read from the HR system, then its deferred trigger check runs.
  private async enrich(): Promise<Completed> {
    const { plan, delivered } = this;
    if (!isThin(delivered)) return completeEvent(plan, delivered);
    await this.lease.pause();
    for (let attempt = 1; ; attempt++) {
      try {
        return await completeEvent(plan, delivered);
      } catch (error) {
        if (!(error instanceof ApplicationFailure)) throw error;
        await this.park({ id: 'enrich', kind: 'enrichment', action: 'enrichment' }, { type: error.type ?? 'ENRICHMENT_FAILED', message: error.message }, attempt, false);
      }
    }
  }

  private async interpret(): Promise<DefinitionRunResult> {
    const { plan, state, workflowId } = this;
    this.setStatus('running');
    const completed = await this.enrich();
    if (!completed.applies) {
      this.setStatus('done');
      setCurrentDetails(`Skipped: ${completed.reason}`);
      return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: [], skipped: completed.reason };
    }
    if (isThin(this.delivered)) this.event = completed.event;
    await runSteps(this, plan.steps);
    state.currentStep = null;
    this.setStatus('done');
    setCurrentDetails(`Done: ${state.steps.map((s) => `${s.id} ${s.outcome}`).join(', ')}`);
    return { workflowId, definition: plan.name, version: plan.version, status: 'done', steps: state.steps };
  }

  /** A failure is rethrown; a supersession is recorded and returned; a cancellation from outside is recorded and rethrown. */
  private async stopped(error: unknown): Promise<DefinitionRunResult> {
    const { state, plan, workflowId } = this;
    if (!isCancellation(error)) {
      if (state.status !== 'failed') this.setStatus('failed');
      throw error;
    }
    const supersession = state.supersededBy;
    await CancellationScope.nonCancellable(async () => {
      const step = { id: state.currentStep ?? 'run', action: supersession ? 'supersede' : 'cancel' };
      if (supersession) {
        const acted = this.lease.acted ? 'Actions it had taken stay recorded; the newer run acts on the person now.' : 'It had not acted: nothing was done at OpenAI.';
        const message = `superseded by ${supersession.eventType} ${supersession.eventId} (${supersession.occurredAt}): ${supersession.reason}. ${acted}`;
        await this.audit('superseded', step, { outcome: 'superseded', error: { type: 'SUPERSEDED' satisfies EngineFailureType, message } }, this.emailOf());
      } else {
        await this.audit('cancelled', step, { outcome: 'failed', error: { type: 'CANCELLED' satisfies EngineFailureType, message: 'the run was cancelled in Temporal' } }, this.emailOf());
      }
    });
    state.attention = null;
    state.waitingUntil = null;
    state.awaitingApproval = null;
    if (!supersession) {
      this.setStatus('failed');
      throw error;
    }
    this.setStatus('superseded');
    setCurrentDetails(`**Superseded** by ${supersession.eventType} ${supersession.eventId}: ${supersession.reason}`);
    // The entity cancels a run it supersedes: Temporal then shows it Canceled (by a newer event), not Completed.
    // Its cancel follows its supersede signal, and may reach the run after the run has stopped:
    // wait a bounded while for it (an older entity never sends one; the run then completes as before).
    if (!CancellationScope.current().consideredCancelled && isPatched('superseded-run-awaits-cancel')) {
      try {
        await condition(() => false, '1 minute');
      } catch (cancelled) {
        if (!isCancellation(cancelled)) throw cancelled;
      }
    }
    if (CancellationScope.current().consideredCancelled) throw error;
    return { workflowId, definition: plan.name, version: plan.version, status: 'superseded', steps: state.steps, supersededBy: supersession };
  }
}
