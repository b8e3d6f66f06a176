import type { Command } from 'commander';
import { startDevStack } from '../../devstack/index.ts';
import { quietTemporalRuntime } from '../../workers/index.ts';
import { config, untilSignal } from '../common.ts';
import { logFormatOption, serviceLogger } from '../logger.ts';
import { describe } from './index.ts';

export function registerDev(program: Command): void {
  program
    .command('dev')
    .description(describe('dev'))
    .addOption(logFormatOption())
    .action(async (options: { logFormat?: string }) => {
      const cfg = await config();
      const logger = serviceLogger(cfg, 'tenure', options.logFormat);
      quietTemporalRuntime('WARN', logger);
      const stack = await startDevStack(cfg, process.env, logger, (line) => console.log(line));
      const outcome = await Promise.race([untilSignal().then((s) => ({ signal: s })), stack.failed.catch((error: Error) => ({ error }))]);
      console.log(`tenure: ${'signal' in outcome ? `${outcome.signal} received` : outcome.error.message}; stopping…`);
      const started = Date.now();
      await stack.stop();
      console.log(`tenure: stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if ('error' in outcome) process.exitCode = 1;
    });
}
