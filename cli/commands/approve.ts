import type { Command } from 'commander';
import { registerDecision } from './decision.ts';

/** `tenure approve <workflowId>`: see decision.ts. */
export function registerApprove(program: Command): void {
  registerDecision(program, 'approve');
}
