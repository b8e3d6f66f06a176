import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  type ExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { Plan } from '../dsl/plan.ts';
import type { DeliveredEvent, EventType, HrEvent } from '../events/index.ts';
import { definitionRun, type EngineFailureType } from './definition-run.ts';
import { openaiTaskQueueFor, runWorkflowId } from './ids.ts';
import {
  employeeChangedSignal,
  employeeStateQuery,
  hrEventSignal,
  leaseGrantedSignal,
  leaseReleaseSignal,
  leaseRequestSignal,
  runEndedSignal,
  supersedeSignal,
  type EmployeeEvent,
  type EmployeeState,
  type EntityRun,
  type Supersession,
} from './messages.ts';
import { SEARCH_ATTRIBUTES } from './search-attributes.ts';

export { hrEventSignal, employeeStateQuery, type EmployeeEvent, type EmployeeState } from './messages.ts';

/** What the entity remembers about the person's events, to apply them in `occurredAt` order. */
export interface EmployeeMemory {
  /** The newest hire or departure applied. */
  lifecycle?: { type: EventType; eventId: string; occurredAt: string };
  /** When the newest `employee.updated` applied happened. */
  lastUpdateAt?: string;
  /** The newest complete HR record applied, and when it was true. */
  latest?: { occurredAt: string; employee: HrEvent['employee'] };
}

export interface EmployeeWorkflowInput {
  source: string;
  employeeId: string;
  /** Event ids already applied, carried across continue-as-new. */
  seenEventIds?: string[];
  /** Events received but not yet applied, carried across continue-as-new. */
  pending?: EmployeeEvent[];
  /** Runs started and not yet ended, carried across continue-as-new. */
  runs?: EntityRun[];
  /** The per-person lease: who holds it, who waits (in order), carried across continue-as-new. */
  lease?: { holder: string | null; waiting: string[] };
  memory?: EmployeeMemory;
  /** Events applied so far, across continue-as-new. */
  applied?: number;
  /**
   * Continue as new once the history has this many events, even before the server
   * suggests it (at 4,096 events or 4 MB by default). For tests; unset in production.
   */
  continueAsNewAfter?: number;
}

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  // The store being down makes the person's events wait, never lost.
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'note HR event in the identity map',
});

/** Event ids remembered for de-duplication; older ones fall back on the runs' unique workflow ids. */
const MAX_REMEMBERED_EVENTS = 500;

const LIFECYCLE: readonly EventType[] = ['employee.hired', 'employee.departed'];
const at = (iso: string) => Date.parse(iso);
const isThin = (event: DeliveredEvent) => 'enrichment' in event && event.enrichment !== undefined;
const VERB: Record<EventType, string> = { 'employee.hired': 'Onboard', 'employee.departed': 'Offboard', 'employee.updated': 'Update', 'contract.renewed': 'Renew' };

/**
 * The entity workflow for one person (`employee/<source>/<id>`): receives every event for
 * them, drops duplicates, and applies events in `occurredAt` order:
 *
 * - an event older than a hire or departure already applied (or than an update, for an
 *   update) is not applied: its runs are recorded as superseded (STALE_EVENT);
 * - a departure supersedes the person's runs of older events still in flight (an
 *   onboarding waiting for the start date stops, nothing is invited); a hire (a rehire)
 *   supersedes an older offboarding that has not acted yet;
 * - a newer HR record reaches runs in flight (a moved start date moves their wait);
 * - each matching definition runs as a child `<definition>/<id>/<eventId>`, at once, so a
 *   60-day wait never holds up the person's later events.
 *
 * Runs take a per-person lease from this workflow before each OpenAI action, so two runs
 * never act on the same person at once. The entity stays open while any of its runs is
 * open, continues as new when the history grows, and closes when nothing is pending; the
 * next event starts it again.
 */
export async function employeeWorkflow(input: EmployeeWorkflowInput): Promise<{ applied: number }> {
  const info = workflowInfo();
  const seen = new Set(input.seenEventIds ?? []);
  const queue: EmployeeEvent[] = [...(input.pending ?? [])];
  const runs = new Map((input.runs ?? []).map((run) => [run.workflowId, run]));
  const lease = { holder: input.lease?.holder ?? null, waiting: [...(input.lease?.waiting ?? [])] };
  const memory: EmployeeMemory = { ...input.memory };
  let applied = input.applied ?? 0;

  const byOccurredAt = (a: EmployeeEvent, b: EmployeeEvent) => at(a.event.occurredAt) - at(b.event.occurredAt);
  setHandler(hrEventSignal, (delivery) => {
    if (seen.has(delivery.event.id) || queue.some((q) => q.event.id === delivery.event.id)) {
      log.info('duplicate event dropped', { eventId: delivery.event.id });
      return;
    }
    queue.push(delivery);
    queue.sort(byOccurredAt);
  });

  const ended = (workflowId: string) => {
    runs.delete(workflowId);
    if (lease.holder === workflowId) lease.holder = null;
    lease.waiting = lease.waiting.filter((w) => w !== workflowId);
  };
  setHandler(leaseRequestSignal, ({ run }) => {
    if (!runs.has(run)) return log.warn('lease asked by a run this entity does not know', { run });
    if (lease.holder !== run && !lease.waiting.includes(run)) lease.waiting.push(run);
  });
  setHandler(leaseReleaseSignal, ({ run, acted }) => {
    const known = runs.get(run);
    if (known && acted) known.acted = true;
    if (lease.holder === run) lease.holder = null;
  });
  setHandler(runEndedSignal, ({ run }) => ended(run));
  setHandler(employeeStateQuery, (): EmployeeState => ({
    pending: queue.map((q) => ({ eventId: q.event.id, type: q.event.type, occurredAt: q.event.occurredAt })),
    runs: [...runs.values()],
    lease: { holder: lease.holder, waiting: [...lease.waiting] },
    applied,
    lifecycle: memory.lifecycle ?? null,
  }));

  /** The next waiting run to hand the lease to: the oldest event's first. */
  const nextInLine = (): string | undefined => {
    if (lease.holder !== null || lease.waiting.length === 0) return undefined;
    const order = (id: string) => at(runs.get(id)?.occurredAt ?? '9999-12-31T00:00:00Z');
    return [...lease.waiting].sort((a, b) => order(a) - order(b))[0];
  };

  async function signalRun(workflowId: string, send: (handle: ExternalWorkflowHandle) => Promise<void>, what: string): Promise<boolean> {
    try {
      await send(getExternalWorkflowHandle(workflowId));
      return true;
    } catch (error) {
      // The run has closed (it ended as we signalled, or an operator terminated it): forget it.
      log.warn(`could not ${what}; the run is gone`, { run: workflowId, error: (error as Error).message });
      ended(workflowId);
      return false;
    }
  }

  /** Why this event must not be applied now, or undefined when it may be. */
  function staleness(event: HrEvent, noted: boolean): string | undefined {
    const when = at(event.occurredAt);
    const newerQueued = queue.find((q) => LIFECYCLE.includes(q.event.type) && !isThin(q.event) && at(q.event.occurredAt) > when);
    if (newerQueued) return `${newerQueued.event.type} ${newerQueued.event.id} (${newerQueued.event.occurredAt}) is newer and arrived with it`;
    const { lifecycle, lastUpdateAt } = memory;
    if (lifecycle && when < at(lifecycle.occurredAt)) return `it happened before ${lifecycle.type} ${lifecycle.eventId} (${lifecycle.occurredAt}), which was already applied`;
    if (event.type === 'employee.updated' && lastUpdateAt && when < at(lastUpdateAt)) return `a newer employee.updated (${lastUpdateAt}) was already applied`;
    // This workflow may have closed since the newer event: the identity map remembers it. A
    // late departure still applies (removing access is the safe side); anything else waits for a person.
    const newestKnown = Math.max(at(lifecycle?.occurredAt ?? '1970-01-01T00:00:00Z'), at(memory.latest?.occurredAt ?? '1970-01-01T00:00:00Z'));
    if (!noted && event.type !== 'employee.departed' && newestKnown <= when) return 'the identity map already holds a newer event for this person';
    return undefined;
  }

  async function recordStale(event: DeliveredEvent, plans: Plan[], reason: string): Promise<void> {
    log.info('event older than one already applied: not applied', { eventId: event.id, reason });
    for (const plan of plans) {
      const runId = runWorkflowId(plan.name, input.employeeId, event.id);
      await activities.recordOutcome({
        recordKey: `${runId}/superseded`,
        runId,
        definition: plan.name,
        definitionHash: plan.hash,
        eventId: event.id,
        eventType: event.type,
        source: input.source,
        employeeId: input.employeeId,
        stepId: 'run',
        action: 'supersede',
        target: event.employee.email ?? null,
        outcome: 'superseded',
        openaiIds: {},
        errorType: 'STALE_EVENT' satisfies EngineFailureType,
        errorMessage: `not applied: ${reason}`,
      });
    }
  }

  async function supersede(run: EntityRun, by: HrEvent, reason: string): Promise<void> {
    run.superseded = true;
    const supersession: Supersession = { eventId: by.id, eventType: by.type, occurredAt: by.occurredAt, reason };
    await signalRun(run.workflowId, (h) => h.signal(supersedeSignal, supersession), 'supersede a run');
  }

  async function startRun(plan: Plan, event: DeliveredEvent): Promise<void> {
    const workflowId = runWorkflowId(plan.name, input.employeeId, event.id);
    // A free lease goes with the start: the common case (one run at a time) asks for nothing.
    const leaseHeld = lease.holder === null && lease.waiting.length === 0;
    if (leaseHeld) lease.holder = workflowId;
    const email = event.employee.email ?? event.employee.id;
    try {
      const child = await startChild(definitionRun, {
        workflowId,
        args: [{ plan, event, entity: { workflowId: info.workflowId, leaseHeld }, openaiTaskQueue: openaiTaskQueueFor(info.taskQueue) }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `${VERB[event.type]} ${email} — ${plan.name} v${plan.version}`,
        staticDetails: [
          `**${event.type}** \`${event.id}\` for ${input.source}/${input.employeeId}, occurred ${event.occurredAt}.`,
          `Definition **${plan.name}** v${plan.version} (\`${plan.source}\`, sha256 \`${plan.hash}\`).`,
          `Steps: ${plan.steps.map((s) => s.id).join(' → ')}. Person's events: \`${info.workflowId}\`.`,
        ].join('\n\n'),
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.employeeId, value: input.employeeId },
          { key: SEARCH_ATTRIBUTES.source, value: input.source },
          { key: SEARCH_ATTRIBUTES.eventType, value: event.type },
          { key: SEARCH_ATTRIBUTES.definition, value: plan.name },
          { key: SEARCH_ATTRIBUTES.definitionHash, value: plan.hash },
          { key: SEARCH_ATTRIBUTES.status, value: 'running' },
        ],
      });
      runs.set(workflowId, { workflowId, eventId: event.id, eventType: event.type, occurredAt: event.occurredAt, definition: plan.name, acted: false, superseded: false });
      // Also learn of ends the run cannot report itself (an operator terminated it).
      child.result().then(
        () => ended(workflowId),
        () => ended(workflowId),
      );
    } catch (error) {
      if (lease.holder === workflowId) lease.holder = null;
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      log.info('run already exists; redelivered event', { workflowId });
    }
  }

  async function apply({ event, plans }: EmployeeEvent): Promise<void> {
    seen.add(event.id);
    // A thin event's type and record are not certain until a run reads them: applied as delivered.
    if (isThin(event)) {
      for (const plan of plans) await startRun(plan, event);
      return;
    }
    const complete = event as HrEvent;
    // The identity map learns what HR said (employed, departed) whatever the definitions do
    // with it; an event that matched no definition only came to reach runs in flight.
    const { applied: noted } =
      plans.length === 0
        ? { applied: true }
        : await activities.noteHrEvent({
            source: input.source,
            employeeId: input.employeeId,
            email: complete.employee.email ?? null,
            eventId: complete.id,
            eventType: complete.type,
            occurredAt: complete.occurredAt,
          });
    const stale = staleness(complete, noted);
    if (stale) return recordStale(complete, plans, stale);

    const when = at(complete.occurredAt);
    const newerRecord = memory.latest && at(memory.latest.occurredAt) > when ? memory.latest.employee : undefined;
    if (LIFECYCLE.includes(complete.type)) memory.lifecycle = { type: complete.type, eventId: complete.id, occurredAt: complete.occurredAt };
    if (complete.type === 'employee.updated') memory.lastUpdateAt = complete.occurredAt;
    if (!newerRecord) memory.latest = { occurredAt: complete.occurredAt, employee: complete.employee };

    for (const run of [...runs.values()]) {
      if (run.superseded || at(run.occurredAt) > when) continue;
      if (complete.type === 'employee.departed' && run.eventType !== 'employee.departed') {
        await supersede(run, complete, 'the person has left');
      } else if (complete.type === 'employee.hired' && run.eventType === 'employee.departed' && !run.acted) {
        await supersede(run, complete, 'the person was hired again before the departure took effect');
      } else if (!newerRecord && complete.type !== 'employee.departed') {
        await signalRun(run.workflowId, (h) => h.signal(employeeChangedSignal, { eventId: complete.id, occurredAt: complete.occurredAt, employee: complete.employee }), 'send a newer record');
      }
    }
    // A late event acts on the newest record HR has sent, not on the one it carried.
    const effective: HrEvent = newerRecord ? { ...complete, employee: newerRecord } : complete;
    for (const plan of plans) await startRun(plan, effective);
  }

  const continueAsNewDue = () =>
    workflowInfo().continueAsNewSuggested || (input.continueAsNewAfter !== undefined && workflowInfo().historyLength >= input.continueAsNewAfter);

  // Signal-with-start delivers the first event in the first activation; wait for it (a
  // continued run has nothing to wait for: what it carried may all have ended already).
  if (input.runs === undefined && input.pending === undefined && queue.length === 0) await condition(() => queue.length > 0, '10s');

  for (;;) {
    await condition(() => queue.length > 0 || nextInLine() !== undefined || runs.size === 0 || continueAsNewDue());
    if (queue.length > 0) {
      await apply(queue.shift() as EmployeeEvent);
      applied++;
    } else if (nextInLine() !== undefined) {
      const next = nextInLine() as string;
      lease.waiting = lease.waiting.filter((w) => w !== next);
      lease.holder = next;
      if (await signalRun(next, (h) => h.signal(leaseGrantedSignal), 'hand over the lease')) {
        const run = runs.get(next);
        if (run) run.acted = true;
      }
    } else if (runs.size === 0) {
      break;
    }
    if (continueAsNewDue()) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof employeeWorkflow>({
        source: input.source,
        employeeId: input.employeeId,
        seenEventIds: [...seen].slice(-MAX_REMEMBERED_EVENTS),
        pending: queue,
        runs: [...runs.values()],
        lease,
        memory,
        applied,
        ...(input.continueAsNewAfter !== undefined ? { continueAsNewAfter: input.continueAsNewAfter } : {}),
      });
    }
  }
  return { applied };
}
