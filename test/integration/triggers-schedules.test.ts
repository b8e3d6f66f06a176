// Schedule-triggered plans become Temporal Schedules (created, updated, deleted as the
// plans change) on the real dev server; a tick runs `scheduledRun`, which acts on each
// person the reconciliation names through the one interpreter, behind a guard. The
// reconciliation source is a stand-in list: the real one needs the identity map, which
// another issue delivers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScheduleNotFoundError } from '@temporalio/client';
import type { ReconciliationSubject } from '../../activities/index.ts';
import type { Plan, ReloadReport } from '../../dsl/index.ts';
import { followSchedules, scheduleId, syncSchedules } from '../../triggers/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import type { DefinitionRunResult, ScheduledRunInput, ScheduledRunResult } from '../../workflows/index.ts';
import { plan, startHarness, unique, type Harness } from './triggers-harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

/** Polls `check` until it returns a value; for conditions Temporal makes true asynchronously (a Schedule taking its action, visibility). */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('schedules', () => {
  let h: Harness;
  const subjects: ReconciliationSubject[] = [];
  const suffix = unique('s');
  const reconcile = (cron = '0 3 * * *', text = 'Removed ${{ employee.email }}'): Plan =>
    plan(`reconcile-${suffix}`, { schedule: { cron, timezone: 'Europe/London' }, for: 'departed-with-access' }, [{ id: 'tell-it', action: 'notify', with: { channel: 'it', text } }]);
  const weekly = plan(`weekly-${suffix}`, { schedule: { cron: '0 4 * * 1', timezone: 'UTC' }, for: 'departed-with-access' }, []);
  const onEvent = plan(`on-hire-${suffix}`, { event: 'employee.hired' }, []);

  beforeAll(async () => {
    h = await startHarness({ bundle: await bundleWorkflows(), plans: [], sources: [], reconciliation: { departedWithAccess: async () => subjects } });
  });
  afterAll(async () => {
    if (h) await syncSchedules(h.temporal.client, [], { taskQueue: h.config.taskQueue, maxUsers: 0 });
    await h?.close();
  });

  const options = (maxUsers = 5) => ({ taskQueue: h.config.taskQueue, maxUsers });

  it('creates, leaves alone, updates and deletes Schedules as the plans change', async () => {
    const client = h.temporal.client;
    const created = await syncSchedules(client, [reconcile(), weekly, onEvent], options());
    expect(created).toEqual({ created: [scheduleId(reconcile().name), scheduleId(weekly.name)], updated: [], deleted: [], unchanged: [], failed: [] });
    const described = await client.schedule.getHandle(scheduleId(reconcile().name)).describe();
    expect(described.spec.timezone).toBe('Europe/London');
    expect(described.action).toMatchObject({ workflowType: 'scheduledRun', taskQueue: h.config.taskQueue });
    const input = described.action.args?.[0] as ScheduledRunInput;
    expect([input.plan.hash, input.maxUsers]).toEqual([reconcile().hash, 5]);

    expect((await syncSchedules(client, [reconcile(), weekly], options())).unchanged).toHaveLength(2);

    const edited = reconcile('30 2 * * *', 'Gone: ${{ employee.email }}');
    const updated = await syncSchedules(client, [edited, weekly], options());
    expect([updated.updated, updated.unchanged]).toEqual([[scheduleId(edited.name)], [scheduleId(weekly.name)]]);
    const after = await client.schedule.getHandle(scheduleId(edited.name)).describe();
    expect((after.action.args?.[0] as ScheduledRunInput).plan.hash).toBe(edited.hash);
    expect(after.spec.calendars).toHaveLength(1);
    expect(after.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });

    // A changed guard is a change too.
    expect((await syncSchedules(client, [edited, weekly], options(7))).updated).toHaveLength(2);

    // Deletion reads Temporal's (eventually consistent) schedule list: wait until it shows the weekly Schedule.
    await waitFor('the weekly Schedule to be listed', async () => {
      for await (const s of client.schedule.list()) if (s.scheduleId === scheduleId(weekly.name)) return true;
      return undefined;
    });
    const removed = await syncSchedules(client, [edited], options(7));
    expect(removed.deleted).toEqual([scheduleId(weekly.name)]);
    await expect(client.schedule.getHandle(scheduleId(weekly.name)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });

  it('reports a Schedule Temporal refuses and still syncs the others', async () => {
    const bad = plan(`bad-cron-${suffix}`, { schedule: { cron: 'every tuesday', timezone: 'UTC' }, for: 'departed-with-access' }, []);
    const report = await syncSchedules(h.temporal.client, [bad, reconcile()], options());
    expect(report.failed).toEqual([{ scheduleId: scheduleId(bad.name), error: expect.any(String) }]);
    expect([...report.created, ...report.updated, ...report.unchanged]).toEqual([scheduleId(reconcile().name)]);
  });

  async function tick(maxUsers: number): Promise<string> {
    const client = h.temporal.client;
    await syncSchedules(client, [reconcile()], options(maxUsers));
    const handle = client.schedule.getHandle(scheduleId(reconcile().name));
    const before = (await handle.describe()).info.numActionsTaken;
    await handle.trigger();
    return waitFor('the Schedule to start its workflow', async () => {
      const info = (await handle.describe()).info;
      return info.numActionsTaken > before ? info.recentActions.at(-1)?.action.workflow.workflowId : undefined;
    });
  }

  it('a tick runs the plan once per departed person, through definitionRun', async () => {
    const a = unique('R');
    const b = unique('R');
    subjects.splice(0, subjects.length, { source: 'bamboohr', employee: { id: a, email: `${a}@example.com` } }, { source: 'hibob', employee: { id: b, email: `${b}@example.com` } });
    const workflowId = await tick(5);
    expect(workflowId).toMatch(new RegExp(`^scheduled/reconcile-${suffix}-`));
    const result = (await h.temporal.client.workflow.getHandle(workflowId).result()) as ScheduledRunResult;
    expect(result.runs).toEqual([`reconcile-${suffix}/${a}/${result.tick}`, `reconcile-${suffix}/${b}/${result.tick}`]);
    expect(result.failed).toEqual([]);
    const first = (await h.temporal.client.workflow.getHandle(result.runs[0]!).result()) as DefinitionRunResult;
    expect(first).toMatchObject({ status: 'done', steps: [{ id: 'tell-it', outcome: 'logged' }] });
    const audit = await h.store.audit({ employeeId: a });
    expect(audit).toEqual([expect.objectContaining({ definition: `reconcile-${suffix}`, eventType: 'employee.departed', source: 'bamboohr', eventId: result.tick })]);
  });

  it('refuses to act at all when a tick finds more people than the guard allows', async () => {
    const people = [unique('G'), unique('G'), unique('G')];
    subjects.splice(0, subjects.length, ...people.map((id) => ({ source: 'bamboohr', employee: { id, email: `${id}@example.com` } })));
    const workflowId = await tick(2);
    await expect(h.temporal.client.workflow.getHandle(workflowId).result()).rejects.toMatchObject({ cause: { type: 'GUARD_TRIPPED', message: expect.stringContaining('3 people') } });
    const history = await h.temporal.client.workflow.getHandle(workflowId).fetchHistory();
    expect((history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
    for (const id of people) expect(await h.store.audit({ employeeId: id })).toEqual([]);
  });

  it('follows the definitions: syncs at start, and again after a reload that changed one', async () => {
    const client = h.temporal.client;
    const first = plan(`follow-a-${suffix}`, { schedule: { cron: '0 5 * * *', timezone: 'UTC' }, for: 'departed-with-access' }, []);
    const second = plan(`follow-b-${suffix}`, { schedule: { cron: '0 6 * * *', timezone: 'UTC' }, for: 'departed-with-access' }, []);
    let listener: ((report: ReloadReport) => void) | undefined;
    const registry = { plans: () => [first], subscribe: (fn: (report: ReloadReport) => void) => ((listener = fn), () => undefined) };
    const log = memoryLogger();
    const report = await followSchedules(client, registry, options(), log.logger);
    expect(report.created).toEqual([scheduleId(first.name)]);
    // A reload that changed nothing syncs nothing; one that added a definition creates its Schedule.
    listener!({ plans: [first], problems: [], changed: [], kept: [] });
    listener!({ plans: [first, second], problems: [], changed: [`${second.name} v${second.version}`], kept: [] });
    await waitFor('the re-sync after the reload', async () => (log.lines.some((l) => l.includes('schedules re-synced after a definition change')) ? true : undefined));
    expect((await client.schedule.getHandle(scheduleId(second.name)).describe()).spec.calendars).toHaveLength(1);
    await syncSchedules(client, [], options());
  });

  itReplaysEveryWorkflow(() => h);
});
