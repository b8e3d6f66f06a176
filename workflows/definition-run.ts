import { setHandler } from '@temporalio/workflow';
import { approveSignal, DECISION_UPDATES, employeeChangedSignal, OPERATOR_ACTIONS, OPERATOR_SIGNALS, rejectSignal, statusQuery, supersedeSignal } from './messages.ts';
import { askPatchesFirst } from './patches.ts';
import { DefinitionRun } from './run/run.ts';
import type { DefinitionRunInput, DefinitionRunResult } from './run/types.ts';

export type { DefinitionRunInput, DefinitionRunResult, EngineFailureType } from './run/types.ts';

/**
 * Interprets a frozen plan: each action step is an activity, each wait a durable timer,
 * each approval a wait for an approver's decision. Every action's outcome is recorded in the results
 * store. A step that fails for good parks the run as `needs-attention` until an
 * operator retries the step, skips it or aborts the run; earlier steps are never redone.
 * A `supersede` signal from the person's entity workflow stops the run cleanly.
 *
 * The run's state and steps are in run/ (a class, and one runner per step kind); this
 * function wires the handlers to it and waits for it.
 */
export async function definitionRun(input: DefinitionRunInput): Promise<DefinitionRunResult> {
  askPatchesFirst();
  const run = new DefinitionRun(input);
  setHandler(statusQuery, () => run.state);
  run.showAttributes();
  // Operator decisions: updates, refused by their validators when the run cannot take them.
  setHandler(DECISION_UPDATES.approve, (request) => run.takeApproval(true, request), { validator: (request) => void run.checkApproval(request) });
  setHandler(DECISION_UPDATES.reject, (request) => run.takeApproval(false, request), { validator: (request) => void run.checkApproval(request) });
  for (const action of OPERATOR_ACTIONS) {
    setHandler(DECISION_UPDATES[action], (request) => run.takeParked(action, request), { validator: (request) => void run.checkParked(action, request) });
  }
  // The same decisions as signals, from clients and runs of before the updates.
  setHandler(approveSignal, (decision) => run.approvalSignal(true, decision));
  setHandler(rejectSignal, (decision) => run.approvalSignal(false, decision));
  for (const action of OPERATOR_ACTIONS) setHandler(OPERATOR_SIGNALS[action], (decision) => run.parkedSignal(action, decision));
  setHandler(employeeChangedSignal, (change) => run.employeeChanged(change));
  setHandler(supersedeSignal, (supersession) => run.supersede(supersession));
  return run.execute();
}
