/**
 * The `tenure` commands that only read files (validate, schema, plan). bin/tenure.js
 * routes them here so they start without loading Temporal, the store or the servers:
 * fast enough for editors, pre-commit hooks and CI (well under a second).
 */
import { Command } from 'commander';
import { ConfigError } from '../config/index.ts';
import { registerPlan } from './commands/plan.ts';
import { registerSchema } from './commands/schema.ts';
import { registerValidate } from './commands/validate.ts';
import { CliError } from './common.ts';

export const OFFLINE_COMMANDS = ['validate', 'schema', 'plan'];

const program = new Command()
  .name('tenure')
  .description('HR lifecycle events to durable, auditable OpenAI organization access, on Temporal.')
  .showHelpAfterError();
for (const register of [registerValidate, registerSchema, registerPlan]) register(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CliError || error instanceof ConfigError) console.error(`tenure: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
}
