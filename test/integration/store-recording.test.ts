// Recording as part of every run, on a real Temporal server, the emulator over HTTP and
// the real store on both backends: each action's outcome is written once even when the
// activity is retried after its write committed, the identity map follows, and a store
// that goes away makes the run wait (the activity retries) and lose nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { AdminClient, createActivities, type Activities } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import type { AuditRecord } from '../../store/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { BACKENDS, createBackend, POSTGRES_URL, postgresUrlFor, type TestBackend } from '../helpers/store-backends.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { connectTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

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

let bundle: WorkflowBundleWithSourceMap;
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
  const worker = await Worker.create({ connection: temporal.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  const workflowId = `${onboard.name}/${event.employee.id}/${event.id}`;
  return { worker, workflowId, start: () => temporal.client.workflow.start('definitionRun', { taskQueue, workflowId, args: [{ plan: onboard, event }] }) };
}

describe.each(BACKENDS)('recording on %s', (name) => {
  let backend: TestBackend;
  let store: Store;

  beforeAll(async () => {
    backend = await createBackend(name);
    store = await Store.open(backend.config);
  });

  afterAll(async () => {
    await store?.close();
    await backend?.drop();
  });

  it('records each outcome once, even when the write committed and the activity was retried, and maps the hire', async () => {
    const base = createActivities({ openai, store });
    // The first attempt of the invite's record writes, then "loses" its completion, as a
    // worker that crashed after the commit would. Temporal retries it.
    const activities: Activities = {
      ...base,
      async recordOutcome(entry: AuditRecord) {
        const result = await base.recordOutcome(entry);
        if (entry.stepId === 'invite' && Context.current().info.attempt === 1) throw ApplicationFailure.retryable('completion lost after commit', 'TEST_LOST_COMPLETION');
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
    const rows = await store.audit({ runId: workflowId });
    expect(rows.map((r) => [r.stepId, r.action, r.outcome, r.openaiIds])).toEqual([
      ['invite', 'openai.invite', 'created', { inviteId: invite!.id }],
      ['tell-it', 'notify', 'created', {}],
    ]);
    expect(rows[0]).toMatchObject({ definition: 'onboard-recorded', definitionHash: onboard.hash, eventId: event.id, eventType: 'employee.hired', target: event.employee.email });
    expect(await store.identity('generic', event.employee.id)).toMatchObject({ status: 'invited', email: event.employee.email, inviteId: invite!.id, openaiUserId: null });

    // The retry really happened: two attempts of the invite's record in the history.
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
    expect(Math.max(...attempts)).toBe(2);
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
      const base = createActivities({ openai, store });
      let failures = 0;
      let failedTwice!: () => void;
      const twoFailures = new Promise<void>((resolve) => (failedTwice = resolve));
      const activities: Activities = {
        ...base,
        async recordOutcome(entry: AuditRecord) {
          try {
            return await base.recordOutcome(entry);
          } catch (error) {
            if (++failures === 2) failedTwice();
            throw error;
          }
        },
      };
      const event = hire();
      const { worker, workflowId, start } = await runOnWorker(activities, plan(ONBOARD), event);

      const result = (await worker.runUntil(async () => {
        await proxy.down();
        const handle = await start();
        await twoFailures;
        // The invite went out; its record is what waits.
        expect(emulator.organization.listInvites().filter((i) => i.email === event.employee.email)).toHaveLength(1);
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
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
        ['tell-it', 'created', {}],
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
