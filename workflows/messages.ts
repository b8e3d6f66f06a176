/**
 * Every signal, update and query of Tenure's workflows, and the shapes they carry. Client
 * code (the trigger server, the CLI, the admin endpoints) imports them from `shared.ts`
 * without pulling workflow functions in.
 *
 * Two conversations:
 *   operator ↔ run      updates approve, reject, retry, skip, abort (the run answers, or
 *                       refuses with a code); the `status` query. The signals of the same
 *                       names are kept for clients and histories from before the updates.
 *   entity   ↔ run      signals: the per-person lease (request, granted, release), supersede,
 *                       employeeChanged, runEnded; the entity's `state` query
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ActionResult, OpenAIIds } from '../activities/index.ts';
import type { ApprovalOutput, Plan, PlanStep } from '../dsl/plan.ts';
import type { DeliveredEvent, EventType, HrEvent } from '../events/index.ts';
import type { RunStatus } from './search-attributes.ts';

// ── operator → run ─────────────────────────────────────────────────────────────

/** An operator's decision on a pending approval. `step` picks one approval when a run has several. */
export interface ApprovalDecision {
  by: string;
  reason?: string;
  step?: string;
}

export const approveSignal = defineSignal<[ApprovalDecision]>('approve');
export const rejectSignal = defineSignal<[ApprovalDecision]>('reject');

/** What an operator can tell a run parked as `needs-attention`. */
export const OPERATOR_ACTIONS = ['retry', 'skip', 'abort'] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];

/** Who decided, and why (shown in the audit log). */
export interface OperatorDecision {
  by: string;
  reason?: string;
}

/** Runs the failed step again, from scratch (earlier steps are not redone). */
export const retrySignal = defineSignal<[OperatorDecision]>('retry');
/** Goes on after the failed step as if it had done nothing (it has no output: `"<id>" in steps` is false). */
export const skipSignal = defineSignal<[OperatorDecision]>('skip');
/** Ends the run as failed (`RUN_ABORTED`), recorded in the audit log. */
export const abortSignal = defineSignal<[OperatorDecision]>('abort');

export const OPERATOR_SIGNALS = { retry: retrySignal, skip: skipSignal, abort: abortSignal } as const;

/** Every decision an operator can send a run. */
export const DECISIONS = ['approve', 'reject', ...OPERATOR_ACTIONS] as const;
export type Decision = (typeof DECISIONS)[number];

/** What a decision update carries: who decides (the authenticated operator), why, and (approvals) which step. */
export interface DecisionRequest {
  by: string;
  reason?: string;
  /** approve/reject: the approval step, when the run has several. */
  step?: string;
}

/** The run's answer to a decision it took. */
export interface DecisionTaken {
  decision: Decision;
  /** The approval decided, or the parked step the decision applies to. */
  step: string;
  by: string;
}

/**
 * Why a run refuses a decision (the `type` of the ApplicationFailure its update validator
 * or handler throws): it has ended, it waits for no approval (or not that one), the
 * decider is not among the approval's approvers, it is not parked, the failed part
 * cannot be skipped, a reason is missing, or the request is malformed.
 */
export const DECISION_REFUSALS = ['RUN_CLOSED', 'NO_PENDING_APPROVAL', 'NOT_AN_APPROVER', 'NOT_PARKED', 'NOT_SKIPPABLE', 'REASON_REQUIRED', 'INVALID_DECISION'] as const;
export type DecisionRefusal = (typeof DECISION_REFUSALS)[number];

/** The decisions as Temporal Updates (same names as the signals, which they replace). */
export const DECISION_UPDATES = {
  approve: defineUpdate<DecisionTaken, [DecisionRequest]>('approve'),
  reject: defineUpdate<DecisionTaken, [DecisionRequest]>('reject'),
  retry: defineUpdate<DecisionTaken, [DecisionRequest]>('retry'),
  skip: defineUpdate<DecisionTaken, [DecisionRequest]>('skip'),
  abort: defineUpdate<DecisionTaken, [DecisionRequest]>('abort'),
} as const satisfies Record<Decision, unknown>;

// ── run state ─────────────────────────────────────────────────────────────────

export interface StepResult {
  id: string;
  kind: PlanStep['kind'];
  /** An action's outcome; `waited`; the branch an `if` took; an approval's decision; `skipped` by an operator. */
  outcome: ActionResult['outcome'] | 'failed' | 'waited' | 'then' | 'else' | 'approved' | 'rejected' | 'skipped';
  openaiIds?: OpenAIIds;
  /** When a wait ended, ISO 8601. */
  until?: string;
  /** Who decided an approval, and why. */
  approval?: ApprovalOutput;
  /** The failure (of a failed step, or of a step an operator skipped). */
  error?: { type: string; message: string };
  /** Tries of this step when an operator retried it; absent for one. */
  attempts?: number;
  /** The operator who skipped it. */
  skippedBy?: OperatorDecision;
}

/** Why a run is parked: the step, its typed failure, and what an operator may do. */
export interface Attention {
  step: string;
  kind: PlanStep['kind'] | 'enrichment';
  error: { type: string; message: string };
  /** When it parked, ISO 8601. */
  since: string;
  /** Tries so far (1 before any retry). */
  attempts: number;
  /** Whether `skip` is allowed (not for enrichment: nothing can run without the record). */
  skippable: boolean;
}

/** Why a run was superseded: the newer event that made it moot. */
export interface Supersession {
  eventId: string;
  eventType: EventType;
  occurredAt: string;
  reason: string;
}

export interface RunState {
  status: RunStatus;
  definition: string;
  version: string;
  employeeId: string;
  eventType: string;
  eventId: string;
  currentStep: string | null;
  steps: StepResult[];
  /** Set while the run is parked (`needs-attention`). */
  attention: Attention | null;
  /** Set while a wait step waits: when it ends, ISO 8601. */
  waitingUntil: string | null;
  /** Set while an approval step waits: who is asked. */
  awaitingApproval: { step: string; approvers: string[]; until: string } | null;
  /** Set when a newer event superseded the run. */
  supersededBy: Supersession | null;
  /** The newer HR record the run now reads, when one reached it (a moved start date). */
  employeeUpdatedBy: string | null;
}

export const statusQuery = defineQuery<RunState>('status');

// ── entity → run ──────────────────────────────────────────────────────────────

/** The per-person lease is yours: run your OpenAI action. */
export const leaseGrantedSignal = defineSignal('leaseGranted');
/**
 * Another run waits for the per-person lease this run holds: give it back now if in a pause
 * (a wait, an approval, parked), else at the next one.
 */
export const leaseWantedSignal = defineSignal('leaseWanted');
/** A newer event makes this run moot: stop cleanly and record it. */
export const supersedeSignal = defineSignal<[Supersession]>('supersede');

/** A newer HR record for the person (e.g. a moved start date), for the steps still to run. */
export interface EmployeeChange {
  eventId: string;
  occurredAt: string;
  employee: HrEvent['employee'];
}
export const employeeChangedSignal = defineSignal<[EmployeeChange]>('employeeChanged');
/**
 * Carries nothing: the entity sends it to a run it cannot watch (one carried across
 * continue-as-new) to learn whether it is still open. Sending fails once the run has closed.
 */
export const runCheckSignal = defineSignal('runCheck');

// ── run → entity ──────────────────────────────────────────────────────────────

export interface LeaseMessage {
  /** The run's workflow id. */
  run: string;
  /**
   * The event the run acts on, so an entity that has not registered the run (a request
   * from a run of an earlier execution, or from a run started by hand) can still queue it
   * in order. Absent in requests of runs started before it was added.
   */
  event?: { eventId: string; eventType: EventType; occurredAt: string; definition: string };
}
export interface LeaseRelease extends LeaseMessage {
  /** Whether the run has started an OpenAI action (it has provisioned, or tried to). */
  acted: boolean;
}
export interface RunEnded extends LeaseRelease {
  status: RunStatus;
}

export const leaseRequestSignal = defineSignal<[LeaseMessage]>('leaseRequest');
export const leaseReleaseSignal = defineSignal<[LeaseRelease]>('leaseRelease');
export const runEndedSignal = defineSignal<[RunEnded]>('runEnded');

/**
 * A run started by someone else than the entity (a scheduled reconciliation) joins the
 * person's runs: it then takes the lease from the entity and can be superseded like the others.
 */
export interface RunJoin {
  run: EntityRun;
}
export const runJoinSignal = defineSignal<[RunJoin]>('runJoin');

// ── trigger server → entity ───────────────────────────────────────────────────

/** One delivered event and the plans that matched it when it was accepted. */
export interface EmployeeEvent {
  /** Complete, or thin (enriched by each run before it acts). */
  event: DeliveredEvent;
  plans: Plan[];
  /**
   * The trigger server noted the event in the identity map before handing it over: whether the
   * store applied it (false: it already held a newer HR event for the person). Absent: the
   * entity notes it itself, as it did before (an older trigger server, a store that did not answer).
   */
  noted?: boolean;
}

export const hrEventSignal = defineSignal<[EmployeeEvent]>('hrEvent');

/** A run the entity started and has not seen end. */
export interface EntityRun {
  workflowId: string;
  eventId: string;
  eventType: EventType;
  occurredAt: string;
  definition: string;
  /** It has started an OpenAI action. */
  acted: boolean;
  /** The entity has asked it to stop. */
  superseded: boolean;
}

export interface EmployeeState {
  pending: { eventId: string; type: string; occurredAt: string }[];
  /**
   * The event being applied now, taken from `pending` (its note in the identity map, its
   * supersessions and its runs' starts may still be under way), or null.
   */
  applying: { eventId: string; type: string; occurredAt: string } | null;
  runs: EntityRun[];
  lease: { holder: string | null; waiting: string[] };
  /** Events applied (or recorded as superseded) by this workflow, across continue-as-new. */
  applied: number;
  /** The newest hire or departure applied: older events are not applied after it. */
  lifecycle: { type: EventType; eventId: string; occurredAt: string } | null;
}

export const employeeStateQuery = defineQuery<EmployeeState>('state');
