import type { Command } from 'commander';
import { registerDecision } from './decision.ts';

/** `tenure abort <workflowId>`: see decision.ts. */
export function registerAbort(program: Command): void {
  registerDecision(program, 'abort');
}
