/**
 * The `tenure` command. Every subcommand has --help, exits non-zero on failure and
 * prints errors a person can act on. Each subcommand lives in commands/<name>.ts.
 */
import { Command } from 'commander';
import { ConfigError } from '../config/index.ts';
import { DevServerError, ToolNotFoundError } from '../devstack/index.ts';
import { StoreError } from '../store/index.ts';
import { quietTemporalRuntime } from '../workers/index.ts';
import { registerAudit } from './commands/audit.ts';
import { registerDev } from './commands/dev.ts';
import { registerEmulator } from './commands/emulator.ts';
import { registerPlan } from './commands/plan.ts';
import { registerSchema } from './commands/schema.ts';
import { registerSend } from './commands/send.ts';
import { registerServe } from './commands/serve.ts';
import { registerValidate } from './commands/validate.ts';
import { registerWorker } from './commands/worker.ts';
import { registerRuns } from './commands/runs.ts';
import { registerApprove } from './commands/approve.ts';
import { registerReject } from './commands/reject.ts';
import { registerRetry } from './commands/retry.ts';
import { registerSkip } from './commands/skip.ts';
import { registerAbort } from './commands/abort.ts';
import { CliError } from './common.ts';

const EXPECTED_ERRORS = [CliError, ConfigError, ToolNotFoundError, DevServerError, StoreError];

const program = new Command()
  .name('tenure')
  .description('HR lifecycle events to durable, auditable OpenAI organization access, on Temporal.')
  .showHelpAfterError();

for (const register of [registerDev, registerWorker, registerServe, registerEmulator, registerSend, registerValidate, registerSchema, registerPlan, registerAudit]) register(program);
for (const register of [registerRuns, registerApprove, registerReject, registerRetry, registerSkip, registerAbort]) register(program);

quietTemporalRuntime('WARN');
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (EXPECTED_ERRORS.some((type) => error instanceof type)) console.error(`tenure: ${(error as Error).message}`);
  else console.error(error);
  process.exitCode = 1;
}
