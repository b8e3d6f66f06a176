import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Plan } from '../dsl/index.ts';
import { hrEventSchema } from '../events/index.ts';
import type { HrConnector } from '../hris/index.ts';
import type { AdminClient } from '../activities/index.ts';
import { LIMITS, type AuditRecord, type SyncStore } from '../store/index.ts';
import { dispatch } from '../triggers/dispatch.ts';
import type { SyncDelivery, SyncEntry, SyncFindings, SyncReport } from '../workflows/sync-messages.ts';
import { ACTIONABLE_KINDS, type DriftEntry, type DriftKind } from './classify.ts';
import { readAndClassify, SyncStoppedError } from './read.ts';

export interface SyncDependencies {
  connectors: readonly HrConnector[];
  openai: Pick<AdminClient, 'listUsers' | 'listInvites'>;
  store: SyncStore;
  /** Delivers events to entity workflows (signal-with-start), as the trigger server does. */
  client: Client;
  taskQueue: string;
  clock?: () => Date;
}

/** How each delivered difference is named in the audit's `reason` column. */
export const SYNC_AUDIT_CODES: Record<Exclude<DriftKind, 'in-sync' | 'unmanaged'>, string> = {
  'missed-hire': 'MISSED_HIRE',
  'missed-departure': 'MISSED_DEPARTURE',
  'expired-invite': 'EXPIRED_INVITE',
};

/** Heartbeats when running in an activity (the bench and tests call these directly). */
function heartbeat(details: string): void {
  try {
    Context.current().heartbeat(details);
  } catch {
    // Not in an activity.
  }
}

function cancellation(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

/** Unmanaged entries a sync (not a drift report) lists in its result; the count is always complete. */
const REPORTED_BY_SYNC = 100;

/** The audit's reason column holds at most LIMITS.reason bytes (UTF-8). */
function cut(text: string): string {
  if (Buffer.byteLength(text) <= LIMITS.reason) return text;
  let kept = text.slice(0, LIMITS.reason);
  while (Buffer.byteLength(`${kept}…`) > LIMITS.reason) kept = kept.slice(0, -1);
  return `${kept}…`;
}

const compact = ({ kind, source, employeeId, email, openai, reason }: DriftEntry): SyncEntry => ({ kind, source, employeeId, email, openai, reason });

/**
 * The sync's activities: all reading and classifying happens here, so only counts and
 * the actionable list pass through the workflow, whatever the size of the directory.
 */
export function createSyncActivities({ connectors, openai, store, client, taskQueue, clock = () => new Date() }: SyncDependencies) {
  return {
    /**
     * Reads HR, OpenAI and the identity map, classifies, and (mode `sync`) adopts members
     * matched by email into the identity map. Fails with a non-retryable failure whose
     * type is a {@link SyncStopType} when HR cannot be read or is implausible.
     */
    async syncClassify({ syncId, plans, maxChanges, mode, listLimit }: { syncId: string; plans: Plan[]; maxChanges: number; mode: 'sync' | 'drift'; listLimit: number }): Promise<SyncFindings> {
      const now = clock();
      let reading;
      try {
        reading = await readAndClassify(
          { connectors, openai, identities: () => store.identities() },
          { plans, now, previous: (await store.lastSyncRun())?.hrCounts, maxShrink: maxChanges, progress: heartbeat, signal: cancellation() },
        );
      } catch (error) {
        if (error instanceof SyncStoppedError) throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true });
        throw error;
      }
      let adopted = 0;
      if (mode === 'sync') {
        for (const entry of reading.adoptions) {
          const written = await store.record(
            {
              recordKey: `${syncId}/adopt/${entry.source}/${entry.employeeId}`,
              runId: syncId,
              definition: 'sync',
              definitionHash: '',
              eventId: syncId.replace(/[^\w.:-]/g, '-').slice(0, 200),
              eventType: 'sync',
              source: entry.source!,
              employeeId: entry.employeeId!,
              stepId: 'adopt',
              // Outcome noop: nothing changed at OpenAI; the identity map learns the ids.
              action: 'sync.adopt',
              target: entry.email,
              outcome: 'noop',
              openaiIds: { ...(entry.openai.userId ? { userId: entry.openai.userId } : entry.openai.inviteId ? { inviteId: entry.openai.inviteId } : {}) },
              // Seen when the reading began: an action that saw OpenAI later keeps its change.
              identity: entry.openai.userId
                ? { status: 'active', openaiUserId: entry.openai.userId, ...(entry.email ? { email: entry.email } : {}), observedAt: now.toISOString() }
                : { status: 'invited', inviteId: entry.openai.inviteId ?? null, ...(entry.email ? { email: entry.email } : {}), observedAt: now.toISOString() },
              reason: cut(`adopted: ${entry.reason}`),
            },
            clock(),
          );
          if (written) adopted++;
          if (adopted % 500 === 0) heartbeat(`adopted ${adopted}`);
        }
      }
      const actionable = reading.entries.filter((e) => ACTIONABLE_KINDS.includes(e.kind));
      const others = reading.entries.filter((e) => !ACTIONABLE_KINDS.includes(e.kind));
      // A drift carries no events; a sync carries the events it may deliver.
      const listedActionable = actionable.slice(0, listLimit).map((e) => (mode === 'sync' ? { ...compact(e), event: e.event! } : compact(e)));
      // A sync reports a sample of the rest (`tenure drift` lists them all, up to the limit).
      const othersLimit = mode === 'sync' ? Math.min(REPORTED_BY_SYNC, listLimit) : Math.max(0, listLimit - listedActionable.length);
      const listedOthers = others.slice(0, othersLimit).map(compact);
      return {
        hr: reading.hr,
        openai: reading.openai,
        counts: reading.counts,
        actionable: listedActionable,
        reported: listedOthers,
        unlisted: reading.entries.length - listedActionable.length - listedOthers.length,
        adopted,
      };
    },

    /**
     * Delivers each actionable entry's event to the person's entity workflow, exactly as a
     * webhook would be (the definitions decide what happens), and writes an audit row per
     * decision. Safe to retry: the entity and the runs' ids drop what was delivered before.
     */
    async syncDeliver({ syncId, plans, entries }: { syncId: string; plans: Plan[]; entries: SyncEntry[] }): Promise<SyncDelivery> {
      const result: SyncDelivery = { delivered: 0, duplicates: 0, unmatched: 0, failed: [] };
      for (const entry of entries) {
        heartbeat(`${entry.kind} ${entry.source}/${entry.employeeId}`);
        const parsed = hrEventSchema.safeParse(entry.event);
        const audit = (outcome: AuditRecord['outcome'], message: string) =>
          store.record(
            {
              recordKey: `${syncId}/${entry.kind}/${entry.source}/${entry.employeeId}`,
              runId: syncId,
              definition: 'sync',
              definitionHash: '',
              eventId: entry.event?.id ?? 'none',
              eventType: entry.event?.type ?? 'sync',
              source: entry.source ?? 'openai',
              employeeId: entry.employeeId ?? entry.openai.userId ?? entry.openai.inviteId ?? 'unknown',
              stepId: entry.kind,
              action: 'sync.deliver',
              target: entry.email,
              outcome,
              openaiIds: { ...(entry.openai.userId ? { userId: entry.openai.userId } : {}), ...(entry.openai.inviteId ? { inviteId: entry.openai.inviteId } : {}) },
              reason: cut(`${SYNC_AUDIT_CODES[entry.kind as keyof typeof SYNC_AUDIT_CODES] ?? entry.kind}: ${entry.reason}; ${message}`),
              ...(outcome === 'failed' ? { errorType: 'SYNC_EVENT_INVALID', errorMessage: message } : {}),
            },
            clock(),
          );
        if (!parsed.success) {
          const error = `the event built from HR is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
          result.failed.push({ employeeId: entry.employeeId, error });
          await audit('failed', error);
          continue;
        }
        try {
          const dispatched = await dispatch(client, taskQueue, plans, parsed.data, { timeoutMs: 15_000 });
          if (dispatched.outcome === 'accepted') {
            result.delivered++;
            await audit('created', `${parsed.data.type} ${parsed.data.id} delivered to ${dispatched.workflowId}; runs: ${dispatched.runs.join(', ')}`);
          } else if (dispatched.outcome === 'duplicate') {
            result.duplicates++;
            await audit('noop', `${parsed.data.type} ${parsed.data.id} was delivered before; its runs exist (${dispatched.runs.join(', ')})`);
          } else {
            result.unmatched++;
            await audit('noop', `no definition acts on this ${parsed.data.type}; nothing was done`);
          }
        } catch (error) {
          // Temporal unreachable: retrying the activity delivers the rest (and skips what landed).
          throw ApplicationFailure.create({ type: 'SYNC_DELIVERY_FAILED', message: `delivering to ${entry.source}/${entry.employeeId}: ${(error as Error).message}` });
        }
      }
      return result;
    },

    /** Keeps the sync's HR counts (the next sync's shrink guard) and a summary of what it found and did. */
    async syncFinish({ syncId, status, hr, summary }: { syncId: string; status: SyncReport['status']; hr: Record<string, number>; summary: Record<string, unknown> }): Promise<void> {
      await store.recordSyncRun({ syncId, status, hrCounts: hr, summary }, clock());
    },
  };
}

export type SyncActivities = ReturnType<typeof createSyncActivities>;
