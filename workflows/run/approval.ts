import { condition, log, setCurrentDetails } from '@temporalio/workflow';
import { ExpressionError } from '../../dsl/expression-context.ts';
import type { ApprovalOutput, ApprovalStep } from '../../dsl/plan.ts';
import type { StepResult } from '../messages.ts';
import { iso, type DefinitionRun, type PendingDecision } from './run.ts';
import { runEngine } from './engine.ts';
import { expressionFailureType } from './types.ts';

/** Waits for an approval decision (or the timeout), releasing the person's lease meanwhile. */
export async function runApproval(run: DefinitionRun, step: ApprovalStep): Promise<StepResult> {
  const { state, decisions, workflowId } = run;
  let approvers: string[];
  let message: string | undefined;
  try {
    approvers = step.approvers.map((a) => String(runEngine().renderTemplate(a, run.context())));
    message = step.message ? String(runEngine().renderTemplate(step.message, run.context())) : undefined;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { id: step.id, kind: 'approval', outcome: 'failed', error: { type: expressionFailureType(error), message: `approval '${step.id}': ${error.message}` } };
  }
  const forThisStep = (d: PendingDecision) => d.step === undefined || d.step === step.id;
  const pending = () => decisions.findIndex((d) => forThisStep(d) && run.mayDecide(approvers, d.by));
  await run.lease.pause();
  const until = iso(Date.now() + step.timeoutMs);
  state.awaitingApproval = { step: step.id, approvers, until };
  run.setStatus('waiting');
  setCurrentDetails(
    `Waiting for approval **${step.id}** from ${approvers.join(', ')} until ${until} (then: ${step.onTimeout}). ` +
      `\`tenure approve|reject ${workflowId} --reason "…"\` (updates \`approve\`, \`reject\` with { by, reason }; only the approvers listed may decide).` +
      (message ? `\n\n${message}` : ''),
  );
  const decided = await condition(() => pending() >= 0, step.timeoutMs, { summary: `${step.id}: approval until ${until}` });
  state.awaitingApproval = null;
  run.setStatus('running');
  // Signals from someone not listed (in runs that check) are dropped here, not left for a later approval.
  for (let i = decisions.length - 1; i >= 0; i--) {
    const d = decisions[i]!;
    if (forThisStep(d) && !run.mayDecide(approvers, d.by)) {
      log.warn(`'${d.approved ? 'approve' : 'reject'}' by ${d.by} ignored: not an approver of '${step.id}'`);
      decisions.splice(i, 1);
    }
  }
  let output: ApprovalOutput;
  if (decided) {
    const [decision] = decisions.splice(pending(), 1) as [PendingDecision];
    output = { approved: decision.approved, by: decision.by, reason: decision.reason ?? null, timedOut: false };
  } else {
    output = { approved: step.onTimeout === 'approve', by: null, reason: `no decision within ${step.timeoutMs} ms`, timedOut: true };
  }
  run.outputs[step.id] = { output };
  const outcome = output.approved ? 'approved' : 'rejected';
  // For approvals the audit row's target is who decided (or `timeout`): the auditor's "who approved this".
  await run.audit(step.id, { id: step.id, action: 'approval' }, { outcome }, output.by ?? 'timeout', { actor: output.by, reason: output.reason });
  return { id: step.id, kind: 'approval', outcome, approval: output };
}
