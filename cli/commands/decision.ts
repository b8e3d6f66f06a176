import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { decide, type Decision } from '../../triggers/index.ts';
import { config } from '../common.ts';
import { describe } from './index.ts';
import { withTemporal } from './temporal-client.ts';

const DONE: Record<Decision, string> = { approve: 'approved', reject: 'rejected', retry: 'retry of', skip: 'skipped', abort: 'aborting after' };

/** Who the CLI decides as: `--as`, else TENURE_OPERATOR, else `$USER@host`. */
async function actor(as: string | undefined): Promise<string> {
  return as ?? (await config()).operator ?? `${userInfo().username}@${hostname()}`;
}

/**
 * `tenure <decision> <workflowId> [--reason] [--as] [--step]`: sent to the run as an
 * update, with the caller's Temporal credentials; prints the run's answer, or its refusal
 * code (exit 1).
 */
export function registerDecision(program: Command, decision: Decision): void {
  const command = program
    .command(decision)
    .description(describe(decision))
    .argument('<workflowId>', 'the run, e.g. onboard-openai/E-1001/evt_1 (see `tenure runs`)')
    .option('--reason <text>', `why (recorded in the audit log)${decision === 'skip' || decision === 'abort' ? '; required' : ''}`)
    .option('--as <email>', 'who decides (recorded in the audit log); default: TENURE_OPERATOR, else $USER@host');
  if (decision === 'approve' || decision === 'reject') command.option('--step <id>', 'the approval step, when the run has several');
  command.action(async (workflowId: string, options: { reason?: string; as?: string; step?: string }) => {
    const by = await actor(options.as);
    const taken = await withTemporal((client) =>
      decide(client, workflowId, decision, { by, ...(options.reason !== undefined ? { reason: options.reason } : {}), ...(options.step !== undefined ? { step: options.step } : {}) }),
    );
    console.log(`${workflowId}: ${DONE[decision]} step '${taken.step}' (by ${taken.by}). \`tenure runs show ${workflowId}\` shows where it stands.`);
  });
}
