import { isCancellation, proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';

/** The store writes a workflow makes itself: idempotent, so one done twice changes nothing. */
type StoreWrites = Pick<Activities, 'recordOutcome' | 'noteHrEvent'>;

/**
 * A store write as a local activity first: a marker in the workflow task that goes on, instead
 * of an activity task and the workflow task it wakes (five history events fewer, and the write
 * lands sooner). A store that does not answer within those few seconds gets the write as an
 * ordinary activity, with `options`: it retries as long as it takes, shows its last failure in
 * the Temporal UI, and grows no history while it retries. A refusal (non-retryable) goes the
 * same way, so callers see the ordinary activity's failure (an ActivityFailure, at once).
 */
export function storeWrites(options: ActivityOptions): StoreWrites {
  const remote = proxyActivities<StoreWrites>(options);
  const local = proxyLocalActivities<StoreWrites>({
    summary: options.summary,
    // Well within a workflow task's 10 s, so the task needs no heartbeat.
    startToCloseTimeout: '3s',
    scheduleToCloseTimeout: '6s',
    retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumAttempts: 3 },
  });
  const first =
    <K extends keyof StoreWrites>(name: K) =>
    async (...args: Parameters<StoreWrites[K]>): Promise<Awaited<ReturnType<StoreWrites[K]>>> => {
      const call = (side: StoreWrites) => (side[name] as (...a: Parameters<StoreWrites[K]>) => Promise<Awaited<ReturnType<StoreWrites[K]>>>)(...args);
      try {
        return await call(local);
      } catch (error) {
        // Whatever stopped the local attempts (a store that did not answer, or a refusal, which
        // fails the activity at once), the activity answers as callers expect: an ActivityFailure.
        if (isCancellation(error)) throw error;
        return call(remote);
      }
    };
  return { recordOutcome: first('recordOutcome'), noteHrEvent: first('noteHrEvent') };
}
