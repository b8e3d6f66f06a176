import { ScheduleNotFoundError, type Client, type ScheduleOptionsStartWorkflowAction, type WorkflowHandle } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { canonicalJson, type DefinitionRegistry, type Plan } from '../dsl/index.ts';
import type { Logger } from '../logging/index.ts';
import { ensureSchedule } from '../triggers/schedules.ts';
import {
  DRIFT_WORKFLOW_PREFIX,
  SYNC_SCHEDULE_ID,
  SYNC_WORKFLOW_PREFIX,
  syncDecisionUpdate,
  syncStateQuery,
  type SyncDecision,
  type SyncInput,
  type SyncReport,
  type SyncState,
} from '../workflows/shared.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/shared.ts';

export interface StartSyncOptions {
  taskQueue: string;
  plans: readonly Plan[];
  maxChanges: number;
  mode: 'sync' | 'drift';
  /** Default: `sync/<now>` or `drift/<now>`. */
  workflowId?: string;
}

/** Starts a sync (or a drift report) now; returns its handle. */
export async function startSync(client: Client, options: StartSyncOptions): Promise<WorkflowHandle> {
  const prefix = options.mode === 'drift' ? DRIFT_WORKFLOW_PREFIX : SYNC_WORKFLOW_PREFIX;
  const workflowId = options.workflowId ?? `${prefix}${new Date().toISOString()}`;
  const input: SyncInput = { plans: [...options.plans], maxChanges: options.maxChanges, mode: options.mode };
  return client.workflow.start('syncWorkflow', {
    workflowId,
    taskQueue: options.taskQueue,
    args: [input],
    staticSummary: options.mode === 'drift' ? 'Drift report: HR vs OpenAI, nothing acted on' : 'Sync: HR vs OpenAI, differences to the people\'s workflows',
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.status, value: 'running' }],
  });
}

/** Where a sync stands (its `syncState` query). */
export function syncState(client: Client, workflowId: string): Promise<SyncState> {
  return client.workflow.getHandle(workflowId).query(syncStateQuery);
}

/** Approves or rejects a sync the guard holds; the workflow's validator refuses anything else at once. */
export function decideSync(client: Client, workflowId: string, decision: SyncDecision): Promise<SyncReport['decision']> {
  return client.workflow.getHandle(workflowId).executeUpdate(syncDecisionUpdate, { args: [decision] });
}

export interface SyncScheduleOptions {
  taskQueue: string;
  /** Cron expression (TENURE_SYNC_CRON), in UTC. */
  cron: string;
  maxChanges: number;
}

function fingerprint(plans: readonly Plan[], options: SyncScheduleOptions): string {
  return createHash('sha256').update(canonicalJson({ hashes: plans.map((p) => p.hash).sort(), ...options })).digest('hex');
}

/** The Schedule's action: a sync with the plans in force, frozen (re-frozen when they change). */
export function syncScheduleOptions(plans: readonly Plan[], options: SyncScheduleOptions): { spec: { cronExpressions: string[] }; action: ScheduleOptionsStartWorkflowAction<never> } {
  const input: SyncInput = { plans: [...plans], maxChanges: options.maxChanges, mode: 'sync' };
  return {
    spec: { cronExpressions: [options.cron] },
    action: {
      type: 'startWorkflow',
      workflowType: 'syncWorkflow',
      // Temporal appends the scheduled time.
      workflowId: `${SYNC_WORKFLOW_PREFIX}scheduled`,
      taskQueue: options.taskQueue,
      args: [input] as never,
      memo: { tenureFingerprint: fingerprint(plans, options) },
      staticSummary: `Sync (${options.cron} UTC): HR vs OpenAI, differences to the people's workflows`,
    },
  };
}

/**
 * Creates or updates the sync's Temporal Schedule (`tenure-sync`) so it runs
 * `syncWorkflow` at `cron` with the plans in force. Returns what it did.
 */
export async function ensureSyncSchedule(client: Client, plans: readonly Plan[], options: SyncScheduleOptions): Promise<'created' | 'updated' | 'unchanged'> {
  return ensureSchedule(client, SYNC_SCHEDULE_ID, { ...syncScheduleOptions(plans, options), catchupWindow: '1h', taskQueue: options.taskQueue });
}

/** Keeps the sync Schedule following the definitions: now, then after every reload that changed one. */
export async function followSyncSchedule(
  client: Client,
  registry: Pick<DefinitionRegistry, 'plans' | 'subscribe'>,
  options: SyncScheduleOptions,
  logger: Pick<Logger, 'info' | 'error'>,
  /** Whether any HR connector is configured; without one a sync could only stop, so no Schedule is kept. */
  hrConfigured = true,
): Promise<void> {
  if (!hrConfigured) {
    const removed = await client.schedule
      .getHandle(SYNC_SCHEDULE_ID)
      .delete()
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof ScheduleNotFoundError) return false;
          throw error;
        },
      );
    logger.info(
      { syncSchedule: removed ? 'deleted' : 'absent' },
      'no HR connector is configured (BAMBOOHR_API_KEY, HIBOB_SERVICE_USER_ID or MERGE_API_KEY…): no sync schedule',
    );
    return;
  }
  const first = await ensureSyncSchedule(client, registry.plans(), options);
  logger.info({ syncSchedule: first, cron: options.cron }, 'sync schedule in place');
  registry.subscribe((report) => {
    if (report.changed.length === 0) return;
    ensureSyncSchedule(client, report.plans, options).then(
      (done) => logger.info({ syncSchedule: done }, 'sync schedule follows the definitions'),
      (error: unknown) => logger.error({ err: error }, 'could not update the sync schedule after a definition change'),
    );
  });
}
