import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Plan } from '../dsl/plan.ts';
import type { HrEvent } from '../events/index.ts';

/** How one person stands between HR and OpenAI (see sync/classify.ts). */
export type SyncKind = 'missed-hire' | 'missed-departure' | 'unmanaged' | 'expired-invite' | 'in-sync';

/** One classified person, as it travels through the sync workflow: compact, no HR record beyond the event. */
export interface SyncEntry {
  kind: SyncKind;
  source: string | null;
  employeeId: string | null;
  email: string | null;
  openai: { userId?: string; inviteId?: string; inviteStatus?: 'pending' | 'expired' };
  reason: string;
  /** The event delivered to the person's entity (actionable entries of a sync only). */
  event?: HrEvent;
}

export interface SyncInput {
  /** The plans in force, frozen when the sync was started (matching and delivery use them). */
  plans: Plan[];
  /** Act on nobody, and wait for an operator, when more people than this would be acted on. */
  maxChanges: number;
  /** `sync` acts (and adopts); `drift` only classifies and reports. */
  mode: 'sync' | 'drift';
  /** At most this many entries are listed in the result (counts are always complete). Default 2000. */
  listLimit?: number;
}

/** What a sync found, before acting: counts for everyone, the entries listed. */
export interface SyncFindings {
  hr: Record<string, number>;
  openai: { members: number; invites: number };
  counts: Record<SyncKind, number>;
  /** People a sync would act on (with their events), at most `listLimit`. */
  actionable: SyncEntry[];
  /** Other entries worth a look (unmanaged), at most `listLimit` minus the actionable ones. */
  reported: SyncEntry[];
  /** Entries left out of the two lists above. */
  unlisted: number;
  /** Members adopted into the identity map (sync mode). */
  adopted: number;
}

export interface SyncDelivery {
  /** Events the person's entity accepted (runs started or queued). */
  delivered: number;
  /** Events delivered before (a second sync over the same HR state): nothing new happens. */
  duplicates: number;
  /** Events no definition matched: nothing happens. */
  unmatched: number;
  failed: { employeeId: string | null; error: string }[];
}

export type SyncStatus = 'done' | 'rejected' | 'stopped' | 'drift';

export interface SyncReport extends Partial<SyncFindings> {
  syncId: string;
  mode: 'sync' | 'drift';
  status: SyncStatus;
  /** Why a sync stopped before acting (HR unreadable or implausible). */
  stopped?: { type: string; message: string };
  /** The operator's decision, when the guard held the sync. */
  decision?: SyncDecision & { at: string };
  delivery?: SyncDelivery;
}

/** An operator's answer to a sync held by the guard. */
export interface SyncDecision {
  approve: boolean;
  /** Who decided (recorded in the audit log). */
  by: string;
  reason?: string;
}

export interface SyncState {
  phase: 'reading' | 'needs-attention' | 'delivering' | 'finished';
  findings: SyncFindings | null;
  maxChanges: number;
}

/** Why a sync refuses a decision (the `type` of the failure its Update validator throws). */
export type SyncDecisionRefusal = 'NOT_WAITING' | 'INVALID_DECISION' | 'TOO_MANY_TO_APPROVE';

/** Approve or reject a sync the guard holds; refused (by the validator) unless one is waiting. */
export const syncDecisionUpdate = defineUpdate<SyncReport['decision'], [SyncDecision]>('decideSync');
export const syncStateQuery = defineQuery<SyncState>('syncState');

/** Workflow id of the Schedule's syncs (Temporal appends the scheduled time) and its Schedule's id. */
export const SYNC_SCHEDULE_ID = 'tenure-sync';
export const SYNC_WORKFLOW_PREFIX = 'sync/';
export const DRIFT_WORKFLOW_PREFIX = 'drift/';
