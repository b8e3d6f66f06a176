import { ExpressionError } from '../../dsl/expression-context.ts';
import type { IfStep } from '../../dsl/plan.ts';
import { runEngine } from './engine.ts';
import type { DefinitionRun } from './run.ts';
import { expressionFailureType, type StepRun } from './types.ts';

/** An `if`: the branch to run next, or a failure when the condition fails on this event's data. */
export function runIf(run: DefinitionRun, step: IfStep): StepRun {
  let taken: boolean;
  try {
    taken = runEngine().evaluateCondition(step.condition, run.context());
  } catch (error) {
    // A condition that fails on this event's data cannot be fixed by retrying as is; an operator decides.
    if (!(error instanceof ExpressionError)) throw error;
    return { result: { id: step.id, kind: 'if', outcome: 'failed', error: { type: expressionFailureType(error, 'BAD_EXPRESSION'), message: error.message } } };
  }
  const branch = taken ? 'then' : 'else';
  run.outputs[step.id] = { output: { branch, result: taken } };
  return { result: { id: step.id, kind: 'if', outcome: branch }, branch: taken ? step.then : step.else };
}
