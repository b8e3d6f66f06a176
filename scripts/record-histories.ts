// Records the event histories that test/replay/replay.test.ts replays, from real runs:
// its own Temporal dev server (in memory), the OpenAI emulator, a SQLite store in a
// temporary folder and a Tenure worker. Four scenarios, each driven as the trigger server
// drives them (dispatch to the person's entity workflow):
//
//   hire-with-wait             a hire waits, then is invited and IT is told
//   approval                   a renewal waits for an approval, which is granted
//   departure-supersedes-hire  a departure ends an onboarding waiting for the start date
//   parked-and-retried         an invite fails for good, parks, and is retried by an operator
//   sync-held-approved         a sync finds two departures HR never sent, more than its guard
//                              allows: it waits, an operator approves (Update), it delivers them
//
// Every workflow of a scenario (the entity and its runs) is written to
// test/histories/<scenario>.<role>.json, its payloads encrypted with the test suite's
// fixed payload key (test/helpers/payload-keys.ts), as a deployment's would be with its own. Run it after a deliberate change to workflow code
// that running workflows will never meet (before a release): `npm run histories`.
// A change that running workflows *will* meet keeps the old histories and uses patched();
// record the new path's scenarios alone, keeping the others as they are:
// `npm run histories -- acceptance-wait departure-cancels-hire`. Files of scenarios it does not
// record (lease-request-before-start, made by hand) are never touched.
//
//   acceptance-wait            an invite, then a wait for its acceptance (shown as waiting)
//   departure-cancels-hire     as departure-supersedes-hire, with the superseded runs Canceled
//   fewer-trips-hire-with-wait as hire-with-wait, with fewer round trips: the note and the records
//                              as local activities, the lease kept through the wait, the run's
//                              end learnt from its result
//   lease-wanted               an onboarding keeps the lease through its wait until an update's
//                              run asks for it (leaseWanted); a departure then ends them
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
import { decideSync, startSync, syncState } from '../sync/index.ts';
import { dispatch } from '../triggers/index.ts';
import { bundleWorkflows, quietTemporalRuntime, startWorker } from '../workers/index.ts';
import type { RunState } from '../workflows/index.ts';
import { employeeWorkflowId } from '../workflows/shared.ts';
import { TEST_DATA_CONVERTER, TEST_PAYLOAD_KEYS } from '../test/helpers/payload-keys.ts';

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
  accepting: plan(`
name: onboard-accept
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
  - id: accepted
    action: openai.awaitAcceptance
    with: { email: "\${{ employee.email }}", timeout: 1h }
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
  refresh: plan(`
name: refresh-role
on: { event: employee.updated }
steps:
  - id: role
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
const config = loadConfig({ TEMPORAL_ADDRESS: server.address, TENURE_TASK_QUEUE: 'histories', TENURE_HOME: dir, OPENAI_ADMIN_KEY: emulator.adminKey, OPENAI_BASE_URL: emulator.baseUrl, TENURE_OPENAI_RATE_PER_SECOND: '50', TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, OPENAI_ACCEPTANCE_POLL_MS: '200',
  HIBOB_SERVICE_USER_ID: emulator.hrisCredentials.hibob.serviceUserId, HIBOB_SERVICE_USER_TOKEN: emulator.hrisCredentials.hibob.token, HIBOB_API_BASE_URL: emulator.hrisUrls.hibob });
const only = process.argv.slice(2);
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
const native = await NativeConnection.connect({ address: server.address });
const store = await Store.open(config.store);
const worker = await startWorker(config, { logger: createLogger({ level: 'warn', name: 'histories' }), connection: native, bundle: await bundleWorkflows(), store });

const recorded: { scenario: string; role: string; handle: WorkflowHandle }[] = [];
const keep = (scenario: string, role: string, workflowId: string) => recorded.push({ scenario, role, handle: client.workflow.getHandle(workflowId) });
const state = (workflowId: string) => client.workflow.getHandle(workflowId).query<RunState>('status');
const all = [PLANS.onboard, PLANS.onboardLater, PLANS.offboard, PLANS.renew, PLANS.flaky];

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

  // departure-cancels-hire
  const barbara = event('employee.hired', 'E-BARBARA', 10, { startDate: day(30) });
  await dispatch(client, config.taskQueue, all, barbara);
  const barbaraRun = `onboard-later/E-BARBARA/${barbara.id}`;
  await until('the onboarding to wait', async () => ((await state(barbaraRun)).status === 'waiting' ? true : undefined));
  const gone = event('employee.departed', 'E-BARBARA', 1);
  await dispatch(client, config.taskQueue, all, gone);
  keep('departure-cancels-hire', 'entity', employeeWorkflowId('generic', 'E-BARBARA'));
  keep('departure-cancels-hire', 'run', barbaraRun);
  keep('departure-cancels-hire', 'offboard', `offboard/E-BARBARA/${gone.id}`);

  // acceptance-wait
  const katherine = event('employee.hired', 'E-KATHERINE', 1);
  await dispatch(client, config.taskQueue, [PLANS.accepting], katherine);
  const acceptRun = `onboard-accept/E-KATHERINE/${katherine.id}`;
  const acceptChild = `${acceptRun}/accepted/acceptance`;
  await until('the child to look twice', async () => (((await client.workflow.getHandle(acceptChild).fetchHistory()).events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length >= 2 ? true : undefined));
  const invite = emulator.organization.listInvites().find((i) => i.email === katherine.employee.email);
  if (!invite) throw new Error('no invite to accept');
  emulator.organization.acceptInvite(invite.id);
  keep('acceptance-wait', 'entity', employeeWorkflowId('generic', 'E-KATHERINE'));
  keep('acceptance-wait', 'run', acceptRun);
  keep('acceptance-wait', 'child', acceptChild);

  // fewer-trips-hire-with-wait
  const mary = event('employee.hired', 'E-MARY', 1, { startDate: day(-1) });
  await dispatch(client, config.taskQueue, [PLANS.onboard], mary);
  keep('fewer-trips-hire-with-wait', 'entity', employeeWorkflowId('generic', 'E-MARY'));
  keep('fewer-trips-hire-with-wait', 'run', `onboard/E-MARY/${mary.id}`);

  // lease-wanted
  const leaseScenario = [PLANS.onboardLater, PLANS.refresh, PLANS.offboard];
  const john = event('employee.hired', 'E-JOHN', 10, { startDate: day(30) });
  await dispatch(client, config.taskQueue, leaseScenario, john);
  const johnRun = `onboard-later/E-JOHN/${john.id}`;
  await until('the onboarding to wait', async () => ((await state(johnRun)).status === 'waiting' ? true : undefined));
  const moved = event('employee.updated', 'E-JOHN', 5, { startDate: day(30), department: 'Research' });
  await dispatch(client, config.taskQueue, leaseScenario, moved);
  const refreshRun = `refresh-role/E-JOHN/${moved.id}`;
  await until("the update's run to act", async () => ((await client.workflow.getHandle(refreshRun).describe()).status.name === 'COMPLETED' ? true : undefined));
  const johnLeft = event('employee.departed', 'E-JOHN', 1);
  await dispatch(client, config.taskQueue, leaseScenario, johnLeft);
  keep('lease-wanted', 'entity', employeeWorkflowId('generic', 'E-JOHN'));
  keep('lease-wanted', 'run', johnRun);
  keep('lease-wanted', 'refresh', refreshRun);
  keep('lease-wanted', 'offboard', `offboard/E-JOHN/${johnLeft.id}`);

  // sync-held-approved
  for (const [id, name] of [['4001', 'ida'], ['4002', 'ken']] as const) {
    emulator.hris.put('hibob', id, { email: `${name}@example.com`, firstName: name, surname: 'Left', work: { startDate: day(-300) }, internal: { lifecycleStatus: 'terminated', status: 'Inactive', terminationDate: day(-2) } });
    emulator.organization.addUser({ email: `${name}@example.com`, role: 'reader' });
  }
  const syncRun = await startSync(client, { taskQueue: config.taskQueue, plans: [PLANS.offboard], maxChanges: 1, mode: 'sync', workflowId: 'sync/histories' });
  await until('the sync to wait for an operator', async () => ((await syncState(client, syncRun.workflowId)).phase === 'needs-attention' ? true : undefined));
  await decideSync(client, syncRun.workflowId, { approve: true, by: 'ops@example.com', reason: 'HR confirmed' });
  keep('sync-held-approved', 'sync', syncRun.workflowId);

  for (const { handle } of recorded) await handle.result().catch(() => undefined);
  mkdirSync(OUT, { recursive: true });
  // Histories made from recorded ones by hand (lease-request-before-start: an event moved to
  // stage a race) are kept; every recorded scenario's files are replaced, or only those named.
  const writing = recorded.filter((r) => only.length === 0 || only.includes(r.scenario));
  const scenarios = new Set(writing.map((r) => r.scenario));
  for (const file of readdirSync(OUT).filter((f) => f.endsWith('.json') && scenarios.has(f.split('.')[0]!))) rmSync(join(OUT, file));
  for (const { scenario, role, handle } of writing) {
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
