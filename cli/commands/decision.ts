import type { Command } from 'commander';
import { userInfo } from 'node:os';
import { decide, type Decision } from '../../triggers/index.ts';
import { withTemporal } from './temporal-client.ts';

const WHAT: Record<Decision, { description: string; done: string }> = {
  approve: { description: 'approve the approval a run is waiting for', done: 'approved' },
  reject: { description: 'reject the approval a run is waiting for', done: 'rejected' },
  retry: { description: 'run the failed step of a run that needs attention again (earlier steps are not redone)', done: 'retry of' },
  skip: { description: 'go on after the failed step of a run that needs attention, as if it had done nothing', done: 'skipped' },
  abort: { description: 'end a run that needs attention as failed (RUN_ABORTED), recorded in the audit log', done: 'aborting after' },
};

/** `tenure <decision> <workflowId> [--reason] [--by] [--step]`: checked, then signalled. */
export function registerDecision(program: Command, decision: Decision): void {
  const command = program
    .command(decision)
    .description(WHAT[decision].description)
    .argument('<workflowId>', 'the run, e.g. onboard-openai/E-1001/evt_1 (see `tenure runs`)')
    .option('--reason <text>', 'why (recorded in the audit log)')
    .option('--by <who>', 'who decides (recorded in the audit log); default: your login name');
  if (decision === 'approve' || decision === 'reject') command.option('--step <id>', 'the approval step, when the run has several');
  command.action(async (workflowId: string, options: { reason?: string; by?: string; step?: string }) => {
    const by = options.by ?? userInfo().username;
    const done = await withTemporal((client) =>
      decide(client, workflowId, decision, { by, ...(options.reason !== undefined ? { reason: options.reason } : {}), ...(options.step !== undefined ? { step: options.step } : {}) }),
    );
    console.log(`${workflowId}: ${WHAT[decision].done} step '${done.step}' (by ${by}). \`tenure runs --employee <id>\` shows where it stands.`);
  });
}
