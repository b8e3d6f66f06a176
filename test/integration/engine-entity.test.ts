// The per-employee entity workflow on the real Temporal dev server, with real activities
// (the OpenAI emulator over HTTP, a SQLite store): events applied in occurredAt order,
// duplicates dropped, a departure superseding a waiting onboarding, a moved start date
// reaching the waiting run, a rehire starting fresh, one OpenAI action at a time per
// person, and continue-as-new carrying what the entity must remember.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from '../../codec/index.ts';
import { TEST_KEYS } from '../helpers/payload-keys.ts';
import type { Plan } from '../../dsl/index.ts';
import { dispatch, listRuns } from '../../triggers/index.ts';
import type { DefinitionRunResult, EmployeeState, EmployeeWorkflowInput } from '../../workflows/index.ts';
import { employeeWorkflowId } from '../../workflows/shared.ts';
import { activitySpans, dateIn, deliver, employee, hrEvent, invitesFor, resultOf, run, shownStatus, supersededRun, untilState } from '../helpers/engine.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';

const ONBOARD = `
name: onboard
on: { event: employee.hired }
steps:
  - id: wait-for-start
    wait: { until: employee.startDate, offset: -1d, at: "08:00" }
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
  - id: tell-it
    action: notify
    with: { channel: it, text: "Invited \${{ employee.email }}" }
`;

const OFFBOARD = `
name: offboard
on: { event: employee.departed }
steps:
  - id: until-last-day
    if: employee.endDate != null
    then:
      - id: wait-for-end
        wait: { until: employee.endDate, at: "23:59" }
  - id: remove
    action: openai.remove
    with: { email: "\${{ employee.email }}" }
`;

const RENEW = `
name: renew
on: { event: contract.renewed }
steps:
  - id: note
    action: notify
    with: { channel: it, text: "start \${{ employee.startDate }}" }
`;

describe('employee entity workflow (real Temporal)', () => {
  let h: Harness;
  let plans: Plan[];
  const log = memoryLogger();
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    // No rate limit to speak of: the per-person lease alone must keep one person's actions apart.
    h = await startHarness({ name: 'engine-entity', logger: log.logger, env: { TENURE_OPENAI_RATE_PER_SECOND: '1000' } });
    plans = [compilePlan(ONBOARD, 'onboard.yaml'), compilePlan(OFFBOARD, 'offboard.yaml'), compilePlan(RENEW, 'renew.yaml')];
  });
  afterAll(async () => {
    await h?.close();
  });

  const entity = (id: string) => run(h, employeeWorkflowId('generic', id));

  it('polls the OpenAI actions\' own task queue with the configured rate limit', () => {
    expect(h.worker.openaiWorker.options).toMatchObject({ taskQueue: `${h.config.taskQueue}-openai`, maxTaskQueueActivitiesPerSecond: 1000 });
    expect(h.worker.worker.options.taskQueue).toBe(h.config.taskQueue);
  });

  it('a departure during the pre-start wait supersedes the onboarding: no invite, recorded, shown as superseded', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(30) }, minutesAgo(10));
    expect((await deliver(h, plans, hire)).outcome).toBe('accepted');
    const runId = `onboard/${id}/${hire.id}`;
    const waiting = await untilState(h, runId, (s) => s.status === 'waiting', 'wait for the start date');
    expect(waiting).toMatchObject({ currentStep: 'wait-for-start', waitingUntil: expect.stringMatching(/^\d{4}-/) });
    expect(await shownStatus(h, runId)).toBe('waiting');
    // Operators find it from visibility, as `tenure runs --employee` does.
    const listed = await eventually(async () => {
      const runs = await listRuns(h.temporal.client, { employee: id, status: 'waiting' });
      return runs.length > 0 ? runs : undefined;
    }, 30_000, 'the waiting run in visibility');
    expect(listed).toEqual([expect.objectContaining({ workflowId: runId, status: 'waiting', definition: 'onboard', eventType: 'employee.hired', execution: 'RUNNING' })]);
    const details = await run(h, runId).describe();
    expect(await details.staticSummary()).toBe(`Onboard ${hire.employee.email} — onboard v${plans[0]!.version}`);

    const departure = hrEvent('employee.departed', id, {}, minutesAgo(1));
    expect((await deliver(h, plans, departure)).runs).toEqual([`offboard/${id}/${departure.id}`]);
    const result = await supersededRun(h, runId);
    expect(result).toMatchObject({ status: 'superseded', supersededBy: { eventId: departure.id, eventType: 'employee.departed' } });
    expect(await shownStatus(h, runId)).toBe('superseded');
    // The entity starts the offboarding once the onboarding has been told: it may start a task after the onboarding ended.
    expect((await resultOf<DefinitionRunResult>(h, `offboard/${id}/${departure.id}`)).status).toBe('done');
    await entity(id).result();

    expect(invitesFor(h, hire.employee.email)).toEqual([]);
    const audit = await h.store.audit({ employeeId: id });
    expect(audit.map((a) => [a.runId, a.stepId, a.action, a.outcome, a.errorType])).toEqual([
      [runId, 'wait-for-start', 'supersede', 'superseded', 'SUPERSEDED'],
      [`offboard/${id}/${departure.id}`, 'remove', 'openai.remove', 'noop', null],
    ]);
    expect(audit[0]!.errorMessage).toContain('nothing was done at OpenAI');
  });

  it('drops duplicates delivered at once: one run, one invite', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(-3) }, minutesAgo(5));
    // Three deliveries racing each other all reach Temporal before the run exists; the entity keeps one.
    const outcomes = await Promise.all([1, 2, 3].map(() => deliver(h, plans, hire)));
    expect(outcomes.every((o) => o.runs[0] === `onboard/${id}/${hire.id}`)).toBe(true);
    const result = await resultOf<DefinitionRunResult>(h, `onboard/${id}/${hire.id}`);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['wait-for-start waited', 'invite created', 'tell-it logged']);
    const { applied } = (await entity(id).result()) as { applied: number };
    expect(applied).toBe(1);
    expect(invitesFor(h, hire.employee.email)).toHaveLength(1);
    // A later redelivery finds the run and never reaches the entity.
    expect((await deliver(h, plans, hire)).outcome).toBe('duplicate');
    expect(invitesFor(h, hire.employee.email)).toHaveLength(1);
  });

  it('does not apply an event older than a departure already applied, whether the entity is open or closed', async () => {
    // Open: the offboarding waits for the last day, so the entity remembers the departure.
    const open = employee();
    const departure = hrEvent('employee.departed', open, { endDate: dateIn(20) }, minutesAgo(1));
    await deliver(h, plans, departure);
    await untilState(h, `offboard/${open}/${departure.id}`, (s) => s.status === 'waiting', 'wait for the last day');
    const lateHire = hrEvent('employee.hired', open, { startDate: dateIn(-10) }, minutesAgo(30));
    expect((await deliver(h, plans, lateHire)).outcome).toBe('accepted');
    const state = await eventually(async () => {
      const s = await entity(open).query<EmployeeState>('state');
      return s.applied === 2 ? s : undefined;
    }, 30_000, 'the late hire to be judged');
    expect(state.lifecycle).toMatchObject({ type: 'employee.departed', eventId: departure.id });
    expect(state.runs.map((r) => r.workflowId)).toEqual([`offboard/${open}/${departure.id}`]);
    const stale = await h.store.audit({ runId: `onboard/${open}/${lateHire.id}` });
    expect(stale).toEqual([expect.objectContaining({ outcome: 'superseded', errorType: 'STALE_EVENT', action: 'supersede' })]);
    expect(stale[0]!.errorMessage).toContain(departure.id);

    // Closed: the departure has been acted on and the entity has closed; the identity map remembers.
    const closed = employee();
    const gone = hrEvent('employee.departed', closed, {}, minutesAgo(1));
    await deliver(h, plans, gone);
    await entity(closed).result();
    const late = hrEvent('employee.hired', closed, { startDate: dateIn(-10) }, minutesAgo(30));
    await deliver(h, plans, late);
    await entity(closed).result();
    expect(await h.store.audit({ runId: `onboard/${closed}/${late.id}` })).toEqual([expect.objectContaining({ outcome: 'superseded', errorType: 'STALE_EVENT' })]);
    expect(invitesFor(h, late.employee.email)).toEqual([]);
  });

  it('the trigger server notes each event in the identity map and the entity writes nothing itself; without that note, the entity notes it', async () => {
    const localActivities = async (workflowId: string) =>
      ((await run(h, workflowId).fetchHistory()).events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    // Through the trigger server's dispatch (with the store): noted at the door.
    const atDoor = employee();
    const hire = hrEvent('employee.hired', atDoor, { startDate: dateIn(-1) }, minutesAgo(1));
    await deliver(h, plans, hire);
    await entity(atDoor).result();
    expect(await h.store.identity('generic', atDoor)).toMatchObject({ hrStatus: 'employed', status: 'invited' });
    expect(await localActivities(employeeWorkflowId('generic', atDoor))).toBe(0);
    // The run's action recorded its own row: no local activity in the run either.
    expect(await localActivities(`onboard/${atDoor}/${hire.id}`)).toBe(0);
    expect((await h.store.audit({ employeeId: atDoor })).map((a) => `${a.action} ${a.outcome}`)).toEqual(['openai.invite created', 'notify logged']);

    // Handed over with no note (a trigger server without a store): the entity notes it, as before.
    const inEntity = employee();
    const other = hrEvent('employee.hired', inEntity, { startDate: dateIn(-1) }, minutesAgo(1));
    await dispatch(h.temporal.client, h.config.taskQueue, plans, other);
    await entity(inEntity).result();
    expect(await h.store.identity('generic', inEntity)).toMatchObject({ hrStatus: 'employed', status: 'invited' });
    expect(await localActivities(employeeWorkflowId('generic', inEntity))).toBe(1);
  });

  it('a newer record reaches runs in flight: a moved start date moves the wait; a late event acts on the newer record', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(40) }, minutesAgo(60));
    await deliver(h, plans, hire);
    const runId = `onboard/${id}/${hire.id}`;
    const before = await untilState(h, runId, (s) => s.status === 'waiting', 'wait for the start date');

    // HR moves the start date later; no definition matches the update, and it still reaches the run.
    const later = hrEvent('employee.updated', id, { startDate: dateIn(50) }, minutesAgo(30), { changes: { startDate: { from: dateIn(40), to: dateIn(50) } } });
    expect((await deliver(h, plans, later)).outcome).toBe('unmatched');
    const moved = await untilState(h, runId, (s) => s.employeeUpdatedBy === later.id && s.waitingUntil !== before.waitingUntil, 'the wait to move');
    // Ten days later, at the same local time (give or take a daylight-saving hour).
    expect(Math.abs(Date.parse(moved.waitingUntil!) - Date.parse(before.waitingUntil!) - 10 * 86_400_000)).toBeLessThanOrEqual(3_600_000);

    // A renewal that happened before the update but arrives after it acts on the newer record.
    const renewal = hrEvent('contract.renewed', id, { startDate: dateIn(40) }, minutesAgo(45));
    await deliver(h, plans, renewal);
    const renewed = run(h, `renew/${id}/${renewal.id}`);
    await eventually(async () => ((await renewed.describe()).status.name === 'COMPLETED' ? true : undefined), 30_000, 'the renewal run');
    const history = await renewed.fetchHistory();
    const [started] = await new EncryptionCodec(TEST_KEYS).decode([history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]! as Payload]);
    const input = JSON.parse(Buffer.from(started!.data!).toString('utf8')) as { event: { employee: { startDate: string } } };
    expect(input.event.employee.startDate).toBe(dateIn(50));

    // Then HR moves it into the past: the run wakes and invites at once.
    const now = hrEvent('employee.updated', id, { startDate: dateIn(-1) }, minutesAgo(1));
    await deliver(h, plans, now);
    const result = (await run(h, runId).result()) as DefinitionRunResult;
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['wait-for-start waited', 'invite created', 'tell-it logged']);
    expect(invitesFor(h, hire.employee.email)).toHaveLength(1);
    await entity(id).result();
  });

  it('a rehire after a departure starts fresh', async () => {
    const id = employee();
    const email = `${id.toLowerCase()}@example.com`;
    const first = hrEvent('employee.hired', id, { startDate: dateIn(-100) }, minutesAgo(50));
    await deliver(h, plans, first);
    await entity(id).result();
    expect(invitesFor(h, email).map((i) => i.status)).toEqual(['pending']);
    const left = hrEvent('employee.departed', id, {}, minutesAgo(40));
    await deliver(h, plans, left);
    await entity(id).result();
    expect(invitesFor(h, email).filter((i) => i.status === 'pending')).toEqual([]);
    const again = hrEvent('employee.hired', id, { startDate: dateIn(-1) }, minutesAgo(1));
    expect((await deliver(h, plans, again)).outcome).toBe('accepted');
    await entity(id).result();
    expect(invitesFor(h, email).filter((i) => i.status === 'pending')).toHaveLength(1);
    const audit = await h.store.audit({ employeeId: id });
    expect(audit.filter((a) => a.action.startsWith('openai.')).map((a) => `${a.action} ${a.outcome}`)).toEqual(['openai.invite created', 'openai.remove removed', 'openai.invite created']);
    expect(await h.store.identity('generic', id)).toMatchObject({ status: 'invited', hrStatus: 'employed' });
  });

  it('a departure while an onboarding waits for the invite to be accepted: the wait stops at once and the offboarding acts', async () => {
    const id = employee();
    const accepting = compilePlan(`
name: onboard-accept
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
  - id: accepted
    action: openai.awaitAcceptance
    with: { email: "\${{ employee.email }}", timeout: 14d }
`);
    const hire = hrEvent('employee.hired', id, {}, minutesAgo(5));
    await deliver(h, [accepting, plans[1]!], hire);
    const runId = `onboard-accept/${id}/${hire.id}`;
    // Waiting for acceptance polls for up to 14 days: it must hold neither the person's lease nor the departure.
    await untilState(h, runId, (s) => s.currentStep === 'accepted', 'wait for acceptance');
    const departure = hrEvent('employee.departed', id, {}, minutesAgo(1));
    await deliver(h, [accepting, plans[1]!], departure);
    expect(await supersededRun(h, runId)).toMatchObject({ status: 'superseded', steps: [expect.objectContaining({ id: 'invite', outcome: 'created' })] });
    expect(await resultOf<DefinitionRunResult>(h, `offboard/${id}/${departure.id}`)).toMatchObject({ status: 'done', steps: [expect.objectContaining({ id: 'until-last-day' }), expect.objectContaining({ id: 'remove', outcome: 'removed' })] });
    expect(invitesFor(h, hire.employee.email).filter((i) => i.status === 'pending')).toEqual([]);
    const audit = await h.store.audit({ employeeId: id });
    // The waiting run holds no lease, so the offboarding's removal and the onboarding's superseded row are
    // written concurrently: either may come first, and both come after the invite.
    const rows = audit.map((a) => `${a.action} ${a.outcome}`);
    expect(rows[0]).toBe('openai.invite created');
    expect(rows.slice(1).sort()).toEqual(['openai.remove removed', 'supersede superseded']);
    expect(audit.find((a) => a.action === 'supersede')!.errorMessage).toContain('Actions it had taken stay recorded');
    await entity(id).result();
  });

  it('never runs two runs\' OpenAI actions for the same person at once', async () => {
    const id = employee();
    const second = compilePlan(`
name: onboard-owner
on: { event: employee.hired }
steps:
  - id: invite-owner
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
`);
    // Every OpenAI request takes 300 ms: two runs acting at once would overlap for sure.
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/v1/**', kind: 'latency', ms: 300, rate: 1, status: 503, when: 'before' }] });
    try {
      const hire = hrEvent('employee.hired', id, { startDate: dateIn(-5) }, minutesAgo(1));
      const dispatched = await deliver(h, [plans[0]!, second], hire);
      expect(dispatched.runs).toHaveLength(2);
      await entity(id).result();
      const spans = (await Promise.all(dispatched.runs.map((r) => activitySpans(run(h, r))))).flat().filter((s) => s.type === 'openaiInvite');
      expect(spans).toHaveLength(2);
      const [a, b] = spans.sort((x, y) => x.started - y.started) as [(typeof spans)[0], (typeof spans)[0]];
      expect(a.closed - a.started).toBeGreaterThanOrEqual(600);
      expect(b.started).toBeGreaterThanOrEqual(a.closed);
    } finally {
      h.emulator.faults.clear();
    }
  });

  it('a hire and a departure at the same instant: the departure wins, whichever arrives first', async () => {
    for (const order of ['departure first', 'hire first'] as const) {
      const id = employee();
      const instant = minutesAgo(3);
      const hire = hrEvent('employee.hired', id, { startDate: dateIn(-3) }, instant);
      const departure = hrEvent('employee.departed', id, {}, instant);
      for (const event of order === 'departure first' ? [departure, hire] : [hire, departure]) await deliver(h, plans, event);
      await eventually(async () => ((await entity(id).describe()).status.name === 'COMPLETED' ? true : undefined), 60_000, `${order}: the entity to close`);
      expect([order, invitesFor(h, hire.employee.email).filter((i) => i.status === 'pending')]).toEqual([order, []]);
      expect([order, await h.store.identity('generic', id)]).toEqual([order, expect.objectContaining({ hrStatus: 'departed' })]);
      const onboarding = await h.store.audit({ runId: `onboard/${id}/${hire.id}` });
      // The hire is judged older: stale when the departure came first, superseded (or undone by the offboarding) when it came first itself.
      if (order === 'departure first') expect(onboarding).toEqual([expect.objectContaining({ outcome: 'superseded', errorType: 'STALE_EVENT' })]);
      else expect(onboarding.map((a) => a.outcome)).toContain('superseded');
    }
  });

  it('a supersede that reaches a run before its first workflow task is honoured: nothing is invited', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(-3) }, minutesAgo(2));
    const runId = `onboard/${id}/${hire.id}`;
    const handle = await h.temporal.client.workflow.signalWithStart('definitionRun', {
      workflowId: runId,
      taskQueue: h.config.taskQueue,
      args: [{ plan: plans[0]!, event: hire }],
      signal: 'supersede',
      signalArgs: [{ eventId: 'evt_departed_x', eventType: 'employee.departed', occurredAt: minutesAgo(1).toISOString(), reason: 'the person has left' }],
    });
    expect(await handle.result()).toMatchObject({ status: 'superseded', steps: [expect.objectContaining({ id: 'wait-for-start', outcome: 'waited' })] });
    expect(invitesFor(h, hire.employee.email)).toEqual([]);
    expect((await h.store.audit({ runId })).map((a) => `${a.stepId} ${a.outcome}`)).toEqual(['invite superseded']);
  });

  it('reclaims the lease from a holder that closed unseen (carried across continue-as-new): the waiting run acts', async () => {
    const id = employee();
    // As a continued execution would start: the lease held by a run that has since closed (here: never existed).
    const ghost = `onboard/${id}/evt_gone`;
    const input: EmployeeWorkflowInput = {
      source: 'generic',
      employeeId: id,
      seenEventIds: ['evt_gone'],
      runs: [{ workflowId: ghost, eventId: 'evt_gone', eventType: 'employee.hired', occurredAt: minutesAgo(30).toISOString(), definition: 'onboard', acted: true, superseded: false }],
      lease: { holder: ghost, waiting: [] },
    };
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(-3) }, minutesAgo(1));
    await h.temporal.client.workflow.signalWithStart('employeeWorkflow', {
      workflowId: employeeWorkflowId('generic', id),
      taskQueue: h.config.taskQueue,
      args: [input],
      signal: 'hrEvent',
      signalArgs: [{ event: hire, plans: [plans[0]] }],
    });
    const result = await resultOf<DefinitionRunResult>(h, `onboard/${id}/${hire.id}`);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`).slice(0, 2)).toEqual(['wait-for-start waited', 'invite created']);
    await entity(id).result();
  });

  it('continues as new carrying seen ids, pending events and runs in flight', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(30) }, minutesAgo(20));
    const input: EmployeeWorkflowInput = { source: 'generic', employeeId: id, continueAsNewAfter: 12 };
    const first = await h.temporal.client.workflow.signalWithStart('employeeWorkflow', {
      workflowId: employeeWorkflowId('generic', id),
      taskQueue: h.config.taskQueue,
      args: [input],
      signal: 'hrEvent',
      signalArgs: [{ event: hire, plans: [plans[0]] }],
    });
    const runId = `onboard/${id}/${hire.id}`;
    await untilState(h, runId, (s) => s.status === 'waiting', 'wait for the start date');
    // The first run of the entity continued as new, handing over the run it started.
    await eventually(async () => ((await h.temporal.client.workflow.getHandle(first.workflowId, first.signaledRunId).describe()).status.name === 'CONTINUED_AS_NEW' ? true : undefined), 30_000, 'continue-as-new');
    const carried = await entity(id).query<EmployeeState>('state');
    expect(carried.runs).toEqual([expect.objectContaining({ workflowId: runId, eventType: 'employee.hired' })]);

    // The hire again (seen before continue-as-new): dropped. A departure: supersedes the carried run.
    await entity(id).signal('hrEvent', { event: hire, plans: [plans[0]] });
    const departure = hrEvent('employee.departed', id, {}, minutesAgo(1));
    await deliver(h, plans, departure);
    expect((await supersededRun(h, runId)).status).toBe('superseded');
    const { applied } = (await entity(id).result()) as { applied: number };

    expect(applied).toBe(2);
    expect(invitesFor(h, hire.employee.email)).toEqual([]);
  });

  itReplaysEveryWorkflow(() => h);
});
