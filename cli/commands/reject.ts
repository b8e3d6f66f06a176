import type { Command } from 'commander';
import { registerDecision } from './decision.ts';

/** `tenure reject <workflowId>`: see decision.ts. */
export function registerReject(program: Command): void {
  registerDecision(program, 'reject');
}
