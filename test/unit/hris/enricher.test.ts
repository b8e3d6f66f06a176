// The Enricher over an HR connector, with fakes of the HrConnector type (the connectors
// themselves are tested over HTTP in connectors.test.ts): a BambooHR update whose record
// shows a termination is a departure; one that does not stays an update; HR outages stay
// retryable (after Retry-After), refused credentials and unknown people do not.
import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { connectorEnricher, createEnrichmentActivities } from '../../../activities/index.ts';
import type { PendingEvent } from '../../../events/index.ts';
import { HrApiError, type HrConnector, type HrPerson } from '../../../hris/index.ts';

function connector(answer: HrPerson | undefined | HrApiError): HrConnector {
  return {
    vendor: 'bamboohr',
    source: 'bamboohr',
    async getPerson() {
      if (answer instanceof HrApiError) throw answer;
      return answer;
    },
    async *listPeople() {
      yield [];
    },
  };
}

const update: PendingEvent = {
  id: 'bamboohr.evt1',
  type: 'employee.updated',
  occurredAt: '2026-11-20T10:00:00Z',
  source: 'bamboohr',
  employee: { id: '42' },
  enrichment: { vendor: 'bamboohr', missing: ['email'], changedFields: ['status'], possibleTypes: ['employee.updated', 'employee.departed'] },
};

const person = (employment: HrPerson['employment'], terminationDate: string | null = null): HrPerson => ({
  vendor: 'bamboohr',
  id: '42',
  employee: { id: '42', email: 'sam@acme.example', department: 'Sales' },
  employment,
  terminationDate,
});

async function enriched(answer: Parameters<typeof connector>[0], event: PendingEvent = update) {
  return createEnrichmentActivities({ enrichers: [connectorEnricher(connector(answer))] }).enrichEvent(event);
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApplicationFailure) return error;
    throw error;
  }
  throw new Error('expected an ApplicationFailure');
}

describe('connectorEnricher', () => {
  it('turns a BambooHR update into a departure when the record shows a termination, with the end date', async () => {
    expect(await enriched(person('terminated', '2026-11-01'))).toMatchObject({ type: 'employee.departed', employee: { id: '42', email: 'sam@acme.example', endDate: '2026-11-01' } });
  });

  it('keeps an update an update when the person is still employed, and never makes a hire a departure', async () => {
    expect(await enriched(person('active'))).toMatchObject({ type: 'employee.updated', employee: { email: 'sam@acme.example' } });
    const hire: PendingEvent = { ...update, type: 'employee.hired', enrichment: { vendor: 'bamboohr', missing: ['email'] } };
    expect(await enriched(person('terminated', '2026-11-01'), hire)).toMatchObject({ type: 'employee.hired' });
  });

  it('leaves an HR outage retryable, after the Retry-After HR asked for', async () => {
    const failure = await failureOf(enriched(new HrApiError({ type: 'HR_API_UNAVAILABLE', vendor: 'bamboohr', status: 429, message: 'BambooHR throttled', retryAfterMs: 7000 })));
    expect(failure).toMatchObject({ type: 'HR_API_UNAVAILABLE', nonRetryable: false, nextRetryDelay: 7000 });
  });

  it('fails at once on refused credentials and on a person HR does not have', async () => {
    expect(await failureOf(enriched(new HrApiError({ type: 'HR_API_UNAUTHORIZED', vendor: 'bamboohr', status: 401, message: 'check BAMBOOHR_API_KEY' })))).toMatchObject({
      type: 'HR_API_UNAUTHORIZED',
      nonRetryable: true,
    });
    const missing = await failureOf(enriched(undefined));
    expect(missing).toMatchObject({ type: 'HR_PERSON_NOT_FOUND', nonRetryable: true });
    expect(missing.message).toContain('bamboohr has no employee 42');
  });

  it('ends the access of a person deleted from HR with the email Tenure knew, and only for a departure', async () => {
    const knownEmail = async (source: string, id: string) => (source === 'bamboohr' && id === '42' ? 'sam@acme.example' : undefined);
    const activities = createEnrichmentActivities({ enrichers: [connectorEnricher(connector(undefined), { knownEmail })] });
    const deleted: PendingEvent = { ...update, type: 'employee.departed', enrichment: { vendor: 'bamboohr', missing: ['email'] } };
    expect(await activities.enrichEvent(deleted)).toMatchObject({ type: 'employee.departed', employee: { id: '42', email: 'sam@acme.example' } });
    const missing = await failureOf(activities.enrichEvent({ ...update, enrichment: { vendor: 'bamboohr', missing: ['email'] } }));
    expect(missing).toMatchObject({ type: 'HR_PERSON_NOT_FOUND', nonRetryable: true });
    expect(missing.message).toContain('bamboohr has no employee 42');
  });
});
