// Offboarding reads the identity map first: a person whose email changed in HR after they
// were invited is still found and removed, by the OpenAI ids recorded when they joined.
// Real Temporal, real worker, the emulator over HTTP, the SQLite store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TenureConfig } from '../../config/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

function plan(yaml: string): Plan {
  const { plan: compiled, problems } = loadDefinitionText(yaml, 'test.yaml');
  expect(problems).toEqual([]);
  return compiled!;
}

const join_ = plan(`
name: join
on: { event: employee.hired }
steps:
  - { id: invite, action: openai.invite, with: { email: "\${{ employee.email }}", role: reader, projects: [] } }
  - { id: accepted, action: openai.awaitAcceptance, with: { email: "\${{ employee.email }}", timeout: 1h }, continueOnError: true }
`);
const inviteOnly = plan(`
name: invite-only
on: { event: employee.hired }
steps:
  - { id: invite, action: openai.invite, with: { email: "\${{ employee.email }}", role: reader, projects: [] } }
`);
const leave = plan(`
name: leave
on: { event: employee.departed }
steps:
  - { id: remove, action: openai.remove, with: { email: "\${{ employee.email }}" } }
`);

describe('offboarding finds people by HR identity', () => {
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let worker: RunningWorker;
  let store: Store;
  let config: TenureConfig;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0 });
    config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('offboarding'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-offboarding-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      OPENAI_ACCEPTANCE_POLL_MS: '200',
    });
    store = await Store.open(config.store);
    worker = await startWorker(config, { logger: memoryLogger().logger, connection: temporal.nativeConnection, bundle, store });
  });

  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

  function event(id: string, type: HrEvent['type'], employeeId: string, email: string): HrEvent {
    return { id, type, occurredAt: new Date().toISOString(), source: 'generic', employee: { id: employeeId, email } };
  }

  async function run(p: Plan, e: HrEvent) {
    const handle = await temporal.client.workflow.start('definitionRun', {
      taskQueue: config.taskQueue,
      workflowId: `${p.name}/${e.employee.id}/${e.id}`,
      args: [{ plan: p, event: e }],
    });
    return handle;
  }

  it('removes a member whose email changed, by the user id recorded at acceptance', async () => {
    const joining = await run(join_, event('evt_join_1', 'employee.hired', 'E-201', 'grace@old.example.com'));
    const invite = await eventually(async () => emulator.organization.listInvites().find((i) => i.email === 'grace@old.example.com'), 30_000, 'the invite');
    const accepted = await fetch(`${emulator.url}/_emulator/invites/${invite.id}/accept`, { method: 'POST' });
    const userId = ((await accepted.json()) as { user: { id: string } }).user.id;
    expect(((await joining.result()) as DefinitionRunResult).status).toBe('done');
    expect(await store.identity('generic', 'E-201')).toMatchObject({ openaiUserId: userId, status: 'active' });

    const leaving = await run(leave, event('evt_leave_1', 'employee.departed', 'E-201', 'grace@new.example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'removed', openaiIds: { userId } });
    expect(emulator.organization.users.has(userId)).toBe(false);
    expect(await store.identity('generic', 'E-201')).toMatchObject({ status: 'removed' });
  });

  it('revokes a pending invite whose email changed, by the invite id recorded at invitation', async () => {
    const inviting = await run(inviteOnly, event('evt_join_2', 'employee.hired', 'E-202', 'alan@old.example.com'));
    const invited = (await inviting.result()) as DefinitionRunResult;
    const inviteId = invited.steps[0]!.openaiIds!.inviteId!;
    expect(await store.identity('generic', 'E-202')).toMatchObject({ inviteId });

    const leaving = await run(leave, event('evt_leave_2', 'employee.departed', 'E-202', 'alan@new.example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'removed', openaiIds: { inviteId } });
    expect(emulator.organization.invites.has(inviteId)).toBe(false);
  });

  it('finds nobody to remove when neither the identity map nor the email knows them', async () => {
    const leaving = await run(leave, event('evt_leave_3', 'employee.departed', 'E-203', 'nobody@example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'noop' });
  });
});
