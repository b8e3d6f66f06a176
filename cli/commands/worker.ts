import type { Command } from 'commander';
import { sandboxConfig } from '../../devstack/index.ts';
import { quietTemporalRuntime, startWorker } from '../../workers/index.ts';
import { config, untilSignal } from '../common.ts';
import { logFormatOption, serviceLogger } from '../logger.ts';
import { describe } from './index.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(describe('worker'))
    .addOption(logFormatOption())
    .action(async (options: { logFormat?: string }) => {
      const cfg = sandboxConfig(await config());
      const logger = serviceLogger(cfg, 'tenure-worker', options.logFormat);
      quietTemporalRuntime('WARN', logger);
      if (cfg.openai.mode === 'sandbox') {
        logger.warn({ openaiBaseUrl: cfg.openai.baseUrl }, 'SANDBOX MODE: OPENAI_ADMIN_KEY is not set; OpenAI calls go to the emulator (its key from TENURE_HOME/dev-secrets.json, as `tenure dev` and `tenure emulator` use). Nothing reaches OpenAI.');
      }
      const worker = await startWorker(cfg, { logger });
      await Promise.race([untilSignal(), worker.done]);
      await worker.shutdown();
    });
}
