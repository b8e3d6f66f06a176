import type { Command } from 'commander';
import { startDevStack } from '../../devstack/index.ts';
import { createLogger } from '../../logging/index.ts';
import { config, untilSignal } from '../common.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description('run everything on this machine: embedded Temporal (unless TEMPORAL_ADDRESS), the sandbox emulator (unless OPENAI_ADMIN_KEY), the worker and the trigger server')
    .action(async () => {
      const cfg = config();
      const logger = createLogger({ level: cfg.logLevel, name: 'tenure' });
      const stack = await startDevStack(cfg, process.env, logger, (line) => console.log(line));
      const outcome = await Promise.race([untilSignal().then((s) => ({ signal: s })), stack.failed.catch((error: Error) => ({ error }))]);
      console.log(`tenure: ${'signal' in outcome ? `${outcome.signal} received` : outcome.error.message}; stopping…`);
      const started = Date.now();
      await stack.stop();
      console.log(`tenure: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if ('error' in outcome) process.exitCode = 1;
    });
}
