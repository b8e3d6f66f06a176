import { ApplicationFailure } from '@temporalio/common';
import type { EventType } from '../events/index.ts';
import { HrApiError, type HrConnector } from '../hris/index.ts';
import type { Enricher } from './enrichment.ts';

/** Enrichment failure types the HR connectors add: the HR API's own, and a person HR does not have. */
export type HrEnrichmentFailureType = 'HR_API_UNAVAILABLE' | 'HR_API_UNAUTHORIZED' | 'HR_API_INVALID' | 'HR_PERSON_NOT_FOUND';

export interface HrEnricherOptions {
  /**
   * The email Tenure last knew for a person (the identity map's), for a departure whose
   * person HR no longer has (a deletion): access must still end. Default: none known.
   */
  knownEmail?: (source: string, employeeId: string) => Promise<string | undefined>;
}

/**
 * The {@link Enricher} of a vendor, over its HR connector: reads the person named by a
 * thin event and hands back their record. When the event may be a departure (a BambooHR
 * update) and HR shows the person terminated, it is one. An HR API that is down or
 * throttling is retried (after its Retry-After); refused credentials, a bad answer or a
 * person HR does not have fail the run at once, saying what to fix.
 */
export function connectorEnricher(connector: HrConnector, options: HrEnricherOptions = {}): Enricher {
  return {
    vendor: connector.vendor,
    async enrich(event) {
      const id = event.employee.id;
      let person;
      try {
        person = await connector.getPerson(id);
      } catch (error) {
        if (!(error instanceof HrApiError)) throw error;
        if (error.type === 'HR_API_UNAVAILABLE') {
          throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: false, ...(error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}) });
        }
        throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
      }
      if (!person) {
        // A person deleted from HR still leaves: with the email access was granted to.
        const email = event.type === 'employee.departed' ? await options.knownEmail?.(event.source, id) : undefined;
        if (email) return { employee: { email } };
        throw ApplicationFailure.create({
          type: 'HR_PERSON_NOT_FOUND' satisfies HrEnrichmentFailureType,
          nonRetryable: true,
          message: `${connector.vendor} has no employee ${id} (404); the webhook named a person its API does not show: check that the API user may see every employee`,
        });
      }
      const { id: _id, ...employee } = person.employee;
      const departed = person.employment === 'terminated' && (event.enrichment.possibleTypes ?? [event.type]).includes('employee.departed');
      const endDate = employee.endDate ?? person.terminationDate ?? undefined;
      return {
        employee: { ...employee, ...(departed && endDate ? { endDate } : {}) },
        ...(departed ? { type: 'employee.departed' as EventType } : {}),
      };
    },
  };
}

/** One enricher per connector. */
export function hrEnrichers(connectors: readonly HrConnector[], options: HrEnricherOptions = {}): Enricher[] {
  return connectors.map((connector) => connectorEnricher(connector, options));
}
