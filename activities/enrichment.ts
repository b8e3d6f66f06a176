import { ApplicationFailure } from '@temporalio/common';
import { hrEventSchema, type Employee, type EventType, type HrEvent, type PendingEvent } from '../events/index.ts';

/**
 * Reads a person's current record from an HR system's API, for events whose webhook was
 * thin (ids only). One per vendor; its credentials live in the enricher, never in the event.
 */
export interface Enricher {
  /** Which events it serves: their `enrichment.vendor` (`bamboohr`, `hibob`, …). */
  readonly vendor: string;
  /**
   * The person's record in HrEvent terms, and — when the event lists `possibleTypes` —
   * which of them it is (a BambooHR update whose record shows a termination is a departure).
   * Throw to retry (the workflow's retry policy applies); throw a non-retryable
   * ApplicationFailure when the person cannot be read at all.
   */
  enrich(event: PendingEvent): Promise<{ employee: Partial<Employee>; type?: EventType }>;
}

/** Failure types of enrichment; `ENRICHMENT_FAILED` is an enricher's own error, once retries are spent. */
export type EnrichmentFailureType = 'ENRICHMENT_UNAVAILABLE' | 'ENRICHMENT_INVALID' | 'ENRICHMENT_FAILED';

function failure(type: Exclude<EnrichmentFailureType, 'ENRICHMENT_FAILED'>, message: string): ApplicationFailure {
  // Configuration or data problems: retrying cannot help, so the run fails at once and says why.
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** The enrichment activity, over the enrichers this worker has (one per configured HR connector: see hr-enricher.ts). */
export function createEnrichmentActivities({ enrichers = [] }: { enrichers?: readonly Enricher[] }) {
  return {
    /** Completes a thin event from its vendor's API; the result is a valid HrEvent or a typed failure. */
    async enrichEvent(event: PendingEvent): Promise<HrEvent> {
      const { vendor } = event.enrichment;
      const enricher = enrichers.find((e) => e.vendor === vendor);
      if (!enricher) {
        throw failure(
          'ENRICHMENT_UNAVAILABLE',
          `the ${event.source} webhook for employee ${event.employee.id} carried no ${event.enrichment.missing.join(', ') || 'record'}, ` +
            `and this worker has no enricher for ${vendor} to read it from ${vendor}'s API. ` +
            `Send the full record (a ${vendor === 'bamboohr' ? 'field-based BambooHR webhook with Work Email' : 'generic HrEvent'}), or register an Enricher for ${vendor} with the worker.`,
        );
      }
      const found = await enricher.enrich(event);
      const allowed = event.enrichment.possibleTypes ?? [event.type];
      const type = found.type ?? event.type;
      if (!allowed.includes(type)) throw failure('ENRICHMENT_INVALID', `the ${vendor} enricher said ${type}; this event can only be ${allowed.join(' or ')}`);
      const { enrichment: _done, ...known } = event;
      const parsed = hrEventSchema.safeParse({ ...known, type, employee: { ...event.employee, ...found.employee, id: event.employee.id } });
      if (!parsed.success) {
        throw failure('ENRICHMENT_INVALID', `the ${vendor} record of employee ${event.employee.id} is not a valid HrEvent: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      }
      return parsed.data;
    },
  };
}

export type EnrichmentActivities = ReturnType<typeof createEnrichmentActivities>;
