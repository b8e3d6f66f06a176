// The shipped daily reconciliation, end to end on real parts: the identity map (SQLite
// store) knows who HR says has left and who still holds access; a scheduled tick
// (`scheduledRun`, as a Temporal Schedule would start it) removes exactly those people at
// the emulator, records it, and the next tick finds nobody. The guard refuses a tick that
// would act on too many.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDefinitionFile, type Plan } from '../../dsl/index.ts';
import type { ScheduledRunResult } from '../../workflows/index.ts';
import { employeeWorkflowId } from '../../workflows/shared.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';

describe('scheduled reconciliation from the identity map', () => {
  let h: Harness;
  let plan: Plan;

  beforeAll(async () => {
    h = await startHarness({ name: 'reconcile', logger: memoryLogger().logger });
    const loaded = loadDefinitionFile('definitions/reconcile-departed.yaml');
    expect(loaded.problems).toEqual([]);
    plan = loaded.plan!;
  });

  afterAll(() => h?.close());

  /** A person Tenure invited (the invite exists at the emulator and in the identity map), and what HR last said. */
  async function person(employeeId: string, hr: 'employee.hired' | 'employee.departed') {
    const email = `${employeeId.toLowerCase()}@example.com`;
    const invite = h.emulator.organization.createInvite({ email, role: 'reader' });
    await h.store.record({
      recordKey: `onboard/${employeeId}/hire/invite`,
      runId: `onboard/${employeeId}/hire`,
      definition: 'onboard',
      definitionHash: 'b'.repeat(64),
      eventId: `hire-${employeeId}`,
      eventType: 'employee.hired',
      source: 'generic',
      employeeId,
      stepId: 'invite',
      action: 'openai.invite',
      target: email,
      outcome: 'created',
      openaiIds: { inviteId: invite.id },
      identity: { status: 'invited', email, inviteId: invite.id },
    });
    await h.store.noteHrEvent({ source: 'generic', employeeId, email, eventId: `${hr}-${employeeId}`, eventType: hr, occurredAt: '2026-11-20T12:00:00Z' });
    return invite.id;
  }

  async function tick(name: string, maxUsers: number) {
    const handle = await h.temporal.client.workflow.start('scheduledRun', {
      taskQueue: h.config.taskQueue,
      workflowId: `schedule/${plan.name}-${name}`,
      args: [{ plan, maxUsers }],
    });
    return handle.result().then(
      (result) => ({ result: result as ScheduledRunResult, error: undefined }),
      (error: Error & { cause?: { type?: string } }) => ({ result: undefined, error }),
    );
  }

  it('removes departed people who still hold access, only them, once', async () => {
    const leaver = await person('R-LEFT', 'employee.departed');
    const stayer = await person('R-STAYS', 'employee.hired');

    const first = await tick('2026-11-29T06:00:00Z', 5);
    expect(first.error).toBeUndefined();
    expect(first.result!.runs).toEqual([`reconcile-departed/R-LEFT/tick.reconcile-departed-2026-11-29T06:00:00Z`]);
    expect(h.emulator.organization.invites.has(leaver)).toBe(false);
    expect(h.emulator.organization.invites.has(stayer)).toBe(true);
    expect(await h.store.identity('generic', 'R-LEFT')).toMatchObject({ status: 'removed', hrStatus: 'departed' });
    const audit = await h.store.audit({ employeeId: 'R-LEFT', action: 'openai.remove' });
    expect(audit.map((a) => [a.definition, a.outcome, a.openaiIds.inviteId])).toEqual([['reconcile-departed', 'removed', leaver]]);

    // The run went through the person's entity workflow: it asked it for the lease, and the entity closed after it.
    await h.temporal.client.workflow.getHandle(employeeWorkflowId('generic', 'R-LEFT')).result();
    const runHistory = await h.temporal.client.workflow.getHandle(first.result!.runs[0]!).fetchHistory();
    expect(runHistory.events?.map((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName).filter(Boolean)).toEqual(['leaseRequest', 'runEnded']);

    const second = await tick('2026-11-30T06:00:00Z', 5);
    expect(second.result!.runs).toEqual([]);
  });

  it('refuses to act on anyone when a tick finds more people than the guard allows', async () => {
    const invites = [await person('R-G1', 'employee.departed'), await person('R-G2', 'employee.departed')];
    const guarded = await tick('2026-12-01T06:00:00Z', 1);
    expect(guarded.error).toBeDefined();
    expect(guarded.error!.cause?.type).toBe('GUARD_TRIPPED');
    for (const id of invites) expect(h.emulator.organization.invites.has(id)).toBe(true);
  });

  itReplaysEveryWorkflow(() => h);
});
