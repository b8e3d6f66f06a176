import { ApplicationFailure } from '@temporalio/common';
import { StoreInputError, StoreUnavailableError, type AuditRecord, type AuditWriter } from '../store/index.ts';

/** Failure types the recording activity raises. */
export const RECORD_FAILURE_TYPES = {
  /** The store refused the record: retrying cannot help, the run fails loudly. */
  invalid: 'INVALID_AUDIT_RECORD',
  /** The store is unreachable or busy: retried until it is back; the run waits. */
  unavailable: 'STORE_UNAVAILABLE',
  /** Any other database error: retried, and visible as the activity's last failure. */
  failed: 'STORE_FAILED',
} as const;

export interface RecordDependencies {
  store: AuditWriter;
  clock?: () => Date;
}

/**
 * The recording activity. Idempotent on `recordKey`: a retry after a write that did
 * commit adds no row and changes no identity. Store errors are retryable (the run waits
 * for the store and loses nothing); a record the store refuses is not.
 */
export function createRecordActivities({ store, clock = () => new Date() }: RecordDependencies) {
  return {
    /** Appends one audit row and updates the identity map, in one transaction. */
    async recordOutcome(entry: AuditRecord): Promise<{ written: boolean }> {
      try {
        return { written: await store.record(entry, clock()) };
      } catch (error) {
        if (error instanceof StoreInputError) {
          throw ApplicationFailure.create({ type: RECORD_FAILURE_TYPES.invalid, message: error.message, nonRetryable: true, details: [{ field: error.field }] });
        }
        // The store's messages name the database without credentials.
        const type = error instanceof StoreUnavailableError ? RECORD_FAILURE_TYPES.unavailable : RECORD_FAILURE_TYPES.failed;
        throw ApplicationFailure.create({ type, message: (error as Error).message, nonRetryable: false });
      }
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
