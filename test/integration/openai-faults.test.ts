// A batch of invites on a real Temporal server, through the real worker and activities,
// against the emulator injecting 429 (Retry-After: 1) and 5xx into ~30% of all OpenAI
// requests — plus answers lost after an invite was created — ends with exactly one
// invite per email, duplicates in the batch included.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Plan } from '../../dsl/index.ts';
import type { HrEvent } from '../../events/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';

const DEFINITION = `
name: invite-batch
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    timeout: 10s
    retry: { maxAttempts: 20 }
`;

describe('invites under injected faults', () => {
  let h: Harness;
  let temporal: Harness['temporal'];
  let emulator: Harness['emulator'];
  let config: Harness['config'];
  let plan: Plan;
  const log = memoryLogger();

  beforeAll(async () => {
    h = await startHarness({ name: 'openai-faults', logger: log.logger, env: { OPENAI_TIMEOUT_MS: '5000' } });
    ({ temporal, emulator, config } = h);
    plan = compilePlan(DEFINITION, 'invite-batch.yaml');
  });

  afterAll(() => h?.close());

  it('ends with exactly one invite per email, every run done', async () => {
    emulator.faults.set({
      seed: 20261129,
      rules: [
        // The first two invites are created but their answers never arrive: a retry must not invite again.
        { path: '/v1/organization/invites', method: 'POST', rate: 1, times: 2, kind: 'drop', when: 'after', status: 503, ms: 0 },
        { path: '/v1/**', rate: 0.15, kind: 'status', status: 429, retryAfter: 1, ms: 0, when: 'before' },
        { path: '/v1/**', rate: 0.18, kind: 'status', status: 503, ms: 0, when: 'before' },
      ],
    });
    const emails = Array.from({ length: 12 }, (_, i) => `hire${i}@example.com`);
    // Four people arrive twice (two runs racing for the same email).
    const batch = [...emails, ...emails.slice(0, 4)];
    const stamp = Date.now();
    const handles = await Promise.all(
      batch.map((email, i) => {
        const event: HrEvent = {
          id: `evt_${stamp}_${i}`,
          type: 'employee.hired',
          occurredAt: new Date(stamp).toISOString(),
          source: 'generic',
          employee: { id: `E-${i}`, email },
        };
        return temporal.client.workflow.start('definitionRun', {
          taskQueue: config.taskQueue,
          workflowId: `invite-batch/${event.employee.id}/${event.id}`,
          args: [{ plan, event }],
        });
      }),
    );
    const results = (await Promise.all(handles.map((h) => h.result()))) as DefinitionRunResult[];

    expect(results.map((r) => r.status)).toEqual(batch.map(() => 'done'));
    for (const email of emails) {
      const invites = emulator.organization.listInvites().filter((i) => i.email === email);
      expect([email, invites.length, invites[0]?.status]).toEqual([email, 1, 'pending']);
    }
    expect(emulator.organization.listInvites()).toHaveLength(emails.length);

    // Every run recorded the invite it ended with; the two runs of one email name the same invite.
    const byEmail = new Map<string, string>();
    for (const [i, result] of results.entries()) {
      const inviteId = result.steps[0]!.openaiIds!.inviteId!;
      expect(emulator.organization.getInvite(inviteId).email).toBe(batch[i]);
      if (byEmail.has(batch[i]!)) expect(inviteId).toBe(byEmail.get(batch[i]!));
      byEmail.set(batch[i]!, inviteId);
    }
    expect(results.filter((r) => r.steps[0]!.outcome === 'created').length).toBeGreaterThanOrEqual(emails.length);

    // The faults really happened, at about the injected rate.
    const served = emulator.requests.length;
    const faulted = emulator.requests.filter((r) => r.fault).length;
    const errors = emulator.requests.filter((r) => r.status === 429 || r.status >= 500).length;
    expect(errors / served).toBeGreaterThan(0.15);
    expect(emulator.faults.counts.drop).toBe(2);
    let attempts = 0;
    for (const handle of handles) {
      const history = await handle.fetchHistory();
      for (const event of history.events ?? []) if (event.activityTaskStartedEventAttributes && event.activityTaskStartedEventAttributes.attempt) {
        // Only the last attempt of each activity is in the history; it carries the attempt number.
        attempts += event.activityTaskStartedEventAttributes.attempt;
      }
    }
    console.log(
      `openai-faults: ${batch.length} runs, ${served} OpenAI requests, ${errors} answered 429/5xx (${((100 * errors) / served).toFixed(1)}%), ` +
        `${faulted} faults in all (counts ${JSON.stringify(emulator.faults.counts)}), ${attempts} activity attempts in all`,
    );
  });

  it('a removal whose answer was lost is recorded as removed, not noop: the retry finds gone what the identity map knew', async () => {
    emulator.faults.clear();
    const offboard = compilePlan(`
name: offboard-lost
on: { event: employee.departed }
steps:
  - id: remove
    action: openai.remove
    with: { email: "\${{ employee.email }}" }
    timeout: 10s
    retry: { maxAttempts: 5 }
`);
    const stamp = Date.now();
    const people = [0, 1, 2].map((i) => ({ id: `L-${stamp}-${i}`, email: `leaver${stamp}-${i}@example.com` }));
    // Tenure invited them: the identity map holds each invite id.
    for (const p of people) {
      const invite = emulator.organization.createInvite({ email: p.email, role: 'reader' });
      await h.store.record({
        recordKey: `onboard/${p.id}/hire/invite`, runId: `onboard/${p.id}/hire`, definition: 'onboard', definitionHash: 'c'.repeat(64), eventId: `hire-${p.id}`,
        eventType: 'employee.hired', source: 'generic', employeeId: p.id, stepId: 'invite', action: 'openai.invite', target: p.email, outcome: 'created', openaiIds: { inviteId: invite.id },
        identity: { status: 'invited', email: p.email, inviteId: invite.id },
      });
    }
    // Every revocation takes effect, but its answer never arrives: each retry finds the invite gone.
    emulator.faults.set({ seed: 7, rules: [{ path: '/v1/organization/invites/*', method: 'DELETE', rate: 1, times: people.length, kind: 'drop', when: 'after', status: 503, ms: 0 }] });
    try {
      const results = (await Promise.all(
        people.map(async (p) => {
          const event: HrEvent = { id: `evt_departed_${p.id}`, type: 'employee.departed', occurredAt: new Date(stamp).toISOString(), source: 'generic', employee: { id: p.id, email: p.email } };
          const handle = await temporal.client.workflow.start('definitionRun', { taskQueue: config.taskQueue, workflowId: `offboard-lost/${p.id}/${event.id}`, args: [{ plan: offboard, event }] });
          return handle.result();
        }),
      )) as DefinitionRunResult[];
      expect(emulator.faults.counts.drop).toBe(people.length);
      for (const [i, p] of people.entries()) {
        expect(emulator.organization.listInvites().filter((inv) => inv.email === p.email && inv.status === 'pending')).toEqual([]);
        expect(results[i]!.steps).toEqual([expect.objectContaining({ id: 'remove', outcome: 'removed' })]);
        const audit = await h.store.audit({ employeeId: p.id, action: 'openai.remove' });
        expect(audit.map((a) => [a.outcome, a.openaiIds.inviteId])).toEqual([['removed', expect.stringMatching(/^invite-/)]]);
        expect(await h.store.identity('generic', p.id)).toMatchObject({ status: 'removed' });
      }
    } finally {
      emulator.faults.clear();
    }
  });

  itReplaysEveryWorkflow(() => h);
});
