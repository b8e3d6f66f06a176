import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure, getExternalWorkflowHandle, log, ParentClosePolicy, proxyActivities, setCurrentDetails, startChild, workflowInfo, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { isPatched } from './patches.ts';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { ReconciliationActivities } from '../activities/index.ts';
import type { Plan } from '../dsl/plan.ts';
import type { HrEvent } from '../events/index.ts';
import { definitionRun } from './definition-run.ts';
import { employeeWorkflow } from './employee.ts';
import { employeeWorkflowId, openaiTaskQueueFor, runWorkflowId } from './ids.ts';
import { runJoinSignal, type EntityRun } from './messages.ts';
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
 * Makes `run` one of the person's runs in their entity workflow, starting the entity if
 * it is closed, so the run takes the person's lease and a newer event supersedes it. False
 * when the entity kept closing and opening under it (the run then goes without).
 */
async function joinEntity(source: string, employeeId: string, run: EntityRun): Promise<boolean> {
  const workflowId = employeeWorkflowId(source, employeeId);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await startChild(employeeWorkflow, {
        workflowId,
        args: [{ source, employeeId, runs: [run] }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Events for employee ${employeeId} (${source})`,
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.employeeId, value: employeeId },
          { key: SEARCH_ATTRIBUTES.source, value: source },
        ],
      });
      return true;
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    try {
      await getExternalWorkflowHandle(workflowId).signal(runJoinSignal, { run });
      return true;
    } catch (error) {
      // It closed between the two: start it again.
      log.info('the person\'s entity closed as the run joined it; starting it again', { workflowId, error: (error as Error).message });
    }
  }
  log.warn('could not join the person\'s entity workflow: the run goes without the per-person lease', { workflowId, run: run.workflowId });
  return false;
}

/**
 * One tick of a Temporal Schedule (`schedule/<definition>`): a reconciliation. It asks
 * whom to act on (departed employees who still hold OpenAI access), refuses outright
 * when that is more than `maxUsers` — a guard against a bad HR export removing half the
 * company — and otherwise runs the plan once per person through the one interpreter,
 * `definitionRun`, as that person's departure (`<definition>/<employeeId>/<tick>`).
 * Each run joins the person's entity workflow first, like the runs of HR events: it takes
 * the person's lease before acting, and a newer hire supersedes it before it acts.
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
    const entityRun: EntityRun = { workflowId, eventId: tick, eventType: event.type, occurredAt: event.occurredAt, definition: plan.name, acted: false, superseded: false };
    const joined = isPatched('scheduled-runs-join-entity') && (await joinEntity(subject.source, subject.employee.id, entityRun));
    try {
      const child = await startChild(definitionRun, {
        workflowId,
        args: [{ plan, event, openaiTaskQueue: openaiTaskQueueFor(info.taskQueue), ...(joined ? { entity: { workflowId: employeeWorkflowId(subject.source, subject.employee.id), leaseHeld: false } } : {}) }],
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
            // Superseded by a newer event (a rehire): cancelled, not failed.
            if (error.cause instanceof CancelledFailure) return log.info('run superseded', { workflowId });
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
