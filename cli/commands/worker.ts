import type { Command } from 'commander';
import { createLogger } from '../../logging/index.ts';
import { startWorker } from '../../workers/index.ts';
import { config, untilSignal } from '../common.ts';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker against TEMPORAL_ADDRESS (needs OPENAI_ADMIN_KEY)')
    .action(async () => {
      const cfg = config();
      const logger = createLogger({ level: cfg.logLevel, name: 'tenure-worker' });
      const worker = await startWorker(cfg, { logger });
      await Promise.race([untilSignal(), worker.done]);
      await worker.shutdown();
    });
}
