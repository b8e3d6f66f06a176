import type { Command } from 'commander';
import { startEmulator } from '../../emulator/index.ts';
import { port, untilSignal } from '../common.ts';

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description('run the OpenAI Admin API emulator (and its generic SCIM 2.0 service) alone')
    .option('-p, --port <port>', 'port to listen on', port, 8787)
    .option('--host <host>', 'address to bind (control endpoints answer loopback clients only)', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const adminKey = process.env.OPENAI_ADMIN_KEY;
      const emulator = await startEmulator({ port: options.port, host: options.host, ...(adminKey ? { adminKey } : {}) });
      console.log(`OpenAI emulator listening on ${emulator.baseUrl}`);
      console.log(adminKey ? 'admin key: OPENAI_ADMIN_KEY' : `admin key: ${emulator.adminKey}`);
      console.log(`SCIM 2.0 (generic, not OpenAI-specific): ${emulator.scimUrl}   (same key)`);
      console.log(`state: ${emulator.url}/_emulator/state   requests: ${emulator.url}/_emulator/requests`);
      console.log(`control: POST ${emulator.url}/_emulator/invites/<id>/accept | /expire, /_emulator/reset, /_emulator/faults`);
      await untilSignal();
      await emulator.close();
    });
}
