/**
 * Every signal and query of Tenure's workflows, and the shapes they carry. Client code
 * (the trigger server, the CLI, the admin endpoints) imports them from `shared.ts`
 * without pulling workflow functions in.
 *
 * Two conversations run over signals:
 *   operator ↔ run      approve, reject, retry, skip, abort; the `status` query
 *   entity   ↔ run      the per-person lease (request, granted, release), supersede,
 *                       employeeChanged, runEnded; the entity's `state` query
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ActionResult } from '../activities/index.ts';
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

// ── run state ─────────────────────────────────────────────────────────────────

export interface StepResult {
  id: string;
  kind: PlanStep['kind'];
  /** An action's outcome; `waited`; the branch an `if` took; an approval's decision; `skipped` by an operator. */
  outcome: ActionResult['outcome'] | 'failed' | 'waited' | 'then' | 'else' | 'approved' | 'rejected' | 'skipped';
  openaiIds?: Record<string, string>;
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
/** A newer event makes this run moot: stop cleanly and record it. */
export const supersedeSignal = defineSignal<[Supersession]>('supersede');

/** A newer HR record for the person (e.g. a moved start date), for the steps still to run. */
export interface EmployeeChange {
  eventId: string;
  occurredAt: string;
  employee: HrEvent['employee'];
}
export const employeeChangedSignal = defineSignal<[EmployeeChange]>('employeeChanged');

// ── run → entity ──────────────────────────────────────────────────────────────

export interface LeaseMessage {
  /** The run's workflow id. */
  run: string;
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

// ── trigger server → entity ───────────────────────────────────────────────────

/** One delivered event and the plans that matched it when it was accepted. */
export interface EmployeeEvent {
  /** Complete, or thin (enriched by each run before it acts). */
  event: DeliveredEvent;
  plans: Plan[];
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
  runs: EntityRun[];
  lease: { holder: string | null; waiting: string[] };
  /** Events applied (or recorded as superseded) by this workflow, across continue-as-new. */
  applied: number;
  /** The newest hire or departure applied: older events are not applied after it. */
  lifecycle: { type: EventType; eventId: string; occurredAt: string } | null;
}

export const employeeStateQuery = defineQuery<EmployeeState>('state');
