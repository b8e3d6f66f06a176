import type { Generated } from 'kysely';

/** Outcomes an audit row can record. */
export const OUTCOMES = ['created', 'updated', 'removed', 'noop', 'logged', 'failed', 'superseded', 'approved', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * Where a person stands in the OpenAI organization, as far as Tenure's own actions tell:
 * `invited` (an invite is pending), `active` (a member, or a SCIM user that is active),
 * `deactivated` (SCIM `active:false`), `removed` (no longer a member nor invited);
 * `none` when HR has told Tenure about the person but Tenure has given them nothing yet.
 */
export const IDENTITY_STATUSES = ['none', 'invited', 'active', 'deactivated', 'removed'] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];

export interface AuditLogTable {
  id: Generated<number>;
  /** Unique per recorded fact (`<runId>/<stepId>`): a retried write adds nothing. */
  record_key: string;
  /** ISO 8601 UTC, always 24 characters, so it sorts and compares as text. */
  recorded_at: string;
  run_id: string;
  definition: string;
  definition_hash: string;
  event_id: string;
  event_type: string;
  source: string;
  employee_id: string;
  step_id: string;
  action: string;
  /** Whom the action was about, e.g. the email invited. */
  target: string | null;
  outcome: Outcome;
  /** JSON object of OpenAI ids, e.g. {"inviteId":"invite-…"}. */
  openai_ids: string;
  error_type: string | null;
  error_message: string | null;
  /** Who decided: the approver, or the operator who retried, skipped or aborted. Added by 0003. */
  actor: string | null;
  /** Why they decided (operator decisions; an approval's timeout). Added by 0006. */
  reason: string | null;
}

/** The identity map: one row per person per HR source. Added by 0002. */
export interface IdentitiesTable {
  source: string;
  employee_id: string;
  email: string | null;
  openai_user_id: string | null;
  invite_id: string | null;
  scim_id: string | null;
  status: IdentityStatus;
  /** ISO 8601 UTC of the audit row that last changed it. */
  updated_at: string;
  /** What HR last said: employed or departed. Added by 0004. */
  hr_status: HrStatus | null;
  /** The HR event that said it, and when it happened (ISO 8601), so an older event never overrides a newer one. */
  hr_event_id: string | null;
  hr_event_at: string | null;
  /** When the action behind `status` saw OpenAI in that state (ISO 8601 UTC); a change older than this is not applied. Added by 0010. */
  observed_at: string | null;
}

export const HR_STATUSES = ['employed', 'departed'] as const;
export type HrStatus = (typeof HR_STATUSES)[number];

/** One sync that read HR (added by 0007): per-source HR counts, what it found and did. */
export interface SyncRunsTable {
  sync_id: string;
  /** ISO 8601 UTC. */
  recorded_at: string;
  status: string;
  /** JSON object: HR source → people listed. */
  hr_counts: string;
  /** JSON object: the sync's report (counts, acted, adopted). */
  summary: string;
}

/**
 * Every event id the trigger server handed to Temporal, kept for good (Temporal forgets a
 * run after its retention): a redelivery after that is still a duplicate. Added by 0008.
 */
export interface AcceptedEventsTable {
  source: string;
  event_id: string;
  employee_id: string;
  /** ISO 8601 UTC. */
  accepted_at: string;
}

export interface Database {
  audit_log: AuditLogTable;
  identities: IdentitiesTable;
  sync_runs: SyncRunsTable;
  accepted_events: AcceptedEventsTable;
}

/**
 * Longest accepted values, UTF-8 bytes, measured as at the door (events/text.ts). The
 * PostgreSQL columns are this many characters wide (so anything within the limit fits) and
 * SQLite enforces nothing, so the store checks them itself: both backends refuse the same rows.
 */
export const LIMITS = {
  recordKey: 512,
  runId: 512,
  definition: 128,
  definitionHash: 64,
  eventId: 256,
  eventType: 64,
  source: 64,
  employeeId: 256,
  stepId: 64,
  action: 64,
  target: 512,
  errorType: 128,
  actor: 256,
  reason: 1000,
  openaiId: 256,
  /** Longer error messages are cut to this, with an ellipsis: enough to act on, not a dump. */
  errorMessage: 2000,
} as const;
