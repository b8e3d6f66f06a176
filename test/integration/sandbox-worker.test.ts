// A standalone `tenure worker` in sandbox mode (no OPENAI_ADMIN_KEY, the emulator at
// OPENAI_BASE_URL) starts and acts on the emulator, as `tenure dev`'s own worker does: both
// use the sandbox key kept in TENURE_HOME/dev-secrets.json (the key `tenure emulator` and
// `tenure dev` start the emulator with). A real worker process on the test's Temporal server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devSecrets } from '../../devstack/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { dispatch } from '../../triggers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { dateIn, employee, hrEvent } from '../helpers/engine.ts';
import { compilePlan } from '../helpers/harness.ts';
import { eventually, startTenure, type RunningCommand } from '../helpers/process.ts';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';
import { workerEnv } from '../helpers/worker-process.ts';

const INVITE = `
name: invite-now
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
`;

describe('a standalone worker in sandbox mode', () => {
  const home = mkdtempSync(join(tmpdir(), 'tenure-sandbox-worker-'));
  let emulator: RunningEmulator;
  let temporal: TestTemporal;
  let worker: RunningCommand | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, adminKey: devSecrets(home).emulatorKey.reveal() });
    temporal = await connectTemporal();
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
    await worker?.exited;
    await temporal?.close();
    await emulator?.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('starts without OPENAI_ADMIN_KEY and invites at the emulator', async () => {
    // No admin key: sandbox mode.
    const env = workerEnv({ taskQueue: uniqueTaskQueue('sandbox-worker'), home, openai: { baseUrl: emulator.baseUrl } });
    // Neither memory setting comes from outside: the worker sets both itself (asserted below).
    delete env.MALLOC_ARENA_MAX;
    delete env.NODE_OPTIONS;
    worker = startTenure(['worker'], env);
    await worker.waitFor(/worker started/, 90_000);
    expect(worker.output()).toContain('SANDBOX MODE');
    expect(worker.output()).not.toContain(devSecrets(home).emulatorKey.reveal());
    // The worker process (same pid: bin/tenure.js replaced itself) runs with two malloc arenas
    // and a 16 MiB young generation, which bound its memory in a burst (docs/performance.md).
    const environ = readFileSync(`/proc/${worker.child.pid}/environ`, 'utf8').split('\0');
    expect(environ).toContain('MALLOC_ARENA_MAX=2');
    expect(readFileSync(`/proc/${worker.child.pid}/cmdline`, 'utf8').split('\0')).toContain('--max-semi-space-size=16');

    const hire = hrEvent('employee.hired', employee('S'), { startDate: dateIn(-1) });
    await dispatch(temporal.client, env.TENURE_TASK_QUEUE as string, [compilePlan(INVITE)], hire);
    const run = temporal.client.workflow.getHandle(`invite-now/${hire.employee.id}/${hire.id}`);
    // The person's entity workflow starts the run.
    await eventually(() => run.describe().then(() => true), 60_000, 'the run to start');
    const result = (await run.result()) as DefinitionRunResult;
    expect(result.steps).toEqual([expect.objectContaining({ id: 'invite', outcome: 'created' })]);
    expect(emulator.organization.listInvites().map((i) => i.email)).toEqual([hire.employee.email]);
  });
});
