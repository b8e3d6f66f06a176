import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec, type Workflow } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { createHash } from 'node:crypto';
import type { DefinitionRegistry, Plan } from '../dsl/index.ts';
import type { Logger } from '../logging/index.ts';
import type { ScheduledRunInput, scheduledRun } from '../workflows/index.ts';
import { canonicalJson } from './sources/common.ts';

/** Every Schedule Tenure manages has an id under this prefix: `schedule/<definition>`. */
export const SCHEDULE_ID_PREFIX = 'schedule/';

export function scheduleId(definition: string): string {
  return `${SCHEDULE_ID_PREFIX}${definition}`;
}

export interface ScheduleSyncOptions {
  taskQueue: string;
  /** Passed to every scheduled run: it refuses to act when a tick finds more people than this. */
  maxUsers: number;
}

export interface ScheduleSyncReport {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
  /** Schedules Temporal refused (e.g. a cron expression it does not accept), with its reason. */
  failed: { scheduleId: string; error: string }[];
}

type SchedulePlan = Plan & { trigger: { schedule: { cron: string; timezone: string } } };

const isScheduled = (plan: Plan): plan is SchedulePlan => 'schedule' in plan.trigger;

/** What decides whether a Schedule must change: the plan's content, when it fires, the guard, the queue. */
function fingerprint(plan: SchedulePlan, options: ScheduleSyncOptions): string {
  const { cron, timezone } = plan.trigger.schedule;
  return createHash('sha256').update(canonicalJson({ hash: plan.hash, cron, timezone, maxUsers: options.maxUsers, taskQueue: options.taskQueue })).digest('hex');
}

function action(plan: SchedulePlan, options: ScheduleSyncOptions): ScheduleOptionsStartWorkflowAction<typeof scheduledRun> {
  const input: ScheduledRunInput = { plan, maxUsers: options.maxUsers };
  return {
    type: 'startWorkflow',
    workflowType: 'scheduledRun',
    // Temporal appends the scheduled time, so each tick has its own id.
    workflowId: `scheduled/${plan.name}`,
    taskQueue: options.taskQueue,
    args: [input],
    memo: { tenureFingerprint: fingerprint(plan, options) },
    staticSummary: `${plan.name} v${plan.version} (${plan.trigger.schedule.cron}, ${plan.trigger.schedule.timezone})`,
  };
}

const spec = (plan: SchedulePlan) => ({ cronExpressions: [plan.trigger.schedule.cron], timezone: plan.trigger.schedule.timezone });

export interface WantedSchedule<W extends Workflow> {
  spec: ScheduleSpec;
  /** Its memo's `tenureFingerprint` decides whether an existing Schedule must change. */
  action: ScheduleOptionsStartWorkflowAction<W>;
  /** How late a missed tick may still run (e.g. after the server was down). */
  catchupWindow: Duration;
  /** Noted in the Schedule's memo: Tenure deletes only the Schedules of its own task queue. */
  taskQueue: string;
}

/**
 * Creates the Schedule `scheduleId`, or updates it when its action's fingerprint differs from
 * `wanted`'s. Safe to run from several servers at once: one that loses the race to create it
 * brings it up to date. Returns what it did.
 */
export async function ensureSchedule<W extends Workflow>(client: Client, scheduleId: string, wanted: WantedSchedule<W>): Promise<'created' | 'updated' | 'unchanged'> {
  const handle = client.schedule.getHandle(scheduleId);
  let current;
  try {
    current = await handle.describe();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  if (current === undefined) {
    try {
      await client.schedule.create({
        scheduleId,
        spec: wanted.spec,
        action: wanted.action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: wanted.catchupWindow },
        memo: { tenureTaskQueue: wanted.taskQueue },
      });
      return 'created';
    } catch (error) {
      // Another server created it meanwhile: bring it up to date.
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      current = await handle.describe();
    }
  }
  if (current.action.memo?.tenureFingerprint === wanted.action.memo?.tenureFingerprint) return 'unchanged';
  await handle.update((previous) => ({ ...previous, spec: wanted.spec, action: wanted.action }) as typeof previous);
  return 'updated';
}

/**
 * Makes Temporal's Schedules match the schedule-triggered plans: creates a Schedule per
 * plan (`schedule/<definition>`), updates one whose plan, timing, guard or task queue
 * changed, and deletes Tenure's Schedules (on this task queue) whose definition is gone.
 * Safe to run from several servers at once. Deletion relies on Temporal's schedule list,
 * which is eventually consistent: a Schedule created a moment ago may be removed only by
 * the next sync.
 */
export async function syncSchedules(client: Client, plans: readonly Plan[], options: ScheduleSyncOptions): Promise<ScheduleSyncReport> {
  const report: ScheduleSyncReport = { created: [], updated: [], deleted: [], unchanged: [], failed: [] };
  const desired = plans.filter(isScheduled);
  const wanted = new Set(desired.map((p) => scheduleId(p.name)));

  for (const plan of desired) {
    const id = scheduleId(plan.name);
    try {
      const outcome = await ensureSchedule(client, id, { spec: spec(plan), action: action(plan, options), catchupWindow: '10m', taskQueue: options.taskQueue });
      report[outcome].push(id);
    } catch (error) {
      report.failed.push({ scheduleId: id, error: (error as Error).message });
    }
  }

  for await (const summary of client.schedule.list()) {
    if (!summary.scheduleId.startsWith(SCHEDULE_ID_PREFIX) || wanted.has(summary.scheduleId)) continue;
    if (summary.memo?.tenureTaskQueue !== options.taskQueue) continue;
    try {
      await client.schedule.getHandle(summary.scheduleId).delete();
      report.deleted.push(summary.scheduleId);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) report.failed.push({ scheduleId: summary.scheduleId, error: (error as Error).message });
    }
  }
  return report;
}

/**
 * Syncs the Schedules with the plans in force now, then again after every reload that
 * changed a definition (a failed re-sync is logged; the next change tries again).
 * Returns the first sync's report.
 */
export async function followSchedules(
  client: Client,
  registry: Pick<DefinitionRegistry, 'plans' | 'subscribe'>,
  options: ScheduleSyncOptions,
  logger: Pick<Logger, 'info' | 'error'>,
): Promise<ScheduleSyncReport> {
  const first = await syncSchedules(client, registry.plans(), options);
  logger.info({ schedules: first }, 'schedules synced');
  registry.subscribe((report) => {
    if (report.changed.length === 0) return;
    syncSchedules(client, report.plans, options).then(
      (synced) => logger.info({ schedules: synced }, 'schedules re-synced after a definition change'),
      (error: unknown) => logger.error({ err: error }, 'could not re-sync schedules after a definition change'),
    );
  });
  return first;
}
