// Records the event histories that test/replay/replay.test.ts replays, from real runs:
// its own Temporal dev server (in memory), the OpenAI emulator, a SQLite store in a
// temporary folder and a Tenure worker. Four scenarios, each driven as the trigger server
// drives them (dispatch to the person's entity workflow):
//
//   hire-with-wait             a hire waits, then is invited and IT is told
//   approval                   a renewal waits for an approval, which is granted
//   departure-supersedes-hire  a departure ends an onboarding waiting for the start date
//   parked-and-retried         an invite fails for good, parks, and is retried by an operator
//
// Every workflow of a scenario (the entity and its runs) is written to
// test/histories/<scenario>.<role>.json. Run it after a deliberate change to workflow code
// that running workflows will never meet (before a release): `npm run histories`.
// A change that running workflows *will* meet keeps the old histories and uses patched().
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/index.ts';
import { requireTool, startDevServer } from '../devstack/index.ts';
import { loadDefinitionText, type Plan } from '../dsl/index.ts';
import { startEmulator } from '../emulator/index.ts';
import type { HrEvent } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { Store } from '../store/index.ts';
import { dispatch } from '../triggers/index.ts';
import { bundleWorkflows, quietTemporalRuntime, startWorker } from '../workers/index.ts';
import type { RunState } from '../workflows/index.ts';
import { employeeWorkflowId } from '../workflows/shared.ts';

const OUT = resolve(import.meta.dirname, '../test/histories');

function plan(text: string): Plan {
  const { plan: compiled, problems } = loadDefinitionText(text, 'histories.yaml');
  if (!compiled || problems.length > 0) throw new Error(`bad scenario definition: ${JSON.stringify(problems)}`);
  return compiled;
}

const PLANS = {
  onboard: plan(`
name: onboard
on: { event: employee.hired }
steps:
  - id: settle-in
    wait: 2s
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
  - id: tell-it
    action: notify
    with: { channel: it-onboarding, text: "Invited \${{ employee.email }}" }
`),
  onboardLater: plan(`
name: onboard-later
on: { event: employee.hired }
steps:
  - id: wait-for-start
    wait: { until: employee.startDate, offset: -1d, at: "08:00" }
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
`),
  offboard: plan(`
name: offboard
on: { event: employee.departed }
steps:
  - id: remove
    action: openai.remove
    with: { email: "\${{ employee.email }}" }
`),
  renew: plan(`
name: renew-approved
on: { event: contract.renewed }
steps:
  - id: ask
    approval: { approvers: ["\${{ employee.manager.email }}"], timeout: 7d }
  - id: go
    if: steps.ask.output.approved
    then:
      - id: invite
        action: openai.invite
        with: { email: "\${{ employee.email }}", role: reader }
`),
  flaky: plan(`
name: invite-flaky
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    retry: { maxAttempts: 2 }
`),
};

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const event = (type: HrEvent['type'], id: string, minutesAgo: number, fields: Partial<HrEvent['employee']> = {}): HrEvent => ({
  id: `evt_${type.split('.')[1]}_${id}`,
  type,
  occurredAt: at(minutesAgo),
  source: 'generic',
  employee: { id, email: `${id.toLowerCase()}@example.com`, timezone: 'Europe/London', manager: { email: 'grace@example.com' }, ...fields },
});

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

quietTemporalRuntime('WARN');
const dir = mkdtempSync(join(tmpdir(), 'tenure-histories-'));
const port = 17000 + Math.floor(Math.random() * 2000);
const cli = requireTool('temporal', process.env);
const server = await startDevServer({ binary: cli, port, logFile: join(dir, 'temporal.log') });
const emulator = await startEmulator({ port: 0 });
const config = loadConfig({ TEMPORAL_ADDRESS: server.address, TENURE_TASK_QUEUE: 'histories', TENURE_HOME: dir, OPENAI_ADMIN_KEY: emulator.adminKey, OPENAI_BASE_URL: emulator.baseUrl, TENURE_OPENAI_RATE_PER_SECOND: '50' });
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const native = await NativeConnection.connect({ address: server.address });
const store = await Store.open(config.store);
const worker = await startWorker(config, { logger: createLogger({ level: 'warn', name: 'histories' }), connection: native, bundle: await bundleWorkflows(), store });

const recorded: { scenario: string; role: string; handle: WorkflowHandle }[] = [];
const keep = (scenario: string, role: string, workflowId: string) => recorded.push({ scenario, role, handle: client.workflow.getHandle(workflowId) });
const state = (workflowId: string) => client.workflow.getHandle(workflowId).query<RunState>('status');
const all = Object.values(PLANS);

try {
  // hire-with-wait
  const ada = event('employee.hired', 'E-ADA', 1, { startDate: day(-1) });
  await dispatch(client, config.taskQueue, [PLANS.onboard], ada);
  keep('hire-with-wait', 'entity', employeeWorkflowId('generic', 'E-ADA'));
  keep('hire-with-wait', 'run', `onboard/E-ADA/${ada.id}`);

  // approval
  const grace = event('contract.renewed', 'E-GRACE', 1);
  await dispatch(client, config.taskQueue, [PLANS.renew], grace);
  const renewRun = `renew-approved/E-GRACE/${grace.id}`;
  await until('the approval to wait', async () => ((await state(renewRun)).awaitingApproval ? true : undefined));
  await client.workflow.getHandle(renewRun).signal('approve', { by: 'grace@example.com', reason: 'renewed for a year', step: 'ask' });
  keep('approval', 'entity', employeeWorkflowId('generic', 'E-GRACE'));
  keep('approval', 'run', renewRun);

  // departure-supersedes-hire
  const alan = event('employee.hired', 'E-ALAN', 10, { startDate: day(30) });
  await dispatch(client, config.taskQueue, all, alan);
  const alanRun = `onboard-later/E-ALAN/${alan.id}`;
  await until('the onboarding to wait', async () => ((await state(alanRun)).status === 'waiting' ? true : undefined));
  const left = event('employee.departed', 'E-ALAN', 1);
  await dispatch(client, config.taskQueue, all, left);
  keep('departure-supersedes-hire', 'entity', employeeWorkflowId('generic', 'E-ALAN'));
  keep('departure-supersedes-hire', 'run', alanRun);
  keep('departure-supersedes-hire', 'offboard', `offboard/E-ALAN/${left.id}`);

  // parked-and-retried
  emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 503, rate: 1, ms: 0, when: 'before' }] });
  const edsger = event('employee.hired', 'E-EDSGER', 1);
  await dispatch(client, config.taskQueue, [PLANS.flaky], edsger);
  const flakyRun = `invite-flaky/E-EDSGER/${edsger.id}`;
  await until('the run to park', async () => ((await state(flakyRun)).status === 'needs-attention' ? true : undefined));
  emulator.faults.clear();
  await client.workflow.getHandle(flakyRun).signal('retry', { by: 'ops@example.com', reason: 'OpenAI is back' });
  keep('parked-and-retried', 'entity', employeeWorkflowId('generic', 'E-EDSGER'));
  keep('parked-and-retried', 'run', flakyRun);

  for (const { handle } of recorded) await handle.result().catch(() => undefined);
  mkdirSync(OUT, { recursive: true });
  for (const file of readdirSync(OUT).filter((f) => f.endsWith('.json'))) rmSync(join(OUT, file));
  for (const { scenario, role, handle } of recorded) {
    const description = await handle.describe();
    // Exported as `temporal workflow show --output json` (and the Web UI's download) export it.
    const history = JSON.parse(execFileSync(cli, ['workflow', 'show', '--address', server.address, '--workflow-id', handle.workflowId, '--output', 'json'], { encoding: 'utf8' })) as unknown;
    const file = join(OUT, `${scenario}.${role}.json`);
    writeFileSync(file, `${JSON.stringify({ scenario, role, workflowId: handle.workflowId, workflowType: description.type, status: description.status.name, history }, null, 1)}\n`);
    console.log(`${file}: ${description.type} ${description.status.name}, ${description.historyLength} events`);
  }
} finally {
  await worker.shutdown();
  await store.close();
  await native.close();
  await connection.close();
  await emulator.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
