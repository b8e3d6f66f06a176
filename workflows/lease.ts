import { CancellationScope, condition, getExternalWorkflowHandle, log, setHandler, workflowInfo } from '@temporalio/workflow';
import { leaseGrantedSignal, leaseReleaseSignal, leaseRequestSignal, leaseWantedSignal, runCheckSignal, runEndedSignal, type LeaseMessage } from './messages.ts';
import { FEWER_ROUND_TRIPS, isPatched } from './patches.ts';
import type { RunStatus } from './search-attributes.ts';

/** Where a run's lease comes from: the entity workflow of its person. */
export interface LeaseSource {
  /** The entity's workflow id (`employee/<source>/<id>`). */
  workflowId: string;
  /** The entity handed the lease over with the start (it was free): no need to ask before the first action. */
  leaseHeld: boolean;
  /**
   * The entity asks for the lease back (`leaseWanted`) when another run waits for it, so the
   * run may keep it through a pause. Unset for runs started before it did: they give it back
   * before every pause.
   */
  asksBack?: boolean;
}

/**
 * A run's side of the per-person lease: one OpenAI action at a time per person, across
 * all of that person's runs. The run asks before an OpenAI action and keeps the lease
 * across consecutive actions. Before anything that may take long (a wait, an approval,
 * parking, enrichment, polling) it gives the lease back if another run wants it; otherwise it
 * keeps it through the pause, gives it back as soon as the entity says another run waits,
 * and acts after the pause without asking again. The lease is freed when the run ends.
 * A run started without an entity (by a test, by hand, by a schedule) needs no lease.
 */
export interface RunLease {
  /** Whether the run has started an OpenAI action. */
  readonly acted: boolean;
  /** Waits for the lease; `onWait` runs once if it has to wait. */
  acquire(onWait: () => void): Promise<void>;
  /** Notes that an OpenAI action is about to start. */
  markActed(): void;
  /** Before something that may take long: gives the lease back now, or when another run wants it. */
  pause(): Promise<void>;
  /** Gives the lease back, if held. */
  release(): Promise<void>;
  /** Gives the lease back, if held, without failing when the entity is gone (for signal handlers). */
  releaseQuietly(): Promise<void>;
  /**
   * Tells the entity the run is over (which also frees the lease), unless the entity sees it
   * anyway: the entity execution that started the run learns of its end from the child's result.
   * Never throws.
   */
  ended(status: RunStatus): Promise<void>;
}

export function runLease(source: LeaseSource | undefined, run: string, event?: LeaseMessage['event']): RunLease {
  let held = source?.leaseHeld ?? false;
  let granted = false;
  let acted = false;
  /** In a pause (from `pause()` to the next `acquire()`), holding the lease only until another run wants it. */
  let paused = false;
  /** Another run waits for the lease: give it back at the next pause. */
  let wanted = false;
  // Started by its entity, which watches its result, until an entity execution that cannot
  // (continued as new, or started afresh) checks on it.
  let watchedByEntity = source !== undefined && workflowInfo().parent?.workflowId === source.workflowId;
  setHandler(leaseGrantedSignal, () => {
    granted = true;
  });
  // The entity's look at whether this run is still open: being delivered is the answer, and
  // tells the run that this entity execution will not see its result.
  setHandler(runCheckSignal, () => {
    watchedByEntity = false;
  });
  const entity = source ? getExternalWorkflowHandle(source.workflowId) : undefined;
  const lease: RunLease = {
    get acted() {
      return acted;
    },
    async acquire(onWait) {
      paused = false;
      if (!entity || held) return;
      granted = false;
      await entity.signal(leaseRequestSignal, { run, ...(event ? { event } : {}) });
      if (!granted) {
        onWait();
        await condition(() => granted);
      }
      held = true;
    },
    markActed() {
      acted = true;
    },
    async pause() {
      if (!source?.asksBack || wanted) return lease.release();
      paused = true;
    },
    async release() {
      if (!entity || !held) return;
      held = false;
      wanted = false;
      await entity.signal(leaseReleaseSignal, { run, acted });
    },
    async releaseQuietly() {
      try {
        await lease.release();
      } catch (error) {
        log.warn('could not give the lease back; the entity workflow is gone', { error: (error as Error).message });
      }
    },
    async ended(status) {
      if (!entity) return;
      held = false;
      if (watchedByEntity && isPatched(FEWER_ROUND_TRIPS)) return;
      try {
        await entity.signal(runEndedSignal, { run, acted, status });
      } catch (error) {
        // The entity is gone (terminated by hand): nobody is waiting for this run.
        log.warn('could not tell the entity workflow that this run ended', { entity: entity.workflowId, error: (error as Error).message });
      }
    },
  };
  // Another run waits: a run in a pause gives the lease back now; one acting, at its next pause.
  setHandler(leaseWantedSignal, () => {
    wanted = true;
    if (paused && held) void CancellationScope.nonCancellable(() => lease.releaseQuietly());
  });
  return lease;
}
