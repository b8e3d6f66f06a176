import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { matchPlans, type Plan } from '../dsl/index.ts';
import { needsEnrichment, type DeliveredEvent, type EventType } from '../events/index.ts';
import type { EmployeeWorkflowInput } from '../workflows/index.ts';
import type { EventMemory } from '../store/index.ts';
import type { ConditionEvaluator } from './conditions.ts';
import { employeeWorkflowId, hrEventSignal, runWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/shared.ts';

/** What became of one event: handed to Temporal, already there, or matched by no definition. */
export type DispatchOutcome = 'accepted' | 'duplicate' | 'unmatched';

export interface Dispatched {
  eventId: string;
  /** The person's entity workflow. */
  workflowId: string;
  /** One run per matching definition. */
  runs: string[];
  outcome: DispatchOutcome;
  /** True when the event id was accepted before (the results store remembers it): a redelivery. */
  duplicate: boolean;
  /** True for a thin event: conditions are evaluated by each run once the record is enriched. */
  deferred: boolean;
  /** Definitions whose condition failed to evaluate (they did not run). */
  conditionErrors: { definition: string; error: string }[];
}

export interface DispatchOptions {
  /** Longest wait for Temporal per event, milliseconds; past it the delivery is refused with 503. Default 5,000. */
  timeoutMs?: number;
  /** Evaluates a complete event's conditions (the trigger server's {@link ConditionEvaluator}). Default: on this thread. */
  conditions?: ConditionEvaluator['match'];
  /**
   * The event ids handed to Temporal before, kept in the results store for good: an event
   * found there is a duplicate even after Temporal has deleted its runs. Default: none
   * (a redelivery is then signalled again, answered as accepted, and dropped by the entity).
   */
  events?: EventMemory;
}

/** Some conditions could not be judged in time: the event was not accepted and must be delivered again. */
export class ConditionsUnjudged extends Error {
  readonly unjudged: { definition: string; error: string }[];
  constructor(unjudged: { definition: string; error: string }[]) {
    super(`conditions not judged: ${unjudged.map((u) => `${u.definition} (${u.error})`).join('; ')}`);
    this.name = 'ConditionsUnjudged';
    this.unjudged = unjudged;
  }
}

/**
 * The plans an event starts. A complete event is matched on type and condition now; a
 * thin one on type alone (any type it may turn out to be), because its condition can only
 * be judged on the enriched record — each run does that and ends at once if it fails.
 */
export function plansFor(plans: readonly Plan[], event: DeliveredEvent): { matched: Plan[]; errors: { definition: string; error: string }[]; deferred: boolean } {
  if (needsEnrichment(event)) {
    const types: readonly EventType[] = event.enrichment.possibleTypes ?? [event.type];
    return { matched: plans.filter((p) => 'event' in p.trigger && types.includes(p.trigger.event)), errors: [], deferred: true };
  }
  const { matched, errors } = matchPlans(plans, event);
  return { matched, errors: errors.map((e) => ({ definition: e.plan.name, error: e.error ?? '' })), deferred: false };
}

/**
 * Hands an accepted event to Temporal: signal-with-start of the person's entity
 * workflow, carrying the plans that match. Resolves only once Temporal has accepted it;
 * rejects (with the gRPC error) when Temporal is unreachable or too slow.
 */
export async function dispatch(client: Client, taskQueue: string, plans: readonly Plan[], event: DeliveredEvent, options: DispatchOptions = {}): Promise<Dispatched> {
  const { matched, errors: conditionErrors, unjudged, deferred } =
    options.conditions && !needsEnrichment(event) ? { ...(await options.conditions(plans, event)), deferred: false } : { ...plansFor(plans, event), unjudged: [] };
  // A condition the evaluator could not judge (past its deadline, its thread stopped) is
  // not a condition that failed: refuse the event, so the sender retries, rather than drop it.
  if (unjudged.length > 0) throw new ConditionsUnjudged(unjudged);
  const workflowId = employeeWorkflowId(event.source, event.employee.id);
  const runs = matched.map((plan) => runWorkflowId(plan.name, event.employee.id, event.id));
  const result = (outcome: DispatchOutcome): Dispatched => ({ eventId: event.id, workflowId, runs, outcome, duplicate: outcome === 'duplicate', deferred, conditionErrors });

  // Nothing matched: nothing to run. A person whose entity is open (a run waits) still
  // hears of it, so a moved start date reaches the waiting run; otherwise Temporal is not bothered.
  if (runs.length === 0) {
    if (!deferred) await forwardToOpenEntity(client, workflowId, event, options.timeoutMs ?? 5_000);
    return result('unmatched');
  }
  // A redelivery is known without asking Temporal: the store remembers every event id it
  // accepted. One it does not know (no store, or the write below failed) is signalled
  // again, which is harmless: the entity drops an event id it has seen, and a run's id
  // (REJECT_DUPLICATE) cannot start twice.
  if (await options.events?.wasAccepted(event.source, event.id)) return result('duplicate');
  const noted = await noteAtTheDoor(options.events, event);
  const outcome = await client.withDeadline(Date.now() + (options.timeoutMs ?? 5_000), async () => {
    const input: EmployeeWorkflowInput = { source: event.source, employeeId: event.employee.id };
    await client.workflow.signalWithStart('employeeWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      signal: 'hrEvent',
      signalArgs: [{ event, plans: matched, ...(noted !== undefined ? { noted } : {}) }],
      staticSummary: `Events for employee ${event.employee.id} (${event.source})`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.employeeId, value: event.employee.id },
        { key: SEARCH_ATTRIBUTES.source, value: event.source },
      ],
    });
    return result('accepted');
  });
  // Only once Temporal has it; should this fail, the sender's retry is signalled again (and dropped by the entity) and remembered then.
  await options.events?.rememberEvent({ source: event.source, eventId: event.id, employeeId: event.employee.id });
  return outcome;
}

/**
 * Notes what a complete event says of the person (employed, departed) in the identity map
 * before it is handed over, so the entity needs no store write of its own: whether the store
 * applied it (false: it holds a newer HR event for the person). Undefined when there is no
 * store here, the event is thin (its type is known only once enriched) or the store did not
 * answer: the entity then notes it itself.
 */
async function noteAtTheDoor(events: EventMemory | undefined, event: DeliveredEvent): Promise<boolean | undefined> {
  if (!events?.noteHrEvent || needsEnrichment(event)) return undefined;
  try {
    return await events.noteHrEvent({ source: event.source, employeeId: event.employee.id, email: event.employee.email ?? null, eventId: event.id, eventType: event.type, occurredAt: event.occurredAt });
  } catch {
    return undefined;
  }
}

async function forwardToOpenEntity(client: Client, workflowId: string, event: DeliveredEvent, timeoutMs: number): Promise<void> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).signal(hrEventSignal, { event, plans: [] }));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}
