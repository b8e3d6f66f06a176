/**
 * The compiled plan: plain JSON, frozen into each run as its input. Workflow code reads
 * only this (never the YAML), so editing a definition never changes a run in flight.
 */
import type { ActionName } from '../activities/actions/index.ts';
import type { EventType } from '../events/index.ts';

/** Every action a definition may name: declared in activities/actions/. */
export type { ActionName };

/** The kinds of step a definition may hold: an action, or one of the control forms. */
export const STEP_KINDS = ['action', 'wait', 'if', 'approval'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON value whose strings may hold `${{ cel }}` templates, rendered when the step runs. */
export type TemplateValue = JsonValue;

export interface RetryPolicy {
  /** Attempts in all, first included. */
  maximumAttempts: number;
}

interface StepBase {
  id: string;
  /** Shown in the Temporal UI, when given. */
  name?: string;
}

export interface ActionStep extends StepBase {
  kind: 'action';
  action: ActionName;
  with: Record<string, TemplateValue>;
  /** Start-to-close timeout of one attempt, milliseconds. */
  timeoutMs: number;
  retry: RetryPolicy;
  continueOnError: boolean;
}

export interface WaitStep extends StepBase {
  kind: 'wait';
  /** A fixed duration, milliseconds. */
  durationMs?: number;
  /** A CEL expression giving a local date (YYYY-MM-DD) or an RFC 3339 instant. */
  until?: string;
  /** Added to `until`, milliseconds (may be negative). */
  offsetMs?: number;
  /** Local time of day `HH:MM` on the `until` date. */
  at?: string;
  /** IANA zone for `until`/`at`; else the employee's, else UTC. */
  timezone?: string;
}

export interface IfStep extends StepBase {
  kind: 'if';
  /** CEL giving true or false. */
  condition: string;
  then: PlanStep[];
  else: PlanStep[];
}

export interface ApprovalStep extends StepBase {
  kind: 'approval';
  /** Who is asked (templates allowed), e.g. the manager's email; shown to operators. */
  approvers: TemplateValue[];
  /** What is asked (templates allowed). */
  message?: string;
  /** How long to wait for a decision, milliseconds. */
  timeoutMs: number;
  /** The outcome when nobody decides in time. */
  onTimeout: 'approve' | 'reject';
}

export type PlanStep = ActionStep | WaitStep | IfStep | ApprovalStep;

/** What starts a run: an HR event (optionally filtered), or a schedule (a Temporal Schedule). */
export type PlanTrigger =
  | { event: EventType; if?: string }
  /** `for` says whom each tick acts on; each person gets a run of their own, as a departure. */
  | { schedule: { cron: string; timezone: string }; for: 'departed-with-access' };

export interface Plan {
  /** The definition's `name`: part of every run's workflow id. */
  name: string;
  description?: string;
  /** sha256 of the definition's canonical JSON, hex. */
  hash: string;
  /** First 7 hex digits of `hash`, shown to people. */
  version: string;
  /** The file it was compiled from, relative to the definitions folder. */
  source: string;
  trigger: PlanTrigger;
  /** Constant data the expressions read as `vars.<name>`. */
  vars?: Record<string, JsonValue>;
  steps: PlanStep[];
}

/** What `steps.<id>.output` holds after an `approval` step. */
export interface ApprovalOutput {
  approved: boolean;
  /** Who decided; null when the timeout decided. */
  by: string | null;
  reason: string | null;
  timedOut: boolean;
}

/** Every step of `steps`, branches included, in document order. */
export function flattenSteps(steps: readonly PlanStep[]): PlanStep[] {
  const all: PlanStep[] = [];
  for (const step of steps) {
    all.push(step);
    if (step.kind === 'if') all.push(...flattenSteps(step.then), ...flattenSteps(step.else));
  }
  return all;
}
