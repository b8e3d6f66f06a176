// Offboarding reads the identity map first: a person whose email changed in HR after they
// were invited is still found and removed, by the OpenAI ids recorded when they joined.
// Real Temporal, real worker, the emulator over HTTP, the SQLite store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Plan } from '../../dsl/index.ts';
import type { HrEvent } from '../../events/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { compilePlan as plan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';

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
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ name: 'offboarding', logger: memoryLogger().logger, env: { OPENAI_ACCEPTANCE_POLL_MS: '200' } });
  });

  afterAll(() => h?.close());

  function event(id: string, type: HrEvent['type'], employeeId: string, email: string): HrEvent {
    return { id, type, occurredAt: new Date().toISOString(), source: 'generic', employee: { id: employeeId, email } };
  }

  async function run(p: Plan, e: HrEvent) {
    const handle = await h.temporal.client.workflow.start('definitionRun', {
      taskQueue: h.config.taskQueue,
      workflowId: `${p.name}/${e.employee.id}/${e.id}`,
      args: [{ plan: p, event: e }],
    });
    return handle;
  }

  it('removes a member whose email changed, by the user id recorded at acceptance', async () => {
    const joining = await run(join_, event('evt_join_1', 'employee.hired', 'E-201', 'grace@old.example.com'));
    const invite = await eventually(async () => h.emulator.organization.listInvites().find((i) => i.email === 'grace@old.example.com'), 30_000, 'the invite');
    const accepted = await fetch(`${h.emulator.url}/_emulator/invites/${invite.id}/accept`, { method: 'POST' });
    const userId = ((await accepted.json()) as { user: { id: string } }).user.id;
    const joined = (await joining.result()) as DefinitionRunResult;
    expect(joined.steps.map((s) => [s.id, s.outcome, s.error?.type ?? null])).toEqual([["invite", "created", null], ["accepted", "noop", null]]);
    expect(joined.status).toBe("done");
    expect(await h.store.identity('generic', 'E-201')).toMatchObject({ openaiUserId: userId, status: 'active' });

    const leaving = await run(leave, event('evt_leave_1', 'employee.departed', 'E-201', 'grace@new.example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'removed', openaiIds: { userId } });
    expect(h.emulator.organization.users.has(userId)).toBe(false);
    expect(await h.store.identity('generic', 'E-201')).toMatchObject({ status: 'removed' });
  });

  it('revokes a pending invite whose email changed, by the invite id recorded at invitation', async () => {
    const inviting = await run(inviteOnly, event('evt_join_2', 'employee.hired', 'E-202', 'alan@old.example.com'));
    const invited = (await inviting.result()) as DefinitionRunResult;
    const inviteId = invited.steps[0]!.openaiIds!.inviteId!;
    expect(await h.store.identity('generic', 'E-202')).toMatchObject({ inviteId });

    const leaving = await run(leave, event('evt_leave_2', 'employee.departed', 'E-202', 'alan@new.example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'removed', openaiIds: { inviteId } });
    expect(h.emulator.organization.invites.has(inviteId)).toBe(false);
  });

  it('finds nobody to remove when neither the identity map nor the email knows them', async () => {
    const leaving = await run(leave, event('evt_leave_3', 'employee.departed', 'E-203', 'nobody@example.com'));
    const result = (await leaving.result()) as DefinitionRunResult;
    expect(result.steps[0]).toMatchObject({ outcome: 'noop' });
  });

  itReplaysEveryWorkflow(() => h);
});
