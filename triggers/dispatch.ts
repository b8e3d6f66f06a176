import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { matchPlans, type Plan } from '../dsl/index.ts';
import type { HrEvent } from '../events/index.ts';
import type { EmployeeWorkflowInput } from '../workflows/index.ts';
import { employeeWorkflowId, runWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/shared.ts';

export interface Dispatched {
  eventId: string;
  /** The person's entity workflow. */
  workflowId: string;
  /** One run per matching definition. */
  runs: string[];
  /** True when every run already existed: a redelivery. */
  duplicate: boolean;
  /** Definitions whose condition failed to evaluate (they did not run). */
  conditionErrors: { definition: string; error: string }[];
}

/**
 * Hands an accepted event to Temporal: signal-with-start of the person's entity
 * workflow, carrying the plans that match. Resolves only once Temporal has accepted it.
 */
export async function dispatch(client: Client, taskQueue: string, plans: readonly Plan[], event: HrEvent): Promise<Dispatched> {
  const { matched, errors } = matchPlans(plans, event);
  const workflowId = employeeWorkflowId(event.source, event.employee.id);
  const runs = matched.map((plan) => runWorkflowId(plan.name, event.employee.id, event.id));
  const conditionErrors = errors.map((e) => ({ definition: e.plan.name, error: e.error ?? '' }));

  // Nothing matched: nothing to order or run, so Temporal is not bothered.
  if (runs.length === 0) return { eventId: event.id, workflowId, runs, duplicate: false, conditionErrors };
  if (await allExist(client, runs)) {
    return { eventId: event.id, workflowId, runs, duplicate: true, conditionErrors };
  }
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
  return { eventId: event.id, workflowId, runs, duplicate: false, conditionErrors };
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
