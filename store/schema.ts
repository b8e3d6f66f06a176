import type { Generated } from 'kysely';

/** Outcomes an audit row can record. */
export const OUTCOMES = ['created', 'updated', 'removed', 'noop', 'failed', 'superseded', 'approved', 'rejected'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface AuditLogTable {
  id: Generated<number>;
  /** Unique per recorded fact (run id + step id + attempt of the step): a retried write adds nothing. */
  record_key: string;
  /** ISO 8601 UTC. */
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
}

export interface Database {
  audit_log: AuditLogTable;
}
