import { ApplicationFailure } from '@temporalio/common';
import type { Employee } from '../events/index.ts';
import type { HrNoter } from '../store/index.ts';

/** A person a scheduled reconciliation should act on. */
export interface ReconciliationSubject {
  /** The HR source the person belongs to (their entity is `employee/<source>/<id>`). */
  source: string;
  employee: Employee;
}

/**
 * Where a scheduled reconciliation learns whom to act on. The implementation compares
 * the OpenAI organization's users with the identity map (HR employee id ↔ OpenAI user,
 * with each person's employment status) — which lands with the results store's identity
 * map; until then no implementation ships and scheduled reconciliations fail, loudly.
 */
export interface ReconciliationSource {
  /** People whose employment has ended but who still hold access to the OpenAI organization. */
  departedWithAccess(): Promise<ReconciliationSubject[]>;
}

/**
 * Reconciliation from Tenure's own identity map: people whose last HR event was a
 * departure while Tenure's record says they are still invited or active — an
 * offboarding that failed, was aborted, or ran before the account existed. (A departure
 * whose webhook never arrived is not in the map; finding those needs the HR system's API.)
 */
export function storeReconciliation(store: Pick<HrNoter, 'departedWithAccess'>): ReconciliationSource {
  return {
    async departedWithAccess() {
      const people = await store.departedWithAccess();
      return people
        .filter((p): p is typeof p & { email: string } => typeof p.email === 'string' && p.email.length > 0)
        .map((p) => ({ source: p.source, employee: { id: p.employeeId, email: p.email } }));
    },
  };
}

/** Failure type when no reconciliation source is wired in. */
export type ReconciliationFailureType = 'RECONCILIATION_UNAVAILABLE';

export function createReconciliationActivities({ reconciliation }: { reconciliation?: ReconciliationSource | undefined }) {
  return {
    /** The people a scheduled run of `definition` should act on, as of now. */
    async findDepartedWithAccess({ definition }: { definition: string }): Promise<ReconciliationSubject[]> {
      if (!reconciliation) {
        throw ApplicationFailure.create({
          type: 'RECONCILIATION_UNAVAILABLE' satisfies ReconciliationFailureType,
          nonRetryable: true,
          message: `the scheduled definition '${definition}' needs to compare OpenAI users with departed employees, but this worker has no reconciliation source (it needs the identity map)`,
        });
      }
      return reconciliation.departedWithAccess();
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
