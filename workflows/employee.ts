import {
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { Plan } from '../dsl/plan.ts';
import type { DeliveredEvent } from '../events/index.ts';
import { definitionRun } from './definition-run.ts';
import { runWorkflowId } from './ids.ts';
import { SEARCH_ATTRIBUTES } from './search-attributes.ts';

/** One delivered event and the plans that matched it when it was accepted. */
export interface EmployeeEvent {
  /** Complete, or thin (enriched by each run before it acts). */
  event: DeliveredEvent;
  plans: Plan[];
}

export interface EmployeeWorkflowInput {
  source: string;
  employeeId: string;
  /** Event ids already applied, carried across continue-as-new. */
  seenEventIds?: string[];
  /** Events received but not yet applied, carried across continue-as-new. */
  pending?: EmployeeEvent[];
}

export interface EmployeeState {
  pending: { eventId: string; type: string; occurredAt: string }[];
  current: string | null;
  applied: number;
}

export const hrEventSignal = defineSignal<[EmployeeEvent]>('hrEvent');
export const employeeStateQuery = defineQuery<EmployeeState>('state');

const noter = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  // The store being down makes the person's events wait, never lost.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'note HR event in the identity map',
});

/** Event ids remembered for de-duplication; older ones fall back on the runs' unique workflow ids. */
const MAX_REMEMBERED_EVENTS = 500;

/**
 * The entity workflow for one person: receives every event for them, drops duplicates,
 * applies events in `occurredAt` order and runs each matching definition as a child,
 * one at a time, so two runs never act on the same person at once. It closes when
 * nothing is pending; the next event starts it again.
 */
export async function employeeWorkflow(input: EmployeeWorkflowInput): Promise<{ applied: number }> {
  const seen = new Set(input.seenEventIds ?? []);
  const queue: EmployeeEvent[] = [...(input.pending ?? [])];
  let current: string | null = null;
  let applied = 0;

  setHandler(hrEventSignal, (delivery) => {
    if (seen.has(delivery.event.id) || queue.some((q) => q.event.id === delivery.event.id)) {
      log.info('duplicate event dropped', { eventId: delivery.event.id });
      return;
    }
    queue.push(delivery);
    queue.sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt));
  });
  setHandler(employeeStateQuery, () => ({
    pending: queue.map((q) => ({ eventId: q.event.id, type: q.event.type, occurredAt: q.event.occurredAt })),
    current,
    applied,
  }));

  // Signal-with-start delivers the first event in the first activation; wait for it.
  if (queue.length === 0) await condition(() => queue.length > 0, '10s');

  while (queue.length > 0) {
    const { event, plans } = queue.shift() as EmployeeEvent;
    current = event.id;
    seen.add(event.id);
    // The identity map learns what HR said (employed, departed) whatever the definitions do
    // with it; reconciliation reads it. A thin event's type is not yet certain: not noted.
    if (!('enrichment' in event && event.enrichment)) {
      await noter.noteHrEvent({
        source: input.source,
        employeeId: input.employeeId,
        email: event.employee.email ?? null,
        eventId: event.id,
        eventType: event.type,
        occurredAt: event.occurredAt,
      });
    }
    for (const plan of plans) {
      const workflowId = runWorkflowId(plan.name, input.employeeId, event.id);
      try {
        await executeChild(definitionRun, {
          workflowId,
          args: [{ plan, event }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          staticSummary: `${event.type} ${event.employee.email ?? event.employee.id} — ${plan.name} v${plan.version}`,
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.employeeId, value: input.employeeId },
            { key: SEARCH_ATTRIBUTES.source, value: input.source },
            { key: SEARCH_ATTRIBUTES.eventType, value: event.type },
            { key: SEARCH_ATTRIBUTES.definition, value: plan.name },
            { key: SEARCH_ATTRIBUTES.definitionHash, value: plan.hash },
            { key: SEARCH_ATTRIBUTES.status, value: 'running' },
          ],
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          log.info('run already exists; redelivered event', { workflowId });
        } else if (error instanceof ChildWorkflowFailure) {
          // The run failed and says why in its own history; the person's later events still apply.
          log.warn('run failed', { workflowId, error: error.cause?.message });
        } else throw error;
      }
    }
    applied++;
    current = null;
    if (workflowInfo().continueAsNewSuggested) {
      const remembered = [...seen].slice(-MAX_REMEMBERED_EVENTS);
      await continueAsNew<typeof employeeWorkflow>({ ...input, seenEventIds: remembered, pending: queue });
    }
  }
  return { applied };
}
