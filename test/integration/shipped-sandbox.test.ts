// Every shipped definition (definitions/*.yaml), run for real against the sandbox emulator as
// `tenure dev` sets it up (the projects the definitions name seeded), on the Temporal dev
// server: each run ends `done`, none parks on a missing project or an unaccepted invite. And
// a hire announces one invite, however many runs reach the person.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadDefinitions, type Plan } from '../../dsl/index.ts';
import { Organization, SANDBOX_PROJECTS } from '../../emulator/index.ts';
import type { DefinitionRunResult, ScheduledRunResult } from '../../workflows/index.ts';
import { deliver, employee, hrEvent, invitesFor, resultOf, untilState } from '../helpers/engine.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';

const MINUTE = 60_000;

describe('shipped definitions in the sandbox', () => {
  let h: Harness;
  let plans: readonly Plan[];
  const log = memoryLogger();
  /** Each shipped definition's runs and how they ended. */
  const ended = new Map<string, string[]>();

  beforeAll(async () => {
    const organization = new Organization();
    organization.seedProjects(SANDBOX_PROJECTS);
    // A short longest pause between looks for an acceptance, so the move goes on soon after it.
    h = await startHarness({ name: 'shipped', logger: log.logger, emulator: { organization }, env: { OPENAI_ACCEPTANCE_POLL_MS: '200' } });
    const loaded = loadDefinitions(['definitions']);
    expect(loaded.problems).toEqual([]);
    plans = loaded.plans;
  });

  afterAll(() => h?.close());

  /** Delivers `event` and returns the result of the run of `definition` it started. */
  async function runOf(definition: string, event: ReturnType<typeof hrEvent>, during?: (runId: string) => Promise<void>): Promise<DefinitionRunResult> {
    const dispatched = await deliver(h, plans, event);
    const runId = dispatched.runs.find((r) => r.startsWith(`${definition}/`));
    expect(runId).toBeDefined();
    await during?.(runId!);
    const result = await resultOf<DefinitionRunResult>(h, runId!);
    ended.set(definition, [...(ended.get(definition) ?? []), result.status]);
    return result;
  }

  /** The run's actions, each with its outcome. */
  const actions = (result: DefinitionRunResult) => result.steps.filter((s) => s.kind === 'action').map((s) => [s.id, s.outcome]);
  const at = (minutes: number) => new Date(Date.now() - 60 * MINUTE + minutes * MINUTE);
  const projectsOf = (userId: string) =>
    h.emulator.organization
      .listProjects()
      .filter((p) => h.emulator.organization.listProjectUsers(p.id).some((u) => u.id === userId))
      .map((p) => p.id)
      .sort();

  it('runs a joiner, a mover, a leaver, a renewal and the daily reconciliation to the end', async () => {
    const id = employee('S');
    const email = `${id.toLowerCase()}@example.com`;
    const person = { department: 'Research', employmentType: 'full_time', startDate: '2026-01-05' } as const;

    // Joiner: invited into the Research project the sandbox holds.
    const hired = await runOf('onboard-openai', hrEvent('employee.hired', id, person, at(0)));
    expect(hired.status).toBe('done');
    const [invite] = invitesFor(h, email);
    expect(invite).toMatchObject({ status: 'pending', projects: [{ id: 'proj_research', role: 'member' }] });

    // Mover, before accepting: the run waits for the acceptance, then moves Research → Sales.
    const moved = await runOf(
      'move-department',
      hrEvent('employee.updated', id, { ...person, department: 'Sales' }, at(1), { changes: { department: { from: 'Research', to: 'Sales' } } }),
      async (runId) => {
        const waiting = await untilState(h, runId, (s) => s.currentStep === 'wait-for-acceptance', 'waiting for the acceptance');
        expect(waiting.steps.map((s) => s.id)).not.toContain('add-to-new-project');
        h.emulator.organization.acceptInvite(invite!.id);
      },
    );
    expect(moved.status).toBe('done');
    expect(actions(moved)).toEqual([
      ['wait-for-acceptance', 'noop'],
      ['remove-from-old-project', 'removed'],
      ['add-to-new-project', 'created'],
      ['tell-it', 'logged'],
    ]);
    const [user] = h.emulator.organization.listUsers([email]);
    expect(projectsOf(user!.id)).toEqual(['proj_sales']);

    // Leaver, effective at once.
    const left = await runOf('offboard-openai', hrEvent('employee.departed', id, { ...person, department: 'Sales', endDate: null }, at(2)));
    expect(left.status).toBe('done');
    expect(h.emulator.organization.listUsers([email])).toEqual([]);

    // Renewal after the access lapsed: re-invited, and announced.
    const renewed = await runOf('renew-contract', hrEvent('contract.renewed', id, { ...person, department: 'Sales', contractEndDate: '2027-06-30' }, at(3)));
    expect(renewed.status).toBe('done');
    expect(actions(renewed)).toEqual([
      ['keep-access', 'created'],
      ['tell-it-restored', 'logged'],
      ['extend', 'noop'],
    ]);

    // The daily reconciliation, as its Schedule starts it: someone HR says has left still holds an invite.
    const leaver = employee('S');
    const leaverEmail = `${leaver.toLowerCase()}@example.com`;
    const leftover = h.emulator.organization.createInvite({ email: leaverEmail, role: 'reader' });
    await h.store.record({
      recordKey: `onboard-openai/${leaver}/hire/invite`,
      runId: `onboard-openai/${leaver}/hire`,
      definition: 'onboard-openai',
      definitionHash: 'c'.repeat(64),
      eventId: `hire-${leaver}`,
      eventType: 'employee.hired',
      source: 'generic',
      employeeId: leaver,
      stepId: 'invite',
      action: 'openai.invite',
      target: leaverEmail,
      outcome: 'created',
      openaiIds: { inviteId: leftover.id },
      identity: { status: 'invited', email: leaverEmail, inviteId: leftover.id },
    });
    await h.store.noteHrEvent({ source: 'generic', employeeId: leaver, email: leaverEmail, eventId: `departed-${leaver}`, eventType: 'employee.departed', occurredAt: at(4).toISOString() });
    const plan = plans.find((p) => p.name === 'reconcile-departed')!;
    const tick = (await h.temporal.client.workflow.execute('scheduledRun', {
      taskQueue: h.config.taskQueue,
      workflowId: `schedule/reconcile-departed-${leaver}`,
      args: [{ plan, maxUsers: 1000 }],
    })) as ScheduledRunResult;
    const reconciled = tick.runs.filter((r) => r.startsWith(`reconcile-departed/${leaver}/`));
    expect(reconciled).toHaveLength(1);
    const reconcile = (await h.temporal.client.workflow.getHandle(reconciled[0]!).result()) as DefinitionRunResult;
    ended.set('reconcile-departed', [reconcile.status]);
    expect(h.emulator.organization.invites.has(leftover.id)).toBe(false);

    // Every shipped definition ran, and every run ended done.
    expect([...ended.keys()].sort()).toEqual(plans.map((p) => p.name).sort());
    expect([...ended.values()].flat()).toEqual(Array(ended.size).fill('done'));
  });

  it('announces a hire’s invite once: a renewal while it is pending, and a second hire event for the person, send none and say nothing', async () => {
    const id = employee('A');
    const email = `${id.toLowerCase()}@example.com`;
    const person = { department: 'Engineering', employmentType: 'full_time', startDate: '2026-01-05' } as const;

    const hired = await runOf('onboard-openai', hrEvent('employee.hired', id, person, at(0)));
    expect(actions(hired)).toEqual([
      ['invite', 'created'],
      ['tell-it', 'logged'],
    ]);
    // The same hire reaches the person again under another id (as a sync that found them would deliver it).
    const again = await runOf('onboard-openai', hrEvent('employee.hired', id, person, at(1), { id: `sync.hired.${id}` }));
    expect(again.status).toBe('done');
    expect(actions(again)).toEqual([['invite', 'noop']]);
    const renewed = await runOf('renew-contract', hrEvent('contract.renewed', id, { ...person, contractEndDate: '2027-06-30' }, at(2)));
    expect(actions(renewed)).toEqual([
      ['keep-access', 'noop'],
      ['extend', 'noop'],
    ]);

    expect(invitesFor(h, email)).toHaveLength(1);
    const announcements = (await h.store.audit({ employeeId: id })).filter((a) => a.action === 'notify');
    expect(announcements.map((a) => [a.definition, a.stepId, a.outcome])).toEqual([['onboard-openai', 'tell-it', 'logged']]);
  });

  itReplaysEveryWorkflow(() => h);
});
