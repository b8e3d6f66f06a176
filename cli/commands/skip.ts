import type { Command } from 'commander';
import { registerDecision } from './decision.ts';

/** `tenure skip <workflowId>`: see decision.ts. */
export function registerSkip(program: Command): void {
  registerDecision(program, 'skip');
}
