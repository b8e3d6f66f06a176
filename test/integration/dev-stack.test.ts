// `tenure dev` (what `npm start` runs), as a person runs it: a child process with its own
// ports and state folder. It must bring up every part, print its URLs, stop cleanly on
// SIGINT within 10 s, and on restart resume the runs that were in flight.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { tenureDataConverter } from '../../codec/index.ts';
import { devSecrets } from '../../devstack/index.ts';
import { startEmulator } from '../../emulator/index.ts';
import type { RunState } from '../../workflows/index.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { devStackSetup, writeHire, type DevStackPorts } from '../helpers/dev-stack.ts';
import { freePort } from '../helpers/ports.ts';
import { eventually, startTenure, type RunningCommand } from '../helpers/process.ts';

async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await request(url);
  return { status: response.statusCode, body: await response.body.text() };
}

describe('tenure dev', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ports: DevStackPorts;
  let running: RunningCommand | undefined;

  beforeAll(async () => {
    ({ home, env, ports } = await devStackSetup('tenure-dev-', /^(TEMPORAL_ADDRESS|OPENAI_ADMIN_KEY|TENURE_WEBHOOK_SECRET)$/));
  });

  afterAll(async () => {
    if (running && running.child.exitCode === null) {
      console.log(`tenure dev output:\n${running.output()}`);
      running.child.kill('SIGKILL');
      await running.exited;
    }
  });

  const hire = (name: string, employeeId: string, startDate: string) => writeHire(home, name, { id: employeeId, startDate });

  async function send(file: string): Promise<{ status: number; runs: string[] }> {
    const sender = startTenure(['send', file], env);
    const { code } = await sender.exited;
    const [status, ...body] = sender.output().trim().split(' ');
    expect(code).toBe(0);
    return { status: Number(status), runs: (JSON.parse(body.join(' ')) as { events: { runs: string[] }[] }).events[0]!.runs };
  }

  async function stop(command: RunningCommand): Promise<number> {
    const started = Date.now();
    command.child.kill('SIGINT');
    const { code } = await command.exited;
    expect(code).toBe(0);
    return Date.now() - started;
  }

  it('runs every part, stops on SIGINT within 10 s, and resumes in-flight runs on restart', async () => {
    running = startTenure(['dev'], env);
    await running.waitFor(/Stop with Ctrl-C/, 90_000);
    const banner = running.output();
    expect(banner).toContain('SANDBOX MODE');
    expect(banner).toContain(`http://127.0.0.1:${ports.trigger}`);
    expect(banner).toContain(`http://127.0.0.1:${ports.ui}`);
    expect(banner).toMatch(/webhook secret\s+whsec_/);
    expect(banner).toContain(`codec endpoint   http://127.0.0.1:${ports.trigger}/codec   (payload key dev`);

    expect((await get(`http://127.0.0.1:${ports.trigger}/healthz`)).status).toBe(200);
    expect((await get(`http://127.0.0.1:${ports.trigger}/readyz`)).status).toBe(200);
    await eventually(async () => ((await get(`http://127.0.0.1:${ports.ui}/`)).status === 200 ? true : undefined), 30_000, 'the Temporal UI');

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    // The dev stack encrypts payloads with the dev key it wrote into its state folder.
    const dataConverter = tenureDataConverter(devSecrets(home).payloadKeys);
    const client = new Client({ connection, dataConverter });
    try {
      // A hire far in the future waits; one in the past is invited at once.
      const waiting = await send(hire('future', 'E-FUTURE', '2099-01-10'));
      expect(waiting.status).toBe(202);
      const past = await send(hire('past', 'E-PAST', '2026-01-05'));
      expect(past.status).toBe(202);
      await client.workflow.getHandle('employee/generic/E-PAST').result();
      const state = JSON.parse((await get(`http://127.0.0.1:${ports.emulator}/_emulator/state`)).body) as { invites: { email: string }[] };
      expect(state.invites.map((i) => i.email)).toEqual(['past@example.com']);
      const waitingRun = client.workflow.getHandle(waiting.runs[0]!);
      await eventually(async () => ((await waitingRun.query<RunState>('status')).status === 'waiting' ? true : undefined), 30_000, 'the future hire to wait');

      expect(await stop(running)).toBeLessThan(10_000);
      await expect(Connection.connect({ address: `127.0.0.1:${ports.temporal}`, connectTimeout: 1_000 }).then((c) => c.workflowService.getSystemInfo({}))).rejects.toThrow();

      running = startTenure(['dev'], env);
      await running.waitFor(/Stop with Ctrl-C/, 90_000);
      const reconnected = new Client({ connection: await Connection.connect({ address: `127.0.0.1:${ports.temporal}` }), dataConverter });
      const resumed = reconnected.workflow.getHandle(waiting.runs[0]!);
      expect((await resumed.describe()).status.name).toBe('RUNNING');
      expect((await resumed.query<RunState>('status')).status).toBe('waiting');
      // The sandbox organization survived the restart too.
      const after = JSON.parse((await get(`http://127.0.0.1:${ports.emulator}/_emulator/state`)).body) as { invites: { email: string }[] };
      expect(after.invites.map((i) => i.email)).toEqual(['past@example.com']);
      await reconnected.connection.close();
      expect(await stop(running)).toBeLessThan(10_000);
    } finally {
      await connection.close();
    }
  }, 300_000);

  it('with a live OpenAI key, does not print the dev webhook secret', async () => {
    // The "live" OpenAI is the emulator on loopback: nothing leaves this machine.
    const openai = await startEmulator({ port: 0 });
    const liveHome = mkdtempSync(join(tmpdir(), 'tenure-dev-live-'));
    const liveEnv = {
      ...env,
      TENURE_HOME: liveHome,
      TENURE_DEV_TEMPORAL_PORT: String(await freePort()),
      TENURE_DEV_UI_PORT: String(await freePort()),
      PORT: String(await freePort()),
      OPENAI_ADMIN_KEY: openai.adminKey,
      OPENAI_BASE_URL: openai.baseUrl,
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    };
    running = startTenure(['dev'], liveEnv);
    try {
      await running.waitFor(/Stop with Ctrl-C/, 90_000);
      const banner = running.output();
      const secret = (JSON.parse(readFileSync(join(liveHome, 'dev-secrets.json'), 'utf8')) as { webhookSecret: string }).webhookSecret;
      expect(secret).toMatch(/^whsec_/);
      expect(banner).not.toContain(secret);
      expect(banner).not.toMatch(/whsec_/);
      expect(banner).toMatch(/webhook secret\s+not printed with a live OpenAI key/);
      expect(await stop(running)).toBeLessThan(10_000);
    } finally {
      await openai.close();
    }
  }, 180_000);
});
