/**
 * The compiled plan: plain JSON, frozen into each run as its input. Workflow code reads
 * only this (never the YAML), so editing a definition never changes a run in flight.
 */
import type { EventType } from '../events/index.ts';

/** Every action a definition may name. */
export const ACTION_NAMES = [
  'openai.invite',
  'openai.awaitAcceptance',
  'openai.setRole',
  'openai.remove',
  'openai.addToProject',
  'openai.removeFromProject',
  'openai.scim.provision',
  'openai.scim.deactivate',
  'openai.scim.reactivate',
  'record',
  'notify',
] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

/** A JSON value whose strings may hold `${{ cel }}` templates, rendered when the step runs. */
export type TemplateValue = string | number | boolean | null | TemplateValue[] | { [key: string]: TemplateValue };

export interface RetryPolicy {
  /** Attempts in all, first included. */
  maximumAttempts: number;
}

export interface ActionStep {
  kind: 'action';
  id: string;
  action: ActionName;
  with: Record<string, TemplateValue>;
  /** Start-to-close timeout of one attempt, milliseconds. */
  timeoutMs: number;
  retry: RetryPolicy;
  continueOnError: boolean;
}

export interface WaitStep {
  kind: 'wait';
  id: string;
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

export type PlanStep = ActionStep | WaitStep;

/** What starts a run: an HR event (optionally filtered), or a schedule (a Temporal Schedule). */
export type PlanTrigger = { event: EventType; if?: string } | { schedule: { cron: string; timezone: string } };

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
  steps: PlanStep[];
}
