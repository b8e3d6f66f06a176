// `tenure dev` in sandbox mode with only HIBOB_WEBHOOK_SECRET set: the HR emulators start
// with a seeded directory, the HiBob connector reads them with the emulator's own
// credentials, so a thin HiBob webhook for a seeded person becomes an invite; the HR
// directory is saved with the OpenAI emulator's state when the stack stops.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tenureDataConverter } from '../../codec/index.ts';
import { Secret } from '../../config/index.ts';
import { devSecrets } from '../../devstack/index.ts';
import { signHiBob } from '../../triggers/index.ts';
import { devStackSetup, stopDevStack, type DevStackPorts } from '../helpers/dev-stack.ts';
import { startTenure, type RunningCommand } from '../helpers/process.ts';

const HIBOB_SECRET = 'hibob-webhook-secret-dev-stack';

describe('tenure dev with the HR emulators', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ports: DevStackPorts;
  let running: RunningCommand | undefined;

  beforeAll(async () => {
    // Nothing but the webhook secret: no OpenAI key, no HR credentials.
    ({ home, env, ports } = await devStackSetup('tenure-dev-hris-', /^(TEMPORAL_ADDRESS|OPENAI_|TENURE_WEBHOOK_SECRET|BAMBOOHR_|HIBOB_|MERGE_)/, { HIBOB_WEBHOOK_SECRET: HIBOB_SECRET }));
  });

  afterAll(async () => {
    await stopDevStack(running, { showOutput: true });
  });

  it('enriches a thin HiBob webhook from the seeded HiBob emulator and invites the person', async () => {
    running = startTenure(['dev'], env);
    await running.waitFor(/Stop with Ctrl-C/, 90_000);
    expect(running.output()).toContain('HR APIs (bamboohr, hibob, merge) read the HR emulators');

    const emulator = `http://127.0.0.1:${ports.emulator}`;
    const seeded = (await (await fetch(`${emulator}/_emulator/hris/hibob/employees`)).json()) as { employees: { id: string; email: string; internal: { lifecycleStatus: string } }[] };
    const employed = seeded.employees.find((e) => e.internal.lifecycleStatus === 'employed')!;
    expect(seeded.employees.map((e) => e.internal.lifecycleStatus).sort()).toEqual(['employed', 'hired', 'terminated']);

    const body = JSON.stringify({ companyId: '731902', type: 'employee.created', triggeredBy: 'user', triggeredAt: new Date().toISOString(), version: 'v2', data: { employeeId: employed.id } });
    const answer = await fetch(`http://127.0.0.1:${ports.trigger}/webhooks/hibob`, { method: 'POST', headers: { 'content-type': 'application/json', ...signHiBob(new Secret(HIBOB_SECRET), body) }, body });
    expect(answer.status).toBe(202);
    const { events } = (await answer.json()) as { events: { workflowId: string; runs: string[] }[] };

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      // Payloads are encrypted with the dev key the stack wrote into its state folder.
      const client = new Client({ connection, dataConverter: tenureDataConverter(devSecrets(home).payloadKeys) });
      await client.workflow.getHandle(events[0]!.workflowId).result();
      expect(await client.workflow.getHandle(events[0]!.runs[0]!).result()).toMatchObject({ status: 'done' });
    } finally {
      await connection.close();
    }
    const state = (await (await fetch(`${emulator}/_emulator/state`)).json()) as { invites: { email: string }[] };
    expect(state.invites.map((i) => i.email)).toEqual([employed.email]);

    // A person added through the control endpoint is kept with the OpenAI state when the stack stops.
    expect((await fetch(`${emulator}/_emulator/hris/merge/employees/added-1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ work_email: 'new@sandbox.example', employment_status: 'PENDING' }) })).status).toBe(200);
    running.child.kill('SIGINT');
    expect((await running.exited).code).toBe(0);
    const saved = JSON.parse(readFileSync(join(home, 'emulator-hris-state.json'), 'utf8')) as Record<string, { id: string }[]>;
    expect(saved.merge!.map((p) => p.id)).toContain('added-1');
    expect(saved.hibob!.map((p) => p.id)).toContain(employed.id);
  }, 300_000);
});
