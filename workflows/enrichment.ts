import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { EnrichmentActivities, EnrichmentFailureType } from '../activities/index.ts';
import { eventContext } from '../dsl/expression-context.ts';
import type { Plan } from '../dsl/plan.ts';
import type { DeliveredEvent, HrEvent } from '../events/index.ts';
import { loadRunEngine } from './run/engine.ts';

const enricher = proxyActivities<EnrichmentActivities>({
  startToCloseTimeout: '1m',
  // Vendor APIs have outages; keep trying for about an hour before the run fails.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', maximumAttempts: 12 },
  summary: 'read the person from the HR system',
});

export type Completed = { applies: true; event: HrEvent } | { applies: false; reason: string };

/**
 * The enrichment seam, inside a run. A complete event passes through. A thin one (it
 * carries `enrichment`) is completed by the `enrichEvent` activity, then judged as the
 * trigger server would have judged a complete one: the plan's event type (a thin event
 * may turn out to be one of several) and its condition.
 */
export async function completeEvent(plan: Plan, event: DeliveredEvent): Promise<Completed> {
  if (!('enrichment' in event) || event.enrichment === undefined) return { applies: true, event: event as HrEvent };
  let full: HrEvent;
  try {
    full = await enricher.enrichEvent(event);
  } catch (error) {
    // Fail the run with the enrichment's own type and reason, so the UI shows why at the top.
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const type = cause instanceof ApplicationFailure ? (cause.type ?? ('ENRICHMENT_FAILED' satisfies EnrichmentFailureType)) : ('ENRICHMENT_FAILED' satisfies EnrichmentFailureType);
    throw ApplicationFailure.nonRetryable(`could not read employee ${event.employee.id} from ${event.enrichment.vendor}: ${(cause as Error)?.message ?? String(cause)}`, type);
  }
  if (!('event' in plan.trigger)) return { applies: true, event: full };
  if (plan.trigger.event !== full.type) return { applies: false, reason: `the record shows ${full.type}, and ${plan.name} runs on ${plan.trigger.event}` };
  if (plan.trigger.if === undefined) return { applies: true, event: full };
  const { evaluateCondition } = await loadRunEngine();
  try {
    return evaluateCondition(plan.trigger.if, eventContext(full, plan.vars ?? {})) ? { applies: true, event: full } : { applies: false, reason: `condition not met: ${plan.trigger.if}` };
  } catch (error) {
    return { applies: false, reason: `condition could not be evaluated: ${(error as Error).message}` };
  }
}
