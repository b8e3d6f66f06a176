// A deliberately incompatible change to the workflow code, for replay.test.ts: the
// definition run now starts a timer before anything else. Runs recorded with the real code
// never scheduled that timer, so replaying their histories against this bundle must fail.
import { sleep } from '@temporalio/workflow';
import { definitionRun as current, type DefinitionRunInput } from '../../workflows/definition-run.ts';

export { awaitAcceptance, employeeWorkflow, scheduledRun, syncWorkflow } from '../../workflows/index.ts';

export async function definitionRun(input: DefinitionRunInput) {
  await sleep('1s');
  return current(input);
}
