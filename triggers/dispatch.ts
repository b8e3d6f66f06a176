import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { matchPlans, type Plan } from '../dsl/index.ts';
import { needsEnrichment, type DeliveredEvent, type EventType } from '../events/index.ts';
import type { EmployeeWorkflowInput } from '../workflows/index.ts';
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
  /** True when every run already existed: a redelivery. */
  duplicate: boolean;
  /** True for a thin event: conditions are evaluated by each run once the record is enriched. */
  deferred: boolean;
  /** Definitions whose condition failed to evaluate (they did not run). */
  conditionErrors: { definition: string; error: string }[];
}

export interface DispatchOptions {
  /** Longest wait for Temporal per event, milliseconds; past it the delivery is refused with 503. Default 5,000. */
  timeoutMs?: number;
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
  const { matched, errors: conditionErrors, deferred } = plansFor(plans, event);
  const workflowId = employeeWorkflowId(event.source, event.employee.id);
  const runs = matched.map((plan) => runWorkflowId(plan.name, event.employee.id, event.id));
  const result = (outcome: DispatchOutcome): Dispatched => ({ eventId: event.id, workflowId, runs, outcome, duplicate: outcome === 'duplicate', deferred, conditionErrors });

  // Nothing matched: nothing to run. A person whose entity is open (a run waits) still
  // hears of it, so a moved start date reaches the waiting run; otherwise Temporal is not bothered.
  if (runs.length === 0) {
    if (!deferred) await forwardToOpenEntity(client, workflowId, event, options.timeoutMs ?? 5_000);
    return result('unmatched');
  }
  return client.withDeadline(Date.now() + (options.timeoutMs ?? 5_000), async () => {
    // Every run exists: a redelivery. (A run still queued behind this person's earlier
    // events does not exist yet; re-signalling it is harmless — the entity drops duplicates.)
    if (await allExist(client, runs)) return result('duplicate');
    const input: EmployeeWorkflowInput = { source: event.source, employeeId: event.employee.id };
    await client.workflow.signalWithStart('employeeWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      signal: 'hrEvent',
      signalArgs: [{ event, plans: matched }],
      staticSummary: `Events for employee ${event.employee.id} (${event.source})`,
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.employeeId, value: event.employee.id },
        { key: SEARCH_ATTRIBUTES.source, value: event.source },
      ],
    });
    return result('accepted');
  });
}

async function forwardToOpenEntity(client: Client, workflowId: string, event: DeliveredEvent, timeoutMs: number): Promise<void> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).signal(hrEventSignal, { event, plans: [] }));
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
  }
}

async function allExist(client: Client, workflowIds: string[]): Promise<boolean> {
  for (const id of workflowIds) {
    try {
      await client.workflow.getHandle(id).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }
  return true;
}
