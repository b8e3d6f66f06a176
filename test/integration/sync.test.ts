// The sync end to end on real parts: the Temporal dev server, a worker, the OpenAI
// emulator over HTTP, a SQLite store, the shipped onboarding and offboarding definitions.
// HR is the HiBob emulator, read by the worker's HiBob connector over HTTP; tests set
// people up in Bob's own JSON through the emulator's control endpoint.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadDefinitionFile, type Plan } from '../../dsl/index.ts';
import { ScheduleNotFoundError } from '@temporalio/client';
import { ensureSyncSchedule, followSyncSchedule, startSync, syncState } from '../../sync/index.ts';
import { SEARCH_ATTRIBUTES, SYNC_SCHEDULE_ID, type SyncReport } from '../../workflows/shared.ts';
import { dateIn, deliver, hrEvent, resultOf, run, untilState } from '../helpers/engine.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { request } from 'undici';
import { memoryLogger } from '../helpers/logger.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { eventually } from '../helpers/process.ts';
import { temporalAddress } from '../helpers/temporal.ts';

const exec = promisify(execFile);

describe('sync: HR and OpenAI converge through the people\'s workflows', () => {
  let h: Harness;
  let plans: Plan[];
  let n = 0;

  beforeAll(async () => {
    h = await startHarness({ name: 'sync', logger: memoryLogger().logger, env: { TENURE_OPENAI_RATE_PER_SECOND: '100', TENURE_HR_TIMEOUT_MS: '1500' }, hrisFromEmulator: ['hibob'] });
    plans = ['definitions/onboard-openai.yaml', 'definitions/offboard-openai.yaml'].map((file) => loadDefinitionFile(file).plan!);
  });
  afterAll(() => h?.close());
  beforeEach(() => {
    h.emulator.organization.reset();
    h.emulator.hris.reset();
    h.emulator.faults.clear();
  });

  /** A person in the HiBob emulator, in Bob's own record JSON (employee id = `id`, email `<id>@example.com`). */
  const hibob = {
    async put(id: string, fields: { terminated?: string; startDate?: string } = {}) {
      const record = {
        email: `${id.toLowerCase()}@example.com`,
        firstName: 'Test',
        surname: id,
        work: { startDate: fields.startDate ?? dateIn(-100) },
        internal: fields.terminated
          ? { lifecycleStatus: 'terminated', status: 'Inactive', terminationDate: fields.terminated }
          : { lifecycleStatus: 'employed', status: 'Active', terminationDate: null },
      };
      const response = await request(`${h.emulator.baseUrl.replace(/\/v1$/, '')}/_emulator/hris/hibob/employees/${id}`, { method: 'PUT', body: JSON.stringify(record), headers: { 'content-type': 'application/json' } });
      expect(response.statusCode).toBe(200);
      await response.body.dump();
    },
  };

  async function sync(maxChanges = 25, mode: 'sync' | 'drift' = 'sync') {
    const handle = await startSync(h.temporal.client, { taskQueue: h.config.taskQueue, plans, maxChanges, mode, workflowId: `${mode}/test-${++n}-${Date.now()}` });
    return { handle, result: () => handle.result() as Promise<SyncReport> };
  }

  async function tenure(...args: string[]) {
    const env = { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TENURE_HOME: h.config.home, TENURE_TASK_QUEUE: h.config.taskQueue, TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS, TENURE_LOG_LEVEL: 'silent' };
    return exec(process.execPath, ['bin/tenure.js', ...args], { env });
  }

  const orgSnapshot = () => JSON.stringify({ users: [...h.emulator.organization.users.values()], invites: [...h.emulator.organization.invites.values()] });

  it('a member created directly in OpenAI shows as unmanaged in `tenure drift --json`, and nothing is done', async () => {
    await hibob.put('D1');
    h.emulator.organization.addUser({ email: 'd1@example.com', role: 'reader' });
    const stranger = h.emulator.organization.addUser({ email: 'by-hand@example.com', role: 'reader' });
    const before = orgSnapshot();
    const { stdout } = await tenure('drift', '--json');
    const report = JSON.parse(stdout) as SyncReport & { entries: { kind: string; email: string; openai: { userId?: string } }[] };
    expect(report.status).toBe('drift');
    expect(report.counts).toMatchObject({ unmanaged: 1, 'in-sync': 1 });
    expect(report.entries).toEqual([expect.objectContaining({ kind: 'unmanaged', email: 'by-hand@example.com', openai: { userId: stranger.id } })]);
    expect(orgSnapshot()).toBe(before);
    // A drift adopts nobody either.
    expect(await h.store.identity('hibob', 'D1')).toBeUndefined();

    const table = (await tenure('drift')).stdout;
    expect(table).toMatch(/unmanaged\s+-\s+by-hand@example\.com/);
    expect(table).toMatch(/^0 missed-departure, 0 missed-hire, 0 expired-invite, 1 unmanaged, 1 in-sync \(HR: hibob 1; OpenAI: 2 members, 0 pending invites\)$/m);
  });

  it('the Schedule (tenure-sync) runs a sync with the plans frozen in, and follows a change of the guard', async () => {
    await hibob.put('SCH1');
    h.emulator.organization.addUser({ email: 'sch1@example.com', role: 'reader' });
    const options = { taskQueue: h.config.taskQueue, cron: '0 5 * * *', maxChanges: 25 };
    const schedule = h.temporal.client.schedule.getHandle(SYNC_SCHEDULE_ID);
    try {
      expect(await ensureSyncSchedule(h.temporal.client, plans, options)).toBe('created');
      expect(await ensureSyncSchedule(h.temporal.client, plans, options)).toBe('unchanged');
      expect(await ensureSyncSchedule(h.temporal.client, plans, { ...options, maxChanges: 10 })).toBe('updated');
      await schedule.trigger();
      const workflowId = await eventually(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId, 30_000, 'the schedule to start a sync');
      expect(workflowId).toMatch(/^sync\/scheduled/);
      const report = (await h.temporal.client.workflow.getHandle(workflowId).result()) as SyncReport;
      expect(report).toMatchObject({ status: 'done', hr: { hibob: 1 }, adopted: 1 });
    } finally {
      await schedule.delete();
    }
  });

  it('with no HR connector configured, no sync Schedule is kept: one left from before is deleted, and saying so is logged', async () => {
    const options = { taskQueue: h.config.taskQueue, cron: '0 5 * * *', maxChanges: 25 };
    const registry = { plans: () => plans, subscribe: () => () => {} };
    const said: unknown[] = [];
    const logger = { info: (fields: unknown) => said.push(fields), error: (fields: unknown) => said.push(fields) };
    const schedule = h.temporal.client.schedule.getHandle(SYNC_SCHEDULE_ID);
    expect(await ensureSyncSchedule(h.temporal.client, plans, options)).toBe('created');
    await followSyncSchedule(h.temporal.client, registry, options, logger, false);
    await expect(schedule.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
    await followSyncSchedule(h.temporal.client, registry, options, logger, false);
    expect(said).toEqual([{ syncSchedule: 'deleted' }, { syncSchedule: 'absent' }]);
  });

  it('a person terminated in HR, still invited, no departure webhook ever sent: no access after one `tenure sync`; the audit says why; a second sync acts on nobody', async () => {
    await hibob.put('T1', { terminated: dateIn(-3) });
    await hibob.put('S1');
    const invite = h.emulator.organization.createInvite({ email: 't1@example.com', role: 'reader' });
    h.emulator.organization.addUser({ email: 's1@example.com', role: 'reader' });

    const { stdout } = await tenure('sync');
    expect(stdout).toMatch(/acted: 1 delivered/);
    const offboard = (await h.store.audit({ employeeId: 'T1', action: 'sync.deliver' }))[0]!;
    expect(offboard).toMatchObject({ source: 'hibob', stepId: 'missed-departure', outcome: 'created', errorType: null, target: 't1@example.com', eventType: 'employee.departed' });
    expect(offboard.reason).toMatch(new RegExp(`^MISSED_DEPARTURE: hibob says T1 left on ${dateIn(-3)}, but they are still a pending invite ${invite.id}; employee.departed sync\\.departed\\.\\w+ delivered to employee/hibob/T1`));
    const runId = `offboard-openai/T1/${offboard.eventId}`;
    await resultOf(h, runId);
    expect(h.emulator.organization.listInvites().filter((i) => i.email === 't1@example.com' && i.status === 'pending')).toEqual([]);
    const removed = await h.store.audit({ employeeId: 'T1', action: 'openai.remove' });
    expect(removed.map((r) => [r.outcome, r.eventId, r.definition])).toEqual([['removed', offboard.eventId, 'offboard-openai']]);
    expect(offboard.eventId).toMatch(/^sync\.departed\./);
    // The member matched by email was adopted, with no effect at OpenAI.
    expect(await h.store.identity('hibob', 'S1')).toMatchObject({ status: 'active', openaiUserId: expect.stringMatching(/^user-/) });
    expect((await h.store.audit({ employeeId: 'S1' })).map((r) => [r.action, r.outcome, r.reason])).toEqual([['sync.adopt', 'noop', expect.stringMatching(/^adopted: matched by email to hibob\/S1/)]]);
    expect(stdout).toMatch(/adopted: 1/);

    const again = await (await sync()).result();
    expect(again.counts).toMatchObject({ 'missed-departure': 0, 'in-sync': 2 });
    expect(again.delivery).toBeUndefined();
    expect(again.adopted).toBe(0);
    expect(await h.store.audit({ employeeId: 'T1', action: 'openai.remove' })).toHaveLength(1);
  });

  it('delivering the same HR state twice acts once (deterministic event ids)', async () => {
    await hibob.put('T2', { terminated: dateIn(-1) });
    h.emulator.organization.addUser({ email: 't2@example.com', role: 'reader' });
    // Two syncs started together both see T2 as a missed departure.
    const [a, b] = await Promise.all([sync(), sync()]);
    const reports = await Promise.all([a.result(), b.result()]);
    expect(reports.map((r) => r.counts!['missed-departure'])).toEqual([1, 1]);
    const rows = await h.store.audit({ employeeId: 'T2', action: 'sync.deliver' });
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(1);
    await resultOf(h, `offboard-openai/T2/${rows[0]!.eventId}`);
    expect(await h.store.audit({ employeeId: 'T2', action: 'openai.remove' })).toHaveLength(1);
    expect([...h.emulator.organization.users.values()].filter((u) => u.email === 't2@example.com')).toEqual([]);
  });

  it('a missed hire is invited through the onboarding definition', async () => {
    await hibob.put('H1', { startDate: dateIn(-2) });
    const report = await (await sync()).result();
    expect(report.counts!['missed-hire']).toBe(1);
    expect(report.delivery).toMatchObject({ delivered: 1 });
    const row = (await h.store.audit({ employeeId: 'H1', action: 'sync.deliver' }))[0]!;
    await resultOf(h, `onboard-openai/H1/${row.eventId}`);
    expect(h.emulator.organization.listInvites().filter((i) => i.email === 'h1@example.com').map((i) => i.status)).toEqual(['pending']);
    expect((await (await sync()).result()).counts).toMatchObject({ 'missed-hire': 0, 'in-sync': 1 });
  });

  it('an invite that expired unaccepted is sent again through the onboarding definition', async () => {
    await hibob.put('X1');
    const old = h.emulator.organization.createInvite({ email: 'x1@example.com', role: 'reader' });
    h.emulator.organization.expireInvite(old.id);
    const report = await (await sync()).result();
    expect(report.actionable).toEqual([expect.objectContaining({ kind: 'expired-invite', employeeId: 'X1', openai: { inviteId: old.id, inviteStatus: 'expired' } })]);
    const row = (await h.store.audit({ employeeId: 'X1', action: 'sync.deliver' }))[0]!;
    expect(row.eventId).toMatch(/^sync\.reinvite\./);
    await resultOf(h, `onboard-openai/X1/${row.eventId}`);
    expect(h.emulator.organization.listInvites().filter((i) => i.email === 'x1@example.com' && i.status === 'pending')).toHaveLength(1);
    expect((await (await sync()).result()).counts).toMatchObject({ 'expired-invite': 0, 'in-sync': 1 });
  });

  it('a departure HR never sent supersedes an onboarding still waiting for the start date: nobody is invited', async () => {
    const hire = hrEvent('employee.hired', 'W1', { email: 'w1@example.com', startDate: dateIn(10) }, new Date(), { source: 'hibob' });
    await deliver(h, plans, hire);
    const onboarding = `onboard-openai/W1/${hire.id}`;
    await untilState(h, onboarding, (s) => s.status === 'waiting', 'wait for the start date');
    await hibob.put('W1', { terminated: dateIn(-1), startDate: dateIn(10) });
    const report = await (await sync()).result();
    expect(report.actionable).toEqual([expect.objectContaining({ kind: 'missed-departure', employeeId: 'W1', reason: expect.stringMatching(/never heard of the departure/) })]);
    await untilState(h, onboarding, (s) => s.status === 'superseded', 'be superseded by the departure');
    expect(h.emulator.organization.listInvites().filter((i) => i.email === 'w1@example.com')).toEqual([]);
  });

  it('an HR API answering 500 changes nothing: the sync stops and says why', async () => {
    for (let i = 0; i < 5; i++) {
      await hibob.put(`F${i}`, { terminated: dateIn(-5) });
      h.emulator.organization.addUser({ email: `f${i}@example.com`, role: 'reader' });
    }
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/hris/hibob/**', kind: 'status', status: 500, rate: 1, ms: 0, when: 'before' }] });
    const before = orgSnapshot();
    const { handle, result } = await sync();
    const report = await result();
    expect(report).toMatchObject({ status: 'stopped', stopped: { type: 'HR_API_UNAVAILABLE', message: expect.stringMatching(/hibob.*500/) } });
    expect(orgSnapshot()).toBe(before);
    const stop = await h.store.audit({ runId: handle.workflowId });
    expect(stop.map((r) => [r.action, r.outcome, r.errorType])).toEqual([['sync.stop', 'failed', 'HR_API_UNAVAILABLE']]);
  });

  it('an HR API that does not answer in time changes nothing', async () => {
    await hibob.put('SLOW1', { terminated: dateIn(-5) });
    h.emulator.organization.addUser({ email: 'slow1@example.com', role: 'reader' });
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/hris/hibob/**', kind: 'latency', status: 200, ms: 4000, rate: 1, when: 'before' }] });
    const before = orgSnapshot();
    const report = await (await sync()).result();
    expect(report).toMatchObject({ status: 'stopped', stopped: { type: 'HR_API_UNAVAILABLE' } });
    expect(orgSnapshot()).toBe(before);
  });

  it('an empty HR directory changes nothing', async () => {
    h.emulator.organization.addUser({ email: 'e1@example.com', role: 'reader' });
    const before = orgSnapshot();
    const report = await (await sync()).result();
    expect(report).toMatchObject({ status: 'stopped', stopped: { type: 'HR_DIRECTORY_EMPTY' } });
    expect(orgSnapshot()).toBe(before);
    await expect(tenure('sync')).rejects.toMatchObject({ stderr: expect.stringMatching(/stopped before acting \(HR_DIRECTORY_EMPTY\)/) });
  });

  it('a sync that would remove 30 of 40 people acts on nobody and waits for an operator; rejected, nobody is touched', async () => {
    for (let i = 0; i < 40; i++) {
      await hibob.put(`G${i}`, i < 30 ? { terminated: dateIn(-2) } : {});
      h.emulator.organization.addUser({ email: `g${i}@example.com`, role: 'reader' });
    }
    const before = orgSnapshot();
    const { stdout } = await tenure('sync');
    const id = /^(sync\/\S+): needs attention — it would act on 30 people, more than TENURE_SYNC_MAX_CHANGES \(25\)/m.exec(stdout)?.[1];
    expect(id).toBeDefined();
    const state = await syncState(h.temporal.client, id!);
    expect(state.phase).toBe('needs-attention');
    expect(state.findings!.actionable).toHaveLength(30);
    expect((await run(h, id!).describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('needs-attention');
    expect(orgSnapshot()).toBe(before);
    // Operators find it with `tenure sync list` (Temporal's visibility is eventually consistent).
    await eventually(async () => {
      const listed = JSON.parse((await tenure('sync', 'list', '--json')).stdout) as { workflowId: string; status: string }[];
      return listed.some((r) => r.workflowId === id && r.status === 'needs-attention') ? true : undefined;
    }, 30_000, 'the held sync to be listed as needs-attention');

    // Refused by the validator: no decider named.
    await expect(tenure('sync', 'approve', id!, '--by', ' ')).rejects.toMatchObject({ stderr: expect.stringMatching(/needs `by`/) });
    const { stdout: rejected } = await tenure('sync', 'reject', id!, '--by', 'ops', '--reason', 'HR import went wrong');
    expect(rejected).toMatch(/acted: nobody \(rejected\)/);
    expect(orgSnapshot()).toBe(before);
    const guard = await h.store.audit({ runId: id!, action: 'sync.guard' });
    expect(guard.map((r) => [r.outcome, r.actor, r.reason])).toEqual([['rejected', 'ops', 'held: 30 people to act on, more than TENURE_SYNC_MAX_CHANGES (25); HR import went wrong']]);
    await expect(tenure('sync', 'approve', id!)).rejects.toMatchObject({ stderr: expect.stringMatching(/not waiting|not found|completed/i) });
  });

  it('an approved held sync acts on everyone it listed', async () => {
    for (let i = 0; i < 45; i++) {
      await hibob.put(`A${i}`, i < 3 ? { terminated: dateIn(-2) } : {});
      h.emulator.organization.addUser({ email: `a${i}@example.com`, role: 'reader' });
    }
    const { handle, result } = await sync(2);
    await eventually(async () => ((await syncState(h.temporal.client, handle.workflowId)).phase === 'needs-attention' ? true : undefined), 30_000, 'the guard to hold the sync');
    const { stdout } = await tenure('sync', 'approve', handle.workflowId, '--by', 'ops');
    expect(stdout).toMatch(/approved by ops/);
    const report = await result();
    expect(report.delivery).toMatchObject({ delivered: 3 });
    for (const entry of report.actionable!) {
      const row = (await h.store.audit({ employeeId: entry.employeeId!, action: 'sync.deliver' })).at(-1)!;
      await resultOf(h, `offboard-openai/${entry.employeeId}/${row.eventId}`);
    }
    expect([...h.emulator.organization.users.values()].filter((u) => /^a[012]@/.test(u.email ?? ''))).toEqual([]);
    expect(h.emulator.organization.users.size).toBe(42);
  });

  it('a directory that shrank by more than the guard since the last sync changes nothing: absence is never departure', async () => {
    // The last sync (above) read 45 people; HR now lists 15 of them.
    for (let i = 0; i < 15; i++) {
      await hibob.put(`A${i}`);
      h.emulator.organization.addUser({ email: `a${i}@example.com`, role: 'reader' });
    }
    for (let i = 15; i < 45; i++) h.emulator.organization.addUser({ email: `a${i}@example.com`, role: 'reader' });
    const before = orgSnapshot();
    const report = await (await sync()).result();
    expect(report).toMatchObject({ status: 'stopped', stopped: { type: 'HR_DIRECTORY_SHRUNK', message: expect.stringMatching(/hibob listed 15 people, 30 fewer than at the last sync \(45\)/) } });
    expect(orgSnapshot()).toBe(before);
  });

  itReplaysEveryWorkflow(() => h);
});
