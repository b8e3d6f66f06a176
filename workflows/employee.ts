import { allHandlersFinished, condition, continueAsNew, getExternalWorkflowHandle, log, type ExternalWorkflowHandle, ParentClosePolicy, proxyActivities, setHandler, sleep, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.ts';
import type { Plan } from '../dsl/plan.ts';
import type { DeliveredEvent, EventType, HrEvent } from '../events/index.ts';
import { definitionRun, type EngineFailureType } from './definition-run.ts';
import { openaiTaskQueueFor, runWorkflowId } from './ids.ts';
import { storeWrites } from './local-first.ts';
import { askPatchesFirst, FEWER_ROUND_TRIPS, isPatched } from './patches.ts';
import {
  employeeChangedSignal,
  employeeStateQuery,
  hrEventSignal,
  leaseGrantedSignal,
  leaseReleaseSignal,
  leaseRequestSignal,
  leaseWantedSignal,
  runCheckSignal,
  runEndedSignal,
  runJoinSignal,
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
/** The note as a local activity first (see storeWrites); entities from before note as they did. */
const localFirst = storeWrites({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'note HR event in the identity map',
});

/** Event ids remembered for de-duplication; older ones fall back on the runs' unique workflow ids. */
const MAX_REMEMBERED_EVENTS = 500;

const LIFECYCLE: readonly EventType[] = ['employee.hired', 'employee.departed'];
const at = (iso: string) => Date.parse(iso);

/**
 * Two events at the same instant are ordered by type, never by arrival: a hire first, a
 * departure last, so the departure is the newer one and wins (no access is the safe side).
 */
const SAME_INSTANT_RANK: Record<EventType, number> = { 'employee.hired': 0, 'contract.renewed': 1, 'employee.updated': 1, 'employee.departed': 2 };
/** How `a` compares with `b` in time: negative when it happened first. */
function chronology(a: { occurredAt: string; type: EventType }, b: { occurredAt: string; type: EventType }): number {
  const byTime = at(a.occurredAt) - at(b.occurredAt);
  if (byTime !== 0 || a.type === b.type) return byTime;
  // Before this rule, ties went by arrival: histories recorded then replay that way.
  return isPatched('same-instant-departure-wins') ? SAME_INSTANT_RANK[a.type] - SAME_INSTANT_RANK[b.type] : 0;
}
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
  askPatchesFirst();
  const info = workflowInfo();
  const seen = new Set(input.seenEventIds ?? []);
  const queue: EmployeeEvent[] = [...(input.pending ?? [])];
  const runs = new Map((input.runs ?? []).map((run) => [run.workflowId, run]));
  const lease = { holder: input.lease?.holder ?? null, waiting: [...(input.lease?.waiting ?? [])] };
  const memory: EmployeeMemory = { ...input.memory };
  let applied = input.applied ?? 0;
  /** The event taken from the queue and not yet applied: the state query shows it. */
  let applying: EmployeeEvent | undefined;

  const byOccurredAt = (a: EmployeeEvent, b: EmployeeEvent) => chronology(a.event, b.event);
  /** Runs whose end this execution sees (children it started); the others it checks on now and then. */
  const watched = new Set<string>();
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
  // Runs are registered before they start, so a request from a run not in `runs` comes
  // from a run this entity lost track of: it is queued all the same, and checked on.
  setHandler(leaseRequestSignal, ({ run, event }) => {
    if (!runs.has(run)) {
      log.warn('lease asked by a run this entity had not registered; queued', { run });
      runs.set(run, {
        workflowId: run,
        eventId: event?.eventId ?? run,
        eventType: event?.eventType ?? 'employee.updated',
        occurredAt: event?.occurredAt ?? '9999-12-31T00:00:00Z',
        definition: event?.definition ?? run.split('/')[0] ?? run,
        acted: false,
        superseded: false,
      });
      // Not a child of this execution: told at once, it reports its end itself (see runLease).
      if (isPatched(FEWER_ROUND_TRIPS)) void signalRun(run, (h) => h.signal(runCheckSignal), 'check on a run');
    }
    if (lease.holder !== run && !lease.waiting.includes(run)) lease.waiting.push(run);
  });
  setHandler(runJoinSignal, ({ run }) => {
    if (!runs.has(run.workflowId)) runs.set(run.workflowId, { ...run });
  });
  setHandler(leaseReleaseSignal, ({ run, acted }) => {
    const known = runs.get(run);
    if (known && acted) known.acted = true;
    if (lease.holder === run) lease.holder = null;
  });
  setHandler(runEndedSignal, ({ run }) => ended(run));
  setHandler(employeeStateQuery, (): EmployeeState => ({
    pending: queue.map((q) => ({ eventId: q.event.id, type: q.event.type, occurredAt: q.event.occurredAt })),
    applying: applying ? { eventId: applying.event.id, type: applying.event.type, occurredAt: applying.event.occurredAt } : null,
    runs: [...runs.values()],
    lease: { holder: lease.holder, waiting: [...lease.waiting] },
    applied,
    lifecycle: memory.lifecycle ?? null,
  }));

  /** The holder last asked to give the lease back (`leaseWanted`), so it is asked once. */
  let askedHolder: string | null = null;
  /** A run waits while another holds the lease, and the holder has not been asked for it yet. */
  const holderToAsk = () => lease.holder !== null && lease.waiting.length > 0 && askedHolder !== lease.holder;

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
    const newerQueued = queue.find((q) => LIFECYCLE.includes(q.event.type) && !isThin(q.event) && chronology(q.event, event) > 0);
    if (newerQueued) return `${newerQueued.event.type} ${newerQueued.event.id} (${newerQueued.event.occurredAt}) is newer and arrived with it`;
    const { lifecycle, lastUpdateAt } = memory;
    if (lifecycle && chronology(event, lifecycle) < 0) return `it happened before ${lifecycle.type} ${lifecycle.eventId} (${lifecycle.occurredAt}), which was already applied`;
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
    // Signalled first, so the run knows why; then cancelled, so Temporal shows it Canceled.
    if (await signalRun(run.workflowId, (h) => h.signal(supersedeSignal, supersession), 'supersede a run')) {
      if (isPatched('superseded-runs-cancelled')) {
        lease.waiting = lease.waiting.filter((w) => w !== run.workflowId);
        await signalRun(run.workflowId, (h) => h.cancel(), 'cancel a superseded run');
      }
    }
  }

  /**
   * A run this execution cannot watch (carried across continue-as-new, or registered from
   * its own request) may close without telling: terminated by hand, or its last signal lost
   * to a closed execution. Looking at it (a signal that fails once the run is closed) frees
   * its lease and lets the entity close. A holder others wait for is looked at after a
   * minute, backing off to an hour; any other such run hourly.
   */
  async function checkUnwatchedRuns(): Promise<void> {
    const unwatched = () => [...runs.keys()].filter((id) => !watched.has(id));
    const holderBlocks = () => lease.holder !== null && !watched.has(lease.holder) && lease.waiting.length > 0;
    let pauseMs = 60_000;
    // A continued execution looks at the runs it carried at once (one may have ended during the hand-over).
    let first = input.seenEventIds !== undefined && (input.runs?.length ?? 0) > 0;
    for (;;) {
      await condition(() => unwatched().length > 0);
      if (!first) {
        await condition(holderBlocks, '1h');
        if (holderBlocks()) {
          await sleep(pauseMs);
          pauseMs = Math.min(pauseMs * 2, 3_600_000);
        } else {
          pauseMs = 60_000;
        }
      }
      first = false;
      for (const id of unwatched()) {
        if (runs.has(id)) await signalRun(id, (h) => h.signal(runCheckSignal), 'check on a run');
      }
    }
  }

  async function startRun(plan: Plan, event: DeliveredEvent): Promise<void> {
    const workflowId = runWorkflowId(plan.name, input.employeeId, event.id);
    // A free lease goes with the start: the common case (one run at a time) asks for nothing.
    const leaseHeld = lease.holder === null && lease.waiting.length === 0;
    if (leaseHeld) lease.holder = workflowId;
    const email = event.employee.email ?? event.employee.id;
    // Registered before the start: the run's first lease request can arrive in the same
    // activation as the start's result, and signals are handled first.
    const known = runs.has(workflowId);
    // Watched from before its start, so the check on unwatched runs sets no timer meanwhile.
    const watchedBefore = watched.has(workflowId);
    const fewerTrips = isPatched(FEWER_ROUND_TRIPS);
    if (fewerTrips) watched.add(workflowId);
    if (!known) runs.set(workflowId, { workflowId, eventId: event.id, eventType: event.type, occurredAt: event.occurredAt, definition: plan.name, acted: false, superseded: false });
    try {
      const child = await startChild(definitionRun, {
        workflowId,
        args: [{ plan, event, entity: { workflowId: info.workflowId, leaseHeld, ...(fewerTrips ? { asksBack: true } : {}) }, openaiTaskQueue: openaiTaskQueueFor(info.taskQueue) }],
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
      // Also learn of ends the run cannot report itself (an operator terminated it).
      watched.add(workflowId);
      child.result().then(
        () => ended(workflowId),
        () => ended(workflowId),
      );
    } catch (error) {
      if (!watchedBefore) watched.delete(workflowId);
      if (known) {
        if (lease.holder === workflowId) lease.holder = null;
      } else {
        ended(workflowId);
      }
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      log.info('run already exists; redelivered event', { workflowId });
    }
  }

  async function apply({ event, plans, noted: notedAtDoor }: EmployeeEvent): Promise<void> {
    seen.add(event.id);
    // A thin event's type and record are not certain until a run reads them: applied as delivered.
    if (isThin(event)) {
      for (const plan of plans) await startRun(plan, event);
      return;
    }
    const complete = event as HrEvent;
    // The identity map learns what HR said (employed, departed) whatever the definitions do
    // with it; an event that matched no definition only came to reach runs in flight. The
    // trigger server notes it before handing it over (no local activity here then).
    const note = plans.length === 0 || notedAtDoor !== undefined ? undefined : isPatched(FEWER_ROUND_TRIPS) ? localFirst.noteHrEvent : activities.noteHrEvent;
    const { applied: noted } =
      note === undefined
        ? { applied: notedAtDoor ?? true }
        : await note({
              source: input.source,
              employeeId: input.employeeId,
              email: complete.employee.email ?? null,
              eventId: complete.id,
              eventType: complete.type,
              occurredAt: complete.occurredAt,
            })
            .catch((error: unknown) => {
              // A note the store refuses (an id too long for it) must not fail every run of the person:
              // the refusal is logged with the event, and the event is applied as if noted.
              if (!(error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === 'INVALID_AUDIT_RECORD')) throw error;
              log.error('the results store refused to note this HR event; applied without the note', { eventId: complete.id, error: error.cause.message });
              return { applied: true };
            });
    const stale = staleness(complete, noted);
    if (stale) return recordStale(complete, plans, stale);

    const when = at(complete.occurredAt);
    const newerRecord = memory.latest && at(memory.latest.occurredAt) > when ? memory.latest.employee : undefined;
    if (LIFECYCLE.includes(complete.type)) memory.lifecycle = { type: complete.type, eventId: complete.id, occurredAt: complete.occurredAt };
    if (complete.type === 'employee.updated') memory.lastUpdateAt = complete.occurredAt;
    if (!newerRecord) memory.latest = { occurredAt: complete.occurredAt, employee: complete.employee };

    for (const run of [...runs.values()]) {
      if (run.superseded || chronology({ occurredAt: run.occurredAt, type: run.eventType }, complete) > 0) continue;
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
  if (isPatched('entity-checks-unwatched-runs')) void checkUnwatchedRuns();

  for (;;) {
    await condition(() => queue.length > 0 || nextInLine() !== undefined || holderToAsk() || runs.size === 0 || continueAsNewDue());
    if (queue.length > 0) {
      applying = queue.shift() as EmployeeEvent;
      await apply(applying);
      applying = undefined;
      applied++;
    } else if (nextInLine() !== undefined) {
      const next = nextInLine() as string;
      lease.waiting = lease.waiting.filter((w) => w !== next);
      lease.holder = next;
      if (await signalRun(next, (h) => h.signal(leaseGrantedSignal), 'hand over the lease')) {
        const run = runs.get(next);
        if (run) run.acted = true;
      }
    } else if (holderToAsk()) {
      // A holder keeps the lease through a wait until asked; one acting gives it back at its next pause.
      const holder = lease.holder as string;
      askedHolder = holder;
      if (isPatched(FEWER_ROUND_TRIPS)) await signalRun(holder, (h) => h.signal(leaseWantedSignal), 'ask for the lease back');
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
