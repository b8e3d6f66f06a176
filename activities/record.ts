import { ApplicationFailure } from '@temporalio/common';
import { StoreInputError, StoreUnavailableError, type AuditRecord, type AuditWriter, type HrEventNote, type HrNoter } from '../store/index.ts';

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
  store: AuditWriter & Partial<HrNoter>;
  clock?: () => Date;
}

/**
 * The recording activity. Idempotent on `recordKey`: a retry after a write that did
 * commit adds no row and changes no identity. Store errors are retryable (the run waits
 * for the store and loses nothing); a record the store refuses is not.
 */
/** Store errors as failures: a refused input fails at once, anything else is retried (the run waits, nothing is lost). */
function asFailure(error: unknown): ApplicationFailure {
  if (error instanceof StoreInputError) {
    return ApplicationFailure.create({ type: RECORD_FAILURE_TYPES.invalid, message: error.message, nonRetryable: true, details: [{ field: error.field }] });
  }
  // The store's messages name the database without credentials.
  const type = error instanceof StoreUnavailableError ? RECORD_FAILURE_TYPES.unavailable : RECORD_FAILURE_TYPES.failed;
  return ApplicationFailure.create({ type, message: (error as Error).message, nonRetryable: false });
}

export function createRecordActivities({ store, clock = () => new Date() }: RecordDependencies) {
  return {
    /** Appends one audit row and updates the identity map, in one transaction. */
    async recordOutcome(entry: AuditRecord): Promise<{ written: boolean }> {
      try {
        return { written: await store.record(entry, clock()) };
      } catch (error) {
        throw asFailure(error);
      }
    },

    /**
     * Notes what an HR event says about a person (employed or departed) in the identity
     * map, whether or not a definition acts on it, so reconciliation can later find
     * departed people who still hold access. Older events never override newer ones.
     */
    async noteHrEvent(note: HrEventNote): Promise<{ applied: boolean }> {
      if (!store.noteHrEvent) throw ApplicationFailure.create({ type: RECORD_FAILURE_TYPES.failed, message: 'this store cannot note HR events', nonRetryable: true });
      try {
        return { applied: await store.noteHrEvent(note, clock()) };
      } catch (error) {
        throw asFailure(error);
      }
    },
  };
}

export type RecordActivities = ReturnType<typeof createRecordActivities>;
