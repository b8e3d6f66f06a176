import type { Command } from 'commander';
import { HrDirectory, Organization, SANDBOX_PROJECTS, seedHrDirectory, startEmulator } from '../../emulator/index.ts';
import { devSecrets } from '../../devstack/index.ts';
import { config, port, untilSignal } from '../common.ts';
import { describe } from './index.ts';

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description(describe('emulator'))
    .option('-p, --port <port>', 'port to listen on', port, 8787)
    .option('--host <host>', 'address to bind (control endpoints answer loopback clients only)', '127.0.0.1')
    .action(async (options: { port: number; host: string }) => {
      const adminKey = process.env.OPENAI_ADMIN_KEY;
      const { home } = await config();
      const hris = new HrDirectory();
      seedHrDirectory(hris);
      // The projects the shipped definitions name, as `tenure dev` seeds them.
      const organization = new Organization();
      organization.seedProjects(SANDBOX_PROJECTS);
      // Without OPENAI_ADMIN_KEY, the dev stack's key: a sandbox `tenure worker` finds it in the same file.
      const emulator = await startEmulator({ port: options.port, host: options.host, hris, organization, adminKey: adminKey ?? devSecrets(home).emulatorKey.reveal() });
      console.log(`OpenAI emulator listening on ${emulator.baseUrl}`);
      console.log(adminKey ? 'admin key: OPENAI_ADMIN_KEY' : `admin key: the sandbox's (${home}/dev-secrets.json)`);
      console.log(`SCIM 2.0 (generic, not OpenAI-specific): ${emulator.scimUrl}   (same key)`);
      console.log(`state: ${emulator.url}/_emulator/state   requests: ${emulator.url}/_emulator/requests`);
      console.log(`control: POST ${emulator.url}/_emulator/invites/<id>/accept | /expire, /_emulator/reset, /_emulator/faults`);
      console.log(`HR emulators (seeded): BambooHR ${emulator.hrisUrls.bamboohr}, HiBob ${emulator.hrisUrls.hibob}, Merge ${emulator.hrisUrls.merge}`);
      console.log(`  people: GET|PUT|DELETE ${emulator.url}/_emulator/hris/<bamboohr|hibob|merge>/employees[/<id>]   (credentials: docs/openai.md#hr-emulators)`);
      await untilSignal();
      await emulator.close();
    });
}
