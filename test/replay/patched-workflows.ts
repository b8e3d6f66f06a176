// The same change as altered-workflows.ts, made the way docs/operations.md says to: behind
// patched(). A run that started before the change replays down the old path (its history
// has no patch marker); new runs take the new one. Replaying old histories must succeed.
import { patched, sleep } from '@temporalio/workflow';
import { definitionRun as current, type DefinitionRunInput } from '../../workflows/definition-run.ts';

export { awaitAcceptance, employeeWorkflow, scheduledRun, syncWorkflow } from '../../workflows/index.ts';

export async function definitionRun(input: DefinitionRunInput) {
  if (patched('example-timer-before-steps')) await sleep('1s');
  return current(input);
}
