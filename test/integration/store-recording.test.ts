// Recording as part of every run, on a real Temporal server, the emulator over HTTP and
// the real store on both backends: each action's outcome is written once even when the
// write is tried again after it committed (a local activity first, see workflows/local-first.ts),
// the identity map follows, and a store that goes away makes the run wait (the ordinary
// activity it falls back on retries, visibly) and lose nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { AdminClient, createActivities, type Activities } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { BACKENDS, createBackend, openStoreOn, POSTGRES_URL, postgresUrlFor } from '../helpers/store-backends.ts';
import { eventually } from '../helpers/process.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';
import { TEST_DATA_CONVERTER } from '../helpers/payload-keys.ts';

const ONBOARD = `
name: onboard-recorded
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with:
      email: \${{ employee.email }}
      role: reader
  - id: tell-it
    action: notify
    with:
      channel: it-onboarding
      text: "Invited \${{ employee.email }}"
`;

function plan(yaml: string): Plan {
  const { plan, problems } = loadDefinitionText(yaml, 'test.yaml');
  expect(problems).toEqual([]);
  return plan!;
}

function hire(): HrEvent {
  const id = randomUUID().slice(0, 8);
  return {
    id: `evt_${id}`,
    type: 'employee.hired',
    occurredAt: '2026-11-20T10:00:00Z',
    source: 'generic',
    employee: { id: `E-${id}`, email: `hire.${id}@example.com`, employmentType: 'full_time', timezone: 'UTC' },
  };
}

let bundle: WorkflowBundleOption;
let temporal: TestTemporal;
let emulator: RunningEmulator;
let openai: AdminClient;

beforeAll(async () => {
  bundle = await bundleWorkflows();
  temporal = await connectTemporal();
  emulator = await startEmulator({ port: 0 });
  openai = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret(emulator.adminKey), timeoutMs: 10_000 });
});

afterAll(async () => {
  await openai?.close();
  await emulator?.close();
  await temporal?.close();
});

async function runOnWorker(activities: Activities, onboard: Plan, event: HrEvent) {
  const taskQueue = uniqueTaskQueue('recording');
  const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle: bundle, activities, dataConverter: TEST_DATA_CONVERTER });
  const workflowId = `${onboard.name}/${event.employee.id}/${event.id}`;
  return { worker, workflowId, start: () => temporal.client.workflow.start('definitionRun', { taskQueue, workflowId, args: [{ plan: onboard, event }] }) };
}

describe.each(BACKENDS)('recording on %s', (name) => {
  const opened = openStoreOn(name);

  it('records each outcome once, even when the write committed and the activity was retried, and maps the hire', async () => {
    const base = createActivities({ openai, store: opened.store });
    // Each action records its own success. The invite's first attempt invites, writes its row,
    // then "loses" its completion, as a worker that crashed right after would. Temporal retries it.
    let inviteAttempts = 0;
    const activities: Activities = {
      ...base,
      async openaiInvite(input) {
        const result = await base.openaiInvite(input);
        inviteAttempts++;
        if (Context.current().info.attempt === 1) throw ApplicationFailure.retryable('completion lost after commit', 'TEST_LOST_COMPLETION');
        return result;
      },
    };
    const event = hire();
    const onboard = plan(ONBOARD);
    const { worker, workflowId, start } = await runOnWorker(activities, onboard, event);
    const result = (await worker.runUntil(async () => (await start()).result())) as DefinitionRunResult;
    expect(result.status).toBe('done');

    const invite = emulator.organization.listInvites().find((i) => i.email === event.employee.email);
    expect(invite).toBeDefined();
    expect(emulator.organization.listInvites().filter((i) => i.email === event.employee.email)).toHaveLength(1);
    const rows = await opened.store.audit({ runId: workflowId });
    expect(rows.map((r) => [r.stepId, r.action, r.outcome, r.openaiIds])).toEqual([
      ['invite', 'openai.invite', 'created', { inviteId: invite!.id }],
      ['tell-it', 'notify', 'logged', {}],
    ]);
    expect(rows[0]).toMatchObject({ definition: 'onboard-recorded', definitionHash: onboard.hash, eventId: event.id, eventType: 'employee.hired', target: event.employee.email });
    expect(await opened.store.identity('generic', event.employee.id)).toMatchObject({ status: 'invited', email: event.employee.email, inviteId: invite!.id, openaiUserId: null });

    // The retry really happened, and the run recorded nothing itself: no local activity, no recording activity.
    expect(inviteAttempts).toBe(2);
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    expect((history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(0);
    expect((history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'recordOutcome')).toHaveLength(0);
  });

  it('leaves the record to the run when the activity cannot write it: the row is written once, by the run', async () => {
    const base = createActivities({ openai, store: opened.store });
    let refused = 0;
    // The activity's own write fails (a store that refuses this process for a moment); the run's write goes through.
    const flaky = createActivities({
      openai,
      store: new Proxy(opened.store, {
        get: (target, key) =>
          key === 'record'
            ? async () => {
                refused++;
                throw new Error('store busy for this writer');
              }
            : Reflect.get(target, key, target),
      }),
    });
    const activities: Activities = { ...base, openaiInvite: flaky.openaiInvite };
    const event = hire();
    const onboard = plan(ONBOARD);
    const { worker, workflowId, start } = await runOnWorker(activities, onboard, event);
    expect(((await worker.runUntil(async () => (await start()).result())) as DefinitionRunResult).status).toBe('done');
    expect(refused).toBe(1);
    const rows = await opened.store.audit({ runId: workflowId });
    expect(rows.map((r) => `${r.stepId} ${r.outcome}`)).toEqual(['invite created', 'tell-it logged']);
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    expect((history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
  });
});

describe('recording while the store is unreachable', () => {
  it('retries the recording activity until the store is back, then writes the outcome once', async () => {
    const backend = await createBackend('postgres');
    const target = new URL(POSTGRES_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(postgresUrlFor(backend.schema!));
    url.port = String(proxy.port);
    url.password = 'store-password-must-not-leak';
    const store = await Store.open({ kind: 'postgres', url: new Secret(url.toString()) });
    try {
      const activities = createActivities({ openai, store });
      const event = hire();
      const { worker, workflowId, start } = await runOnWorker(activities, plan(ONBOARD), event);

      const result = (await worker.runUntil(async () => {
        await proxy.down();
        const handle = await start();
        // The local attempts fail within seconds; the record then waits as an activity, retried and shown.
        const pending = await eventually(async () => {
          const shown = (await handle.describe()).raw.pendingActivities ?? [];
          return shown.some((p) => (p.attempt ?? 0) >= 2) ? shown : undefined;
        }, 60_000, 'the record to be retried as an activity');
        // The invite went out; its record is what waits.
        expect(emulator.organization.listInvites().filter((i) => i.email === event.employee.email)).toHaveLength(1);
        expect(pending.map((p) => [p.activityType?.name, p.lastFailure?.applicationFailureInfo?.type])).toEqual([['recordOutcome', 'STORE_UNAVAILABLE']]);
        expect(pending[0]!.attempt).toBeGreaterThanOrEqual(2);
        await proxy.up();
        return handle.result();
      })) as DefinitionRunResult;

      expect(result.status).toBe('done');
      const invite = emulator.organization.listInvites().find((i) => i.email === event.employee.email)!;
      const rows = await store.audit({ runId: workflowId });
      expect(rows.map((r) => [r.stepId, r.outcome, r.openaiIds])).toEqual([
        ['invite', 'created', { inviteId: invite.id }],
        ['tell-it', 'logged', {}],
      ]);
      expect(await store.identity('generic', event.employee.id)).toMatchObject({ status: 'invited', inviteId: invite.id });
      // The failures in the history name the store without its password.
      const history = JSON.stringify(await temporal.client.workflow.getHandle(workflowId).fetchHistory());
      expect(history).toContain('STORE_UNAVAILABLE');
      expect(history).not.toContain('store-password-must-not-leak');
    } finally {
      await store.close();
      await proxy.down();
      await backend.drop();
    }
  });
});
