import {
  ApplicationFailure,
  ChildWorkflowFailure,
  log,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ReconciliationActivities } from '../activities/index.ts';
import type { Plan } from '../dsl/plan.ts';
import type { HrEvent } from '../events/index.ts';
import { definitionRun } from './definition-run.ts';
import { openaiTaskQueueFor, runWorkflowId } from './ids.ts';
import { SEARCH_ATTRIBUTES } from './search-attributes.ts';

/** Why a scheduled run fails: it refused to act (the guard), or some of its runs failed. */
export type ScheduledRunFailureType = 'GUARD_TRIPPED' | 'RUNS_FAILED';

export interface ScheduledRunInput {
  /** A plan whose trigger is a schedule, frozen when the Schedule was last synced. */
  plan: Plan;
  /** Refuse to act on anyone when a tick finds more people than this (0 refuses any action). */
  maxUsers: number;
}

export interface ScheduledRunResult {
  definition: string;
  /** The event id every run of this tick shares. */
  tick: string;
  /** Runs started (or found already started) for this tick, one per person. */
  runs: string[];
  /** Runs that failed; each says why in its own history. */
  failed: string[];
}

const reconciler = proxyActivities<ReconciliationActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 5 },
  summary: 'find departed employees who still have access',
});

/**
 * One tick of a Temporal Schedule (`schedule/<definition>`): a reconciliation. It asks
 * whom to act on (departed employees who still hold OpenAI access), refuses outright
 * when that is more than `maxUsers` — a guard against a bad HR export removing half the
 * company — and otherwise runs the plan once per person through the one interpreter,
 * `definitionRun`, as that person's departure (`<definition>/<employeeId>/<tick>`).
 */
export async function scheduledRun({ plan, maxUsers }: ScheduledRunInput): Promise<ScheduledRunResult> {
  const info = workflowInfo();
  // The Schedule appends the scheduled time to the workflow id: the same tick gives the same runs.
  const tick = `tick.${info.workflowId.split('/').at(-1)?.replace(/[^\w.:-]/g, '-') ?? info.runId}`.slice(0, 200);
  const subjects = await reconciler.findDepartedWithAccess({ definition: plan.name });
  if (subjects.length > maxUsers) {
    throw ApplicationFailure.create({
      type: 'GUARD_TRIPPED' satisfies ScheduledRunFailureType,
      nonRetryable: true,
      message:
        `${plan.name}: this run would act on ${subjects.length} people, more than the guard allows (${maxUsers}, TENURE_SCHEDULE_MAX_USERS); ` +
        'nothing was done. Check the HR data, then raise the limit or act on them by hand.',
    });
  }
  setCurrentDetails(`Acting on ${subjects.length} people`);
  const runs: string[] = [];
  const failed: string[] = [];
  // All runs start at once and are awaited together: one run parked as needs-attention
  // holds this tick open (the Schedule skips overlapping ticks) but not the other people.
  const results: Promise<void>[] = [];
  for (const subject of subjects) {
    const event: HrEvent = { id: tick, type: 'employee.departed', occurredAt: info.startTime.toISOString(), source: subject.source, employee: subject.employee };
    const workflowId = runWorkflowId(plan.name, subject.employee.id, tick);
    runs.push(workflowId);
    try {
      const child = await startChild(definitionRun, {
        workflowId,
        args: [{ plan, event, openaiTaskQueue: openaiTaskQueueFor(info.taskQueue) }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `scheduled ${plan.name} v${plan.version} — ${subject.employee.email}`,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.employeeId, value: subject.employee.id },
          { key: SEARCH_ATTRIBUTES.source, value: subject.source },
          { key: SEARCH_ATTRIBUTES.eventType, value: event.type },
          { key: SEARCH_ATTRIBUTES.definition, value: plan.name },
          { key: SEARCH_ATTRIBUTES.definitionHash, value: plan.hash },
          { key: SEARCH_ATTRIBUTES.status, value: 'running' },
        ],
      });
      results.push(
        child.result().then(
          () => undefined,
          (error: unknown) => {
            if (!(error instanceof ChildWorkflowFailure)) throw error;
            failed.push(workflowId);
            log.warn('run failed', { workflowId, error: error.cause?.message });
          },
        ),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) log.info('run already exists for this tick', { workflowId });
      else throw error;
    }
  }
  await Promise.all(results);
  failed.sort((a, b) => runs.indexOf(a) - runs.indexOf(b));
  setCurrentDetails(`Done: ${runs.length - failed.length} of ${runs.length} runs succeeded`);
  if (failed.length > 0) {
    throw ApplicationFailure.create({ type: 'RUNS_FAILED' satisfies ScheduledRunFailureType, nonRetryable: true, message: `${failed.length} of ${runs.length} runs failed: ${failed.join(', ')}` });
  }
  return { definition: plan.name, tick, runs, failed };
}
