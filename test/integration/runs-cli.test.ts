// `tenure runs` and `tenure runs show` as an operator runs them (real CLI as a child process,
// piped, so plain text), on the real Temporal dev server with a real worker: a run waiting
// for an approval, a run waiting for a date, a parked run and closed runs are explained,
// with the commands that go on — and those printed commands are run as printed. The list
// carries masked emails and waiting reasons, newest first; GET /admin/runs/<id> carries
// the same explanation.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Plan } from '../../dsl/index.ts';
import { buildTriggerServer, operatorAuthenticator, type RunExplanation, type RunOverview } from '../../triggers/index.ts';
import { dateIn, deliver, employee, hrEvent, resultOf, untilState } from '../helpers/engine.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { eventually } from '../helpers/process.ts';
import { temporalAddress } from '../helpers/temporal.ts';
import { APPROVED_INVITE as APPROVED_INVITE_YAML, PROMOTE } from '../helpers/definitions.ts';

const exec = promisify(execFile);
const ADMIN_TOKEN = 'test-admin-token-0123456789';
const UI = 'https://temporal.example.com/';
// An ANSI escape sequence (ESC [).
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);

const APPROVED_INVITE = compilePlan(APPROVED_INVITE_YAML);

const WAIT_FOR_START = compilePlan(`
name: wait-for-start
on: { event: employee.hired }
steps:
  - id: until-start
    wait: { until: employee.startDate, at: "08:00" }
  - id: tell
    action: notify
    with: { channel: it, text: "started" }
`);

type Explained = RunExplanation & { email: string | null };

describe('tenure runs and runs show (real Temporal, real CLI)', () => {
  let h: Harness;
  let app: ReturnType<typeof buildTriggerServer>;
  const plans: Plan[] = [APPROVED_INVITE, compilePlan(PROMOTE), WAIT_FOR_START];
  const ago = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    h = await startHarness({ name: 'runs-cli', logger: memoryLogger().logger, env: { TENURE_ADMIN_TOKEN: ADMIN_TOKEN } });
    app = buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: [], plans: () => plans, logger: memoryLogger().logger, audit: { store: h.store, authenticate: operatorAuthenticator(h.config) } });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  function tenure(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return tenureWith({}, ...args);
  }
  async function tenureWith(more: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_HOME: h.config.home,
      TENURE_LOG_LEVEL: 'silent',
      TENURE_OPERATOR: 'oncall@example.com',
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      TENURE_TEMPORAL_UI_URL: UI,
      ...more,
    };
    return exec(process.execPath, ['bin/tenure.js', ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }
  const show = async (workflowId: string): Promise<{ text: string; json: Explained }> => {
    const [text, json] = await Promise.all([tenure('runs', 'show', workflowId), tenure('runs', 'show', workflowId, '--json')]);
    expect([text.code, text.stderr, json.code]).toEqual([0, '', 0]);
    expect(text.stdout).not.toMatch(ANSI);
    return { text: text.stdout, json: JSON.parse(json.stdout) as Explained };
  };
  /** Runs a command as `runs show` printed it, with a reason in place of `<why>`. */
  const runPrinted = (command: string, why: string) => {
    const words = command.replace("'<why>'", 'WHY').split(' ');
    expect(words[0]).toBe('tenure');
    return tenure(...words.slice(1).map((w) => (w === 'WHY' ? why : w)));
  };
  const line = (text: string, label: string) => text.split('\n').filter((l) => l.startsWith(label.padEnd(12)));
  const listed = async (employeeId: string, ...more: string[]): Promise<RunOverview[]> => {
    const { code, stdout, stderr } = await tenure('runs', '--employee', employeeId, '--json', ...more);
    expect([code, stderr]).toEqual([0, '']);
    return JSON.parse(stdout) as RunOverview[];
  };
  /** The person's one run, once visibility shows the status that makes the list ask it (visibility follows the run a moment later). */
  const listedAsked = (employeeId: string) =>
    eventually(async () => {
      const runs = await listed(employeeId);
      return runs.length === 1 && runs[0]!.detail === 'status' ? runs[0]! : undefined;
    }, 30_000, `${employeeId}'s run listed with its status`);

  it('a run waiting for an approval: its approvers and deadline, the command that decides, the Temporal UI link; approved as printed, then shown closed', async () => {
    const id = employee();
    const renewal = hrEvent('contract.renewed', id, { manager: { email: 'grace@example.com' } }, ago(1));
    const runId = `approved-invite/${id}/${renewal.id}`;
    await deliver(h, plans, renewal);
    const waiting = await untilState(h, runId, (s) => s.awaitingApproval !== null, 'ask for approval');
    const until = waiting.awaitingApproval!.until;

    const { text, json } = await show(runId);
    expect(line(text, 'status')).toEqual(['status      waiting (Temporal: running)']);
    expect(line(text, 'waiting for')).toEqual([`waiting for approval 'ask' by grace@example.com, until ${until.slice(0, 19).replace('T', ' ')}Z`]);
    expect(line(text, 'to go on')).toEqual([`to go on    tenure approve ${runId} --step ask --as grace@example.com --reason '<why>'`]);
    expect(text).toContain(`            tenure reject ${runId} --step ask --as grace@example.com --reason '<why>'`);
    expect(line(text, 'temporal')).toEqual([`temporal    https://temporal.example.com/namespaces/default/workflows/${encodeURIComponent(runId)}`]);
    expect(json).toMatchObject({
      stepsFrom: 'status',
      currentStep: 'ask',
      waiting: { kind: 'approval', step: 'ask', approvers: ['grace@example.com'], until },
      attention: null,
      ended: null,
      email: `${id.toLowerCase()[0]}•••@example.com`,
      temporalUi: `https://temporal.example.com/namespaces/default/workflows/${encodeURIComponent(runId)}`,
    });
    expect(json.fixes.map((f) => f.decision)).toEqual(['approve', 'reject']);

    const approved = await runPrinted(json.fixes[0]!.command, 'renewed for a year');
    expect(approved).toMatchObject({ code: 0, stdout: expect.stringContaining("approved step 'ask' (by grace@example.com)") });
    await resultOf(h, runId);
    const closed = await show(runId);
    expect(line(closed.text, 'ended')).toEqual(['ended       done']);
    expect(closed.text).toContain('steps       (from the run\'s result)');
    expect(closed.text).toMatch(/^ {2}ask +approval +approved +by grace@example\.com \(renewed for a year\)$/m);
    expect(closed.text).not.toContain('to go on');
    expect(closed.json).toMatchObject({ stepsFrom: 'result', ended: { execution: 'COMPLETED', status: 'done', failure: null }, fixes: [], waiting: null });
    expect(closed.json.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask approved', 'go then', 'invite created']);
  });

  it('a parked run: its step, typed reason and the commands that go on (also over HTTP); skipped as printed', async () => {
    const id = employee();
    const update = hrEvent('employee.updated', id, {}, ago(1));
    const runId = `promote/${id}/${update.id}`;
    await deliver(h, plans, update);
    await untilState(h, runId, (s) => s.status === 'needs-attention', 'park');

    const { text, json } = await show(runId);
    expect(line(text, 'parked')).toEqual([expect.stringMatching(/^parked {6}step 'make-owner' \(action\) failed with OPENAI_NOT_A_MEMBER, since \S+ \S+Z, 1 try$/)]);
    expect(text).toContain(`to go on    tenure retry ${runId} --reason '<why>'`);
    expect(text).toContain(`            tenure skip ${runId} --reason '<why>'`);
    expect(text).toContain(`            tenure abort ${runId} --reason '<why>'`);
    expect(json).toMatchObject({ stepsFrom: 'status', currentStep: 'make-owner', attention: { step: 'make-owner', error: { type: 'OPENAI_NOT_A_MEMBER' }, skippable: true }, waiting: null });
    expect(json.fixes.map((f) => f.decision)).toEqual(['retry', 'skip', 'abort']);

    // The admin endpoint answers with the same explanation, beside what it answered before.
    const described = await app.inject({ method: 'GET', url: `/admin/runs/${runId}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(described.statusCode).toBe(200);
    expect(described.json()).toMatchObject({
      run: { workflowId: runId, status: 'needs-attention' },
      state: { attention: { step: 'make-owner' } },
      explanation: { fixes: json.fixes, attention: { step: 'make-owner' }, temporalUi: `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(runId)}` },
    });

    // The list says the same, without being asked about this one run.
    const overview = await listedAsked(id);
    expect(overview).toMatchObject({ workflowId: runId, status: 'needs-attention', currentStep: 'make-owner', waitingUntil: null, attention: { step: 'make-owner', error: { type: 'OPENAI_NOT_A_MEMBER' } }, detail: 'status' });

    const skip = json.fixes.find((f) => f.decision === 'skip')!;
    expect(await runPrinted(skip.command, 'not a member yet')).toMatchObject({ code: 0, stdout: expect.stringContaining("skipped step 'make-owner' (by oncall@example.com)") });
    await resultOf(h, runId);
    const closed = await show(runId);
    expect(closed.json.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['make-owner skipped', 'tell logged']);
    expect(closed.text).toMatch(/^ {2}make-owner +action +skipped +OPENAI_NOT_A_MEMBER: .*; skipped by oncall@example\.com \(not a member yet\)$/m);
  });

  it('a run that ended failed: the failure from Temporal, the steps from the audit log', async () => {
    const id = employee();
    const update = hrEvent('employee.updated', id, {}, ago(1));
    const runId = `promote/${id}/${update.id}`;
    await deliver(h, plans, update);
    await untilState(h, runId, (s) => s.status === 'needs-attention', 'park');
    expect((await tenure('abort', runId, '--reason', 'promoted by hand')).code).toBe(0);
    await resultOf(h, runId).catch(() => undefined);

    const { text, json } = await show(runId);
    expect(line(text, 'status')).toEqual(['status      failed (Temporal: failed)']);
    // Emails inside failure messages are masked (they may name the person).
    expect(line(text, 'ended')).toEqual(["ended       failed — RUN_ABORTED: aborted by o•••@example.com (promoted by hand) after step 'make-owner' failed with OPENAI_NOT_A_MEMBER"]);
    expect(text).toContain('steps       (from the audit log)');
    expect(text).toMatch(/^ {2}make-owner +openai\.setRole +failed +OPENAI_NOT_A_MEMBER: /m);
    expect(text).toMatch(/^ {2}make-owner +abort +failed +by oncall@example\.com \(promoted by hand\); OPENAI_NOT_A_MEMBER: /m);
    expect(json).toMatchObject({ stepsFrom: 'audit', ended: { execution: 'FAILED', status: 'failed', failure: { type: 'RUN_ABORTED' } }, fixes: [], attention: null });
  });

  it('runs --json: masked email, currentStep, waitingUntil and attention per run, newest started first (a closed newer run before an open older one)', async () => {
    const id = employee();
    const manager = { email: 'grace@example.com' };
    const older = hrEvent('contract.renewed', id, { manager }, ago(3));
    const newer = hrEvent('contract.renewed', id, { manager }, ago(2));
    const [olderRun, newerRun] = [`approved-invite/${id}/${older.id}`, `approved-invite/${id}/${newer.id}`];
    await deliver(h, plans, older);
    await untilState(h, olderRun, (s) => s.awaitingApproval !== null, 'ask for approval');
    await deliver(h, plans, newer);
    await untilState(h, newerRun, (s) => s.awaitingApproval !== null, 'ask for approval');
    expect((await tenure('reject', newerRun, '--as', 'grace@example.com', '--reason', 'duplicate')).code).toBe(0);
    await resultOf(h, newerRun);

    // Visibility lists the open run first; the list is by start, newest first.
    const runs = await eventually(async () => {
      const all = await listed(id);
      return all.length === 2 && all.some((r) => r.closeTime !== null) && all.some((r) => r.detail === 'status') ? all : undefined;
    }, 30_000, 'both runs in visibility, one closed');
    expect(runs.map((r) => r.workflowId)).toEqual([newerRun, olderRun]);
    const email = `${id.toLowerCase()[0]}•••@example.com`;
    expect(runs[0]).toMatchObject({ status: 'done', email, currentStep: null, waitingUntil: null, waiting: null, attention: null, detail: 'not-asked' });
    const waiting = await untilState(h, olderRun, (s) => s.awaitingApproval !== null, 'still waiting');
    expect(runs[1]).toMatchObject({
      status: 'waiting',
      email,
      currentStep: 'ask',
      waitingUntil: waiting.awaitingApproval!.until,
      waiting: { kind: 'approval', step: 'ask', approvers: ['grace@example.com'] },
      attention: null,
      detail: 'status',
    });
    expect((await listed(id, '--limit', '1')).map((r) => r.workflowId)).toEqual([newerRun]);

    // A results store that cannot be reached: the runs are listed all the same, with no email, and a note says why.
    const storeDown = await tenureWith({ TENURE_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, 'runs', '--employee', id, '--json');
    expect(storeDown.code).toBe(0);
    expect(storeDown.stderr).toMatch(/^tenure: note: the results store cannot be read \(.+\); emails are shown as -\n$/);
    expect((JSON.parse(storeDown.stdout) as RunOverview[]).map((r) => [r.workflowId, r.email])).toEqual([
      [newerRun, null],
      [olderRun, null],
    ]);

    // Piped: a header for every column, then tab-separated lines, no ANSI codes.
    const text = await tenure('runs', '--employee', id);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(ANSI);
    const lines = text.stdout.trimEnd().split('\n').map((l) => l.split('\t'));
    expect(lines[0]).toEqual(['STATUS', 'RUN', 'EMAIL', 'DEFINITION', 'EVENT', 'STARTED', 'CLOSED', 'REASON']);
    expect(lines.slice(1).map((cells) => [cells[0], cells[1], cells[2], cells[7]])).toEqual([
      ['done', newerRun, email, '-'],
      ['waiting', olderRun, email, expect.stringMatching(/^approval 'ask' by g•••@example\.com, until \S+ \S+Z$/)],
    ]);
  });

  it('a run waiting for a date: the date in show and in the list', async () => {
    const id = employee();
    const start = dateIn(10);
    const hire = hrEvent('employee.hired', id, { startDate: start }, ago(1));
    const runId = `wait-for-start/${id}/${hire.id}`;
    await deliver(h, plans, hire);
    const state = await untilState(h, runId, (s) => s.waitingUntil !== null, 'wait');
    expect(state.waitingUntil).toMatch(new RegExp(`^${start}T0[78]:00:00`));

    const { text, json } = await show(runId);
    expect(line(text, 'waiting for')).toEqual([`waiting for wait 'until-start' until ${state.waitingUntil!.slice(0, 19).replace('T', ' ')}Z`]);
    expect(json).toMatchObject({ waiting: { kind: 'wait', step: 'until-start', until: state.waitingUntil }, fixes: [] });
    const overview = await listedAsked(id);
    expect(overview).toMatchObject({ workflowId: runId, status: 'waiting', currentStep: 'until-start', waitingUntil: state.waitingUntil, waiting: { kind: 'wait' } });
  });

  it('an unknown run is refused with its code', async () => {
    const result = await tenure('runs', 'show', 'promote/nobody/evt_none');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[RUN_NOT_FOUND]');
  });

  itReplaysEveryWorkflow(() => h);
});
