// Crashes, for real: a worker process killed with SIGKILL in the middle of an invite whose
// answer was lost, and a second worker process finishing the run — exactly one invite; and
// a Temporal dev server (its own, with a database file) stopped and started again while
// runs wait on a timer and on an approval — both finish, each inviting once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { requireTool, startDevServer, type DevServer } from '../../devstack/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { Store } from '../../store/index.ts';
import { dispatch } from '../../triggers/index.ts';
import { bundleWorkflows, startWorker } from '../../workers/index.ts';
import type { DefinitionRunResult, RunState } from '../../workflows/index.ts';
import { dateIn, employee, hrEvent } from '../helpers/engine.ts';
import { compilePlan } from '../helpers/harness.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { freePort } from '../helpers/ports.ts';
import { eventually, startTenure, type RunningCommand } from '../helpers/process.ts';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';
import { workerEnv } from '../helpers/worker-process.ts';
import { TEST_DATA_CONVERTER, TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';

const INVITE = `
name: invite-now
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    timeout: 5s
`;

describe('durability: a worker killed mid-action, Temporal restarted with runs in flight', () => {
  let emulator: RunningEmulator;
  const log = memoryLogger();

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('a worker process killed after its invite took effect, but before it could report it: the next worker invites nobody twice', async () => {
    const temporal: TestTemporal = await connectTemporal();
    const home = mkdtempSync(join(tmpdir(), 'tenure-crash-'));
    const taskQueue = uniqueTaskQueue('engine-crash');
    const env = workerEnv({ taskQueue, home, openai: emulator, ratePerSecond: 100 });
    const store = await Store.open(loadConfig(env).store);
    const workers: RunningCommand[] = [];
    const startWorkerProcess = async () => {
      const worker = startTenure(['worker'], env);
      workers.push(worker);
      await worker.waitFor(/worker started/, 90_000);
      return worker;
    };
    try {
      const first = await startWorkerProcess();
      const id = employee('K');
      const hire = hrEvent('employee.hired', id, { startDate: dateIn(-1) });
      // The invite is created, then the connection is cut: the worker never hears the answer.
      emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'drop', when: 'after', times: 1, rate: 1, status: 503, ms: 0 }] });
      await dispatch(temporal.client, taskQueue, [compilePlan(INVITE)], hire);
      const email = hire.employee.email;
      await eventually(async () => (emulator.organization.listInvites().some((i) => i.email === email) ? true : undefined), 60_000, 'the invite to be created');
      first.child.kill('SIGKILL');
      expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });
      emulator.faults.clear();

      await startWorkerProcess();
      const runId = `invite-now/${id}/${hire.id}`;
      const result = (await temporal.client.workflow.getHandle(runId).result()) as DefinitionRunResult;
      expect(result.steps).toEqual([expect.objectContaining({ id: 'invite', outcome: 'created' })]);
      expect(emulator.organization.listInvites().filter((i) => i.email === email)).toHaveLength(1);
      expect(emulator.requests.filter((r) => r.method === 'POST' && r.path === '/v1/organization/invites').map((r) => r.fault ?? 'ok')).toEqual(['drop after']);
      // The invite took more than one attempt: the second, on the second worker, found it and reported it as its own.
      const history = await temporal.client.workflow.getHandle(runId).fetchHistory();
      const attempts = (history.events ?? []).map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((a): a is number => typeof a === 'number');
      expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
      expect(await store.audit({ runId })).toEqual([expect.objectContaining({ action: 'openai.invite', outcome: 'created' })]);
    } finally {
      for (const worker of workers) if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await store.close();
      await temporal.close();
    }
  });

  it('Temporal restarted with runs in flight: a timer and an approval both finish afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-restart-'));
    const port = await freePort();
    const serverOptions = { binary: requireTool('temporal', process.env), port, dbFile: join(dir, 'temporal.db'), logFile: join(dir, 'temporal.log'), readyTimeoutMs: 90_000 };
    let server: DevServer = await startDevServer(serverOptions);
    const config = loadConfig({
      TEMPORAL_ADDRESS: server.address,
      TENURE_TASK_QUEUE: uniqueTaskQueue('engine-restart'),
      TENURE_HOME: dir,
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    });
    const connection = await Connection.connect({ address: server.address });
    const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
    const native = await NativeConnection.connect({ address: server.address });
    const store = await Store.open(config.store);
    const worker = await startWorker(config, { logger: log.logger, connection: native, bundle: await bundleWorkflows(), store });
    try {
      const plans = [
        compilePlan(`
name: later
on: { event: employee.hired }
steps:
  - id: pause
    wait: 6s
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
`),
        compilePlan(`
name: asked
on: { event: contract.renewed }
steps:
  - id: ask
    approval: { approvers: [it-desk], timeout: 1d }
  - id: go
    if: steps.ask.output.approved
    then:
      - id: invite
        action: openai.invite
        with: { email: "\${{ employee.email }}", role: reader }
`),
      ];
      const [a, b] = [employee('R'), employee('R')];
      const hire = hrEvent('employee.hired', a);
      const renewal = hrEvent('contract.renewed', b);
      await dispatch(client, config.taskQueue, plans, hire);
      await dispatch(client, config.taskQueue, plans, renewal);
      const waiting = async (workflowId: string) =>
        eventually(async () => ((await client.workflow.getHandle(workflowId).query<RunState>('status')).status === 'waiting' ? true : undefined), 60_000, `${workflowId} to wait`);
      const [timerRun, approvalRun] = [`later/${a}/${hire.id}`, `asked/${b}/${renewal.id}`];
      await waiting(timerRun);
      await waiting(approvalRun);

      await server.stop();
      server = await startDevServer(serverOptions);

      // The same client and worker carry on once the server answers again.
      await eventually(async () => ((await client.workflow.getHandle(approvalRun).query<RunState>('status')).status === 'waiting' ? true : undefined), 90_000, 'the approval run after the restart');
      await client.workflow.getHandle(approvalRun).executeUpdate('approve', { args: [{ by: 'it-desk', reason: 'after the restart' }] });
      const results = (await Promise.all([timerRun, approvalRun].map((id) => client.workflow.getHandle(id).result()))) as DefinitionRunResult[];
      expect(results.map((r) => r.steps.map((s) => `${s.id} ${s.outcome}`))).toEqual([
        ['pause waited', 'invite created'],
        ['ask approved', 'go then', 'invite created'],
      ]);
      for (const id of [a, b]) expect(emulator.organization.listInvites().filter((i) => i.email === `${id.toLowerCase()}@example.com`)).toHaveLength(1);
    } finally {
      await worker.shutdown();
      await store.close();
      await native.close();
      await connection.close();
      await server.stop();
    }
  });
});
