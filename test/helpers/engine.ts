import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import type { Plan } from '../../dsl/index.ts';
import type { EventType, HrEvent } from '../../events/index.ts';
import { dispatch, type Dispatched } from '../../triggers/index.ts';
import { SEARCH_ATTRIBUTES, type RunState, type RunStatus } from '../../workflows/shared.ts';
import type { Harness } from './harness.ts';
import { eventually } from './process.ts';

export const DAY = 86_400_000;

/** A local date `days` from now, YYYY-MM-DD. */
export const dateIn = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);

let counter = 0;
/** A fresh employee id (unique across test runs on one server). */
export const employee = (prefix = 'E') => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** An HR event for `id`; `at` is its occurredAt (default now). */
export function hrEvent(type: EventType, id: string, fields: Partial<HrEvent['employee']> = {}, at: Date = new Date(), extra: Partial<HrEvent> = {}): HrEvent {
  return {
    id: `evt_${type.split('.')[1]}_${id}_${at.getTime().toString(36)}`,
    type,
    occurredAt: at.toISOString(),
    source: 'generic',
    employee: { id, email: `${id.toLowerCase()}@example.com`, timezone: 'Europe/London', ...fields },
    ...extra,
  };
}

/** What the trigger server does with an accepted event: dispatch it to the person's entity workflow. */
export function deliver(h: Harness, plans: readonly Plan[], event: HrEvent): Promise<Dispatched> {
  // As the trigger server does: accepted event ids are remembered in the store, so a redelivery is known.
  return dispatch(h.temporal.client, h.config.taskQueue, plans, event, { events: h.store });
}

export function run(h: Harness, workflowId: string): WorkflowHandle {
  return h.temporal.client.workflow.getHandle(workflowId);
}

/** A run's result, once the entity has started it (it does so asynchronously). */
export async function resultOf<T>(h: Harness, workflowId: string, timeoutMs = 60_000): Promise<T> {
  await eventually(async () => ((await run(h, workflowId).describe()) ? true : undefined), timeoutMs, `${workflowId} to start`);
  return (await run(h, workflowId).result()) as T;
}

/**
 * A superseded run: it ends Canceled in Temporal (cancelled by the newer event). Throws
 * unless it did; returns its final state (the `status` query answers after the end).
 */
export async function supersededRun(h: Harness, workflowId: string, timeoutMs = 60_000): Promise<RunState> {
  const ending = await resultOf<unknown>(h, workflowId, timeoutMs).then(
    (result) => new Error(`${workflowId} completed (${JSON.stringify(result)}) instead of ending Canceled`),
    (error: unknown) => error,
  );
  if (!(ending instanceof WorkflowFailedError && ending.cause instanceof CancelledFailure)) throw ending;
  const { status } = await run(h, workflowId).describe();
  if (status.name !== 'CANCELLED') throw new Error(`${workflowId} is ${status.name}, not CANCELLED`);
  return run(h, workflowId).query<RunState>('status');
}

/** Polls a run's `status` query until `accept` holds (the run is created by the entity, asynchronously). */
export function untilState(h: Harness, workflowId: string, accept: (state: RunState) => boolean, what: string, timeoutMs = 60_000): Promise<RunState> {
  return eventually(async () => {
    const state = await run(h, workflowId).query<RunState>('status');
    return accept(state) ? state : undefined;
  }, timeoutMs, `${workflowId}: ${what}`);
}

/** The run's TenureStatus search attribute, as Temporal stores it. */
export async function shownStatus(h: Harness, workflowId: string): Promise<RunStatus | undefined> {
  return (await run(h, workflowId).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) as RunStatus | undefined;
}

/** Invites the emulator holds for an email, any status. */
export const invitesFor = (h: Harness, email: string) => h.emulator.organization.listInvites().filter((i) => i.email === email);

/** Activities of a run's history: type, when a worker started it, when it completed (ms). */
export async function activitySpans(handle: WorkflowHandle): Promise<{ type: string; started: number; closed: number }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map<string, string>();
  const started = new Map<string, number>();
  const spans: { type: string; started: number; closed: number }[] = [];
  const ms = (t: unknown) => {
    const time = t as { seconds?: { toNumber(): number } | number; nanos?: number } | null | undefined;
    const seconds = typeof time?.seconds === 'number' ? time.seconds : (time?.seconds?.toNumber() ?? 0);
    return seconds * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
  };
  for (const e of events) {
    const id = String(e.eventId);
    if (e.activityTaskScheduledEventAttributes) scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    const s = e.activityTaskStartedEventAttributes;
    if (s) started.set(String(s.scheduledEventId), ms(e.eventTime));
    const c = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes;
    if (c) {
      const key = String(c.scheduledEventId);
      spans.push({ type: scheduled.get(key) ?? '?', started: started.get(key) ?? 0, closed: ms(e.eventTime) });
    }
  }
  return spans;
}
