import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { Secret } from '../../config/index.ts';
import { devSecrets } from '../../devstack/index.ts';
import { CliError, config } from '../common.ts';
import { sendEvent } from '../send.ts';

export function registerSend(program: Command): void {
  program
    .command('send')
    .description('sign an event file as the generic source (Standard Webhooks) and deliver it to the trigger server')
    .argument('<file>', 'JSON file holding one HrEvent')
    .option('--url <url>', 'webhook URL (default: http://127.0.0.1:$PORT/webhooks/generic)')
    .option('--id <webhookId>', 'webhook-id header (default: the event\'s id)')
    .action(async (file: string, options: { url?: string; id?: string }) => {
      const cfg = config();
      const secret: Secret = cfg.webhookSecret ?? devSecrets(cfg.home).webhookSecret;
      let body: string;
      try {
        body = readFileSync(file, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
      }
      const url = options.url ?? `http://127.0.0.1:${cfg.server.port}/webhooks/generic`;
      let result;
      try {
        result = await sendEvent({ url, secret, body, ...(options.id ? { messageId: options.id } : {}) });
      } catch (error) {
        throw new CliError(`could not reach ${url}: ${(error as Error).message}. Is \`npm start\` running?`);
      }
      console.log(`${result.status} ${result.body}`);
      if (result.status >= 300) process.exitCode = 1;
    });
}
