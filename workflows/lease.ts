import { condition, getExternalWorkflowHandle, log, setHandler } from '@temporalio/workflow';
import { leaseGrantedSignal, leaseReleaseSignal, leaseRequestSignal, runEndedSignal } from './messages.ts';
import type { RunStatus } from './search-attributes.ts';

/** Where a run's lease comes from: the entity workflow of its person. */
export interface LeaseSource {
  /** The entity's workflow id (`employee/<source>/<id>`). */
  workflowId: string;
  /** The entity handed the lease over with the start (it was free): no need to ask before the first action. */
  leaseHeld: boolean;
}

/**
 * A run's side of the per-person lease: one OpenAI action at a time per person, across
 * all of that person's runs. The run asks before an OpenAI action, keeps the lease
 * across consecutive actions, and gives it back before anything that may take long (a
 * wait, an approval, parking, enrichment) and when it ends. A run started without an
 * entity (by a test, by hand, by a schedule) needs no lease.
 */
export interface RunLease {
  /** Whether the run has started an OpenAI action. */
  readonly acted: boolean;
  /** Waits for the lease; `onWait` runs once if it has to wait. */
  acquire(onWait: () => void): Promise<void>;
  /** Notes that an OpenAI action is about to start. */
  markActed(): void;
  /** Gives the lease back, if held. */
  release(): Promise<void>;
  /** Tells the entity the run is over (which also frees the lease). Never throws. */
  ended(status: RunStatus): Promise<void>;
}

export function runLease(source: LeaseSource | undefined, run: string): RunLease {
  let held = source?.leaseHeld ?? false;
  let granted = false;
  let acted = false;
  setHandler(leaseGrantedSignal, () => {
    granted = true;
  });
  const entity = source ? getExternalWorkflowHandle(source.workflowId) : undefined;
  return {
    get acted() {
      return acted;
    },
    async acquire(onWait) {
      if (!entity || held) return;
      granted = false;
      await entity.signal(leaseRequestSignal, { run });
      if (!granted) {
        onWait();
        await condition(() => granted);
      }
      held = true;
    },
    markActed() {
      acted = true;
    },
    async release() {
      if (!entity || !held) return;
      held = false;
      await entity.signal(leaseReleaseSignal, { run, acted });
    },
    async ended(status) {
      if (!entity) return;
      held = false;
      try {
        await entity.signal(runEndedSignal, { run, acted, status });
      } catch (error) {
        // The entity is gone (terminated by hand): nobody is waiting for this run.
        log.warn('could not tell the entity workflow that this run ended', { entity: entity.workflowId, error: (error as Error).message });
      }
    },
  };
}
