import { setCurrentDetails } from '@temporalio/workflow';
import type { PlanStep } from '../../dsl/plan.ts';
import { runAction } from './action.ts';
import { runApproval } from './approval.ts';
import { loadRunEngine, runEngineLoaded } from './engine.ts';
import { runIf } from './if.ts';
import type { DefinitionRun } from './run.ts';
import type { StepRun } from './types.ts';
import { runWait } from './wait.ts';

/** One runner per step kind. */
async function execute(run: DefinitionRun, step: PlanStep, attempt: number): Promise<StepRun> {
  if (!runEngineLoaded()) await loadRunEngine();
  switch (step.kind) {
    case 'if':
      return runIf(run, step);
    case 'action':
      return { result: await runAction(run, step, attempt === 1 ? step.id : `${step.id}#${attempt}`) };
    case 'wait':
      return { result: await runWait(run, step) };
    case 'approval':
      return { result: await runApproval(run, step) };
  }
}

/** Runs steps in order. A failure that does not continue parks the run until an operator decides. */
export async function runSteps(run: DefinitionRun, steps: readonly PlanStep[]): Promise<void> {
  const { state, plan } = run;
  for (const step of steps) {
    const label = step.kind === 'action' ? step.action : step.kind;
    for (let attempt = 1; ; attempt++) {
      state.currentStep = step.id;
      if (step.kind !== 'wait') setCurrentDetails(`Step **${step.id}** (${label}) of ${plan.name} v${plan.version}`);
      const { result, branch } = await execute(run, step, attempt);
      if (attempt > 1) result.attempts = attempt;
      if (result.outcome !== 'failed' || (step.kind === 'action' && step.continueOnError)) {
        state.steps.push(result);
        if (branch) await runSteps(run, branch);
        break;
      }
      const error = result.error ?? { type: 'STEP_FAILED', message: 'unknown error' };
      const choice = await run.park({ id: step.id, kind: step.kind, action: label }, error, attempt, true);
      if (choice.action === 'skip') {
        // Like a step that failed with continueOnError, it has no output: later steps guard with `"<id>" in steps`.
        state.steps.push({ ...result, outcome: 'skipped', skippedBy: { by: choice.by, ...(choice.reason !== undefined ? { reason: choice.reason } : {}) } });
        break;
      }
    }
  }
}
