import { condition, setCurrentDetails } from '@temporalio/workflow';
import { ExpressionError } from '../../dsl/expression-context.ts';
import type { WaitStep } from '../../dsl/plan.ts';
import { waitTarget } from '../../dsl/time.ts';
import type { HrEvent } from '../../events/index.ts';
import type { StepResult } from '../messages.ts';
import { FEWER_ROUND_TRIPS, isPatched } from '../patches.ts';
import { runEngine } from './engine.ts';
import { iso, type DefinitionRun } from './run.ts';
import { expressionFailureType, type EngineFailureType } from './types.ts';

/** When a wait ends, from the record as it is now; a failed result when its date is not one. */
function waitEnd(run: DefinitionRun, step: WaitStep, startedAt: number): number | StepResult {
  if (step.durationMs !== undefined) return startedAt + step.durationMs;
  const failed = (type: EngineFailureType, message: string): StepResult => ({ id: step.id, kind: 'wait', outcome: 'failed', error: { type, message } });
  let until: unknown;
  try {
    until = runEngine().evaluate(step.until as string, run.context());
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return failed(expressionFailureType(error), `wait '${step.id}': ${error.message}`);
  }
  if (typeof until !== 'string') return failed('BAD_WAIT_TARGET', `wait '${step.id}': until gave ${JSON.stringify(until)}, not a date`);
  const zone = step.timezone ?? (run.event as HrEvent).employee.timezone ?? 'UTC';
  try {
    return waitTarget(until, { zone, ...(step.offsetMs !== undefined ? { offsetMs: step.offsetMs } : {}), ...(step.at !== undefined ? { at: step.at } : {}) });
  } catch (error) {
    return failed('BAD_WAIT_TARGET', `wait '${step.id}': ${(error as Error).message}`);
  }
}

/** A durable timer, woken early by a newer record that moves its date. */
export async function runWait(run: DefinitionRun, step: WaitStep): Promise<StepResult> {
  const { state, plan } = run;
  const startedAt = Date.now();
  for (;;) {
    const target = waitEnd(run, step, startedAt);
    if (typeof target !== 'number') return target;
    const remaining = target - Date.now();
    if (remaining <= 0) {
      run.setStatus('running');
      state.waitingUntil = null;
      const until = iso(Math.max(target, Date.now()));
      run.outputs[step.id] = { output: { until } };
      return { id: step.id, kind: 'wait', outcome: 'waited', until };
    }
    await run.lease.pause();
    state.waitingUntil = iso(target);
    run.setStatus('waiting');
    setCurrentDetails(`Step **${step.id}** waits until ${iso(target)} (${plan.name} v${plan.version}). A newer HR record that moves the date moves the wait.`);
    const version = run.recordVersion;
    // Woken by the timer or by a newer record: either way the date is looked at again.
    await condition(() => run.recordVersion !== version, remaining, { summary: `${step.id}: until ${iso(target)}` });
    // A wait moved by a newer record goes on waiting: shown as running only once it is over.
    if (!isPatched(FEWER_ROUND_TRIPS)) run.setStatus('running');
  }
}
