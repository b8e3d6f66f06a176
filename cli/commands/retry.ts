import type { Command } from 'commander';
import { registerDecision } from './decision.ts';

/** `tenure retry <workflowId>`: see decision.ts. */
export function registerRetry(program: Command): void {
  registerDecision(program, 'retry');
}
