// The recording activity's failure contract: what the engine's retry policy sees.
// The store is a stand-in of the AuditWriter type here, to produce each kind of error on
// demand; the real store is exercised against both backends in test/integration/store-*.
import { describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { createRecordActivities, RECORD_FAILURE_TYPES } from '../../../activities/index.ts';
import { StoreError, StoreInputError, StoreUnavailableError, type AuditRecord, type AuditWriter } from '../../../store/index.ts';

const record = { recordKey: 'r/s' } as AuditRecord;
const failing = (error: Error): AuditWriter => ({ record: async () => Promise.reject(error) });

async function failureOf(store: AuditWriter): Promise<ApplicationFailure> {
  const error = await createRecordActivities({ store }).recordOutcome(record).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('recordOutcome', () => {
  it('returns whether a row was written, passing the clock through', async () => {
    const seen: Date[] = [];
    const now = new Date('2026-11-01T00:00:00Z');
    const store: AuditWriter = { record: async (_e, at) => (seen.push(at as Date), true) };
    expect(await createRecordActivities({ store, clock: () => now }).recordOutcome(record)).toEqual({ written: true });
    expect(seen).toEqual([now]);
  });

  it('retries when the store is unavailable', async () => {
    const failure = await failureOf(failing(new StoreUnavailableError('the results store at postgres://db:5432/tenure is unavailable')));
    expect([failure.type, failure.nonRetryable]).toEqual([RECORD_FAILURE_TYPES.unavailable, false]);
  });

  it('retries any other database error', async () => {
    const failure = await failureOf(failing(new StoreError('STORE_FAILED', 'disk full')));
    expect([failure.type, failure.nonRetryable]).toEqual([RECORD_FAILURE_TYPES.failed, false]);
  });

  it('fails for good on a record the store refuses, naming the field', async () => {
    const failure = await failureOf(failing(new StoreInputError('stepId', 'stepId too long')));
    expect([failure.type, failure.nonRetryable, failure.details]).toEqual([RECORD_FAILURE_TYPES.invalid, true, [{ field: 'stepId' }]]);
  });
});
