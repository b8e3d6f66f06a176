// What operators do to runs, on the real Temporal dev server with real activities: a step
// that fails for good parks its run as needs-attention (search attribute, status query,
// current details); `tenure retry` (the real CLI, as a child process) re-runs only that
// step once the emulator stops failing; skip and abort over the admin HTTP endpoints;
// approvals granted with `tenure approve` and rejected over HTTP; `tenure runs` from
// Temporal visibility. Refusals carry codes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Plan } from '../../dsl/index.ts';
import { buildTriggerServer, operatorAuthenticator, type RunSummary } from '../../triggers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { employeeWorkflowId } from '../../workflows/shared.ts';
import { activitySpans, dateIn, deliver, employee, hrEvent, invitesFor, resultOf, run, shownStatus, supersededRun, untilState } from '../helpers/engine.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { eventually } from '../helpers/process.ts';
import { temporalAddress } from '../helpers/temporal.ts';
import { APPROVED_INVITE, PROMOTE } from '../helpers/definitions.ts';

const exec = promisify(execFile);
const ADMIN_TOKEN = 'test-admin-token-0123456789';
// Operators of the admin API, each known by the sha256 of their token (the file never holds a token).
const OPS_TOKEN = 'ops-token-0123456789abcdef';
const GRACE_TOKEN = 'grace-token-0123456789abcdef';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const OPERATORS_FILE = join(mkdtempSync(join(tmpdir(), 'tenure-operators-')), 'operators.yaml');
writeFileSync(
  OPERATORS_FILE,
  `operators:\n  - email: ops@example.com\n    token_sha256: ${sha256(OPS_TOKEN)}\n  - email: grace@example.com\n    token_sha256: ${sha256(GRACE_TOKEN).toUpperCase()}\n`,
);

const FLAKY_INVITE = `
name: invite-flaky
on: { event: employee.hired }
steps:
  - id: tell-before
    action: notify
    with: { channel: it, text: "inviting \${{ employee.email }}" }
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    retry: { maxAttempts: 2 }
  - id: tell-after
    action: notify
    with: { channel: it, text: "invited \${{ employee.email }}" }
`;

const SELF_APPROVING = `
name: self-approving
on: { event: employee.updated }
steps:
  - id: ask
    approval: { approvers: [it-desk], timeout: 2s, onTimeout: approve }
  - id: go
    if: steps.ask.output.approved
    then:
      - id: tell
        action: notify
        with: { channel: it, text: "nobody objected" }
`;

describe('operating runs (real Temporal, real CLI, admin HTTP)', () => {
  let h: Harness;
  let plans: Plan[];
  let app: ReturnType<typeof buildTriggerServer>;
  const log = memoryLogger();
  const ago = (m: number) => new Date(Date.now() - m * 60_000);

  beforeAll(async () => {
    h = await startHarness({ name: 'engine-operator', logger: log.logger, env: { TENURE_ADMIN_TOKEN: ADMIN_TOKEN, TENURE_OPERATORS_FILE: OPERATORS_FILE } });
    plans = [compilePlan(FLAKY_INVITE), compilePlan(PROMOTE), compilePlan(APPROVED_INVITE), compilePlan(SELF_APPROVING)];
    app = buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: [], plans: () => plans, logger: log.logger, audit: { store: h.store, authenticate: operatorAuthenticator(h.config) } });
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  /** `npx tenure …` against the test's Temporal server. */
  async function tenure(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TENURE_HOME: h.config.home, TENURE_LOG_LEVEL: 'silent', TENURE_OPERATOR: 'oncall@example.com', TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS };
    return exec(process.execPath, ['bin/tenure.js', ...args], { env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }
  const admin = (method: 'GET' | 'POST', url: string, body?: unknown, token = OPS_TOKEN) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });

  it('parks a step that fails for good; `tenure retry` re-runs only that step, once OpenAI answers again', async () => {
    const id = employee();
    const hire = hrEvent('employee.hired', id, { startDate: dateIn(-1) }, ago(1));
    const runId = `invite-flaky/${id}/${hire.id}`;
    // OpenAI is down for longer than the step's two attempts.
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 503, rate: 1, ms: 0, when: 'before' }] });
    try {
      await deliver(h, [plans[0]!], hire);
      const parked = await untilState(h, runId, (s) => s.status === 'needs-attention', 'park');
      expect(parked.attention).toMatchObject({ step: 'invite', kind: 'action', error: { type: 'OPENAI_UNAVAILABLE' }, attempts: 1, skippable: true });
      expect(await shownStatus(h, runId)).toBe('needs-attention');
      const metadata = await run(h, runId).query<{ currentDetails: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain('**Needs attention**: step **invite**');

      // Operators find it with `tenure runs`, and a decision that cannot apply is refused.
      const listed = await eventually(async () => {
        const { stdout } = await tenure('runs', '--status', 'needs-attention', '--employee', id, '--json');
        const runs = JSON.parse(stdout) as RunSummary[];
        return runs.length > 0 ? runs : undefined;
      }, 30_000, '`tenure runs` to list the parked run');
      expect(listed).toEqual([expect.objectContaining({ workflowId: runId, status: 'needs-attention', definition: 'invite-flaky' })]);
      // The run itself refuses: it waits for no approval, and skip needs a reason.
      const refused = await tenure('approve', runId, '--as', 'ops@example.com');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('[NO_PENDING_APPROVAL]');
      expect(refused.stderr).toContain('is not waiting for an approval');
      const noReason = await tenure('skip', runId, '--as', 'ops@example.com');
      expect([noReason.code, noReason.stderr]).toEqual([1, expect.stringContaining('[REASON_REQUIRED]')]);

      // A retry while OpenAI is still down fails again and parks again.
      expect((await tenure('retry', runId, '--as', 'ops@example.com', '--reason', 'try again')).code).toBe(0);
      await untilState(h, runId, (s) => s.status === 'needs-attention' && s.attention?.attempts === 2, 'park again');
      h.emulator.faults.clear();
      const retried = await tenure('retry', runId, '--reason', 'OpenAI is back'); // as TENURE_OPERATOR
      expect(retried).toMatchObject({ code: 0, stdout: expect.stringContaining("retry of step 'invite'") });
      const result = await resultOf<DefinitionRunResult>(h, runId);
      expect(result.steps.map((s) => `${s.id} ${s.outcome}${s.attempts ? ` ×${s.attempts}` : ''}`)).toEqual(['tell-before logged', 'invite created ×3', 'tell-after logged']);
    } finally {
      h.emulator.faults.clear();
    }
    // Earlier steps were not redone: one notify before, three tries of the invite (two attempts each but the last).
    const activities = (await activitySpans(run(h, runId))).map((s) => s.type).filter((t) => t !== 'recordOutcome');
    expect(activities).toEqual(['notify', 'openaiInvite', 'openaiInvite', 'openaiInvite', 'notify']);
    expect(invitesFor(h, hire.employee.email)).toHaveLength(1);
    const audit = await h.store.audit({ runId });
    expect(audit.map((a) => [a.stepId, a.action, a.outcome, a.actor, a.reason])).toEqual([
      ['tell-before', 'notify', 'logged', null, null],
      ['invite', 'openai.invite', 'failed', null, null],
      ['invite', 'retry', 'noop', 'ops@example.com', 'try again'],
      ['invite', 'openai.invite', 'failed', null, null],
      ['invite', 'retry', 'noop', 'oncall@example.com', 'OpenAI is back'],
      ['invite', 'openai.invite', 'created', null, null],
      ['tell-after', 'notify', 'logged', null, null],
    ]);
    expect(audit[1]).toMatchObject({ errorType: 'OPENAI_UNAVAILABLE' });
    // `tenure audit` shows who decided and why.
    const printed = await tenure('audit', '--employee', id);
    expect(printed.stdout).toContain('by ops@example.com (try again)');
    expect(printed.stdout).toContain('by oncall@example.com (OpenAI is back)');
    expect(audit[4]!.errorMessage).toContain('OpenAI is back');
    await run(h, employeeWorkflowId('generic', id)).result();
  });

  it('skip and abort over HTTP, by the authenticated operator; refusals carry the run\'s codes', async () => {
    const id = employee();
    // setRole on someone who is not a member is refused by OpenAI for good.
    const skipped = hrEvent('employee.updated', id, {}, ago(2));
    const skippedRun = `promote/${id}/${skipped.id}`;
    await deliver(h, [plans[1]!], skipped);
    await untilState(h, skippedRun, (s) => s.status === 'needs-attention', 'park');
    const path = (workflowId: string, decision = '') => `/admin/runs/${workflowId}${decision ? `/${decision}` : ''}`;

    expect((await admin('POST', path(skippedRun, 'skip'), { reason: 'x' }, 'wrong-token-0123456789')).statusCode).toBe(401);
    // The actor is whoever the token authenticates, never a field of the body.
    expect((await admin('POST', path(skippedRun, 'skip'), { by: 'someone-else@example.com', reason: 'x' })).json()).toMatchObject({ error: { code: 'INVALID_DECISION', param: 'by' } });
    const noReason = await admin('POST', path(skippedRun, 'skip'), {});
    expect([noReason.statusCode, noReason.json()]).toEqual([400, { error: expect.objectContaining({ code: 'REASON_REQUIRED' }) }]);
    const notWaiting = await admin('POST', path(skippedRun, 'approve'), {});
    expect([notWaiting.statusCode, notWaiting.json()]).toEqual([409, { error: expect.objectContaining({ code: 'NO_PENDING_APPROVAL' }) }]);
    expect((await admin('POST', path('promote/nobody/evt_none', 'retry'), {})).statusCode).toBe(404);
    const described = await admin('GET', path(skippedRun));
    expect(described.json()).toMatchObject({ run: { workflowId: skippedRun, status: 'needs-attention' }, state: { attention: { step: 'make-owner', error: { type: 'OPENAI_NOT_A_MEMBER' } } } });

    const skip = await admin('POST', path(skippedRun, 'skip'), { reason: 'not a member yet; nothing to promote' });
    expect(skip.statusCode).toBe(200);
    expect(skip.json()).toEqual({ accepted: true, workflowId: skippedRun, decision: 'skip', step: 'make-owner', by: 'ops@example.com' });
    const result = await resultOf<DefinitionRunResult>(h, skippedRun);
    expect(result.steps).toEqual([
      expect.objectContaining({ id: 'make-owner', outcome: 'skipped', error: expect.objectContaining({ type: 'OPENAI_NOT_A_MEMBER' }), skippedBy: { by: 'ops@example.com', reason: 'not a member yet; nothing to promote' } }),
      expect.objectContaining({ id: 'tell', outcome: 'logged' }),
    ]);
    expect((await admin('POST', path(skippedRun, 'retry'), {})).json()).toMatchObject({ error: { code: 'RUN_CLOSED' } });
    expect(await h.store.audit({ runId: skippedRun })).toEqual(
      expect.arrayContaining([expect.objectContaining({ stepId: 'make-owner', action: 'skip', actor: 'ops@example.com', reason: 'not a member yet; nothing to promote' })]),
    );

    const aborted = hrEvent('employee.updated', id, {}, ago(1));
    const abortedRun = `promote/${id}/${aborted.id}`;
    await deliver(h, [plans[1]!], aborted);
    await untilState(h, abortedRun, (s) => s.status === 'needs-attention', 'park');
    // TENURE_ADMIN_TOKEN keeps working, as the operator `admin`.
    expect((await admin('POST', path(encodeURIComponent(abortedRun), 'abort'), { reason: 'promoted by hand' }, ADMIN_TOKEN)).statusCode).toBe(200);
    const failure = await run(h, abortedRun).result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('RUN_ABORTED');
    expect((cause.cause as ApplicationFailure).type).toBe('OPENAI_NOT_A_MEMBER');
    expect(await shownStatus(h, abortedRun)).toBe('failed');
    expect(await h.store.audit({ runId: abortedRun })).toEqual([
      expect.objectContaining({ stepId: 'make-owner', action: 'openai.setRole', outcome: 'failed', errorType: 'OPENAI_NOT_A_MEMBER' }),
      expect.objectContaining({ stepId: 'make-owner', action: 'abort', outcome: 'failed', actor: 'admin', reason: 'promoted by hand' }),
    ]);

    const listed = await eventually(async () => {
      const { runs } = (await admin('GET', `/admin/runs?employee=${id}`)).json() as { runs: RunSummary[] };
      return runs.length === 2 && runs.every((r) => r.closeTime) ? runs : undefined;
    }, 30_000, 'both runs closed in visibility');
    expect(listed.map((r) => [r.workflowId, r.status]).sort()).toEqual([[abortedRun, 'failed'], [skippedRun, 'done']].sort());
    expect((await admin('GET', '/admin/runs?status=sleeping')).json()).toMatchObject({ error: { code: 'INVALID_FILTER' } });
    expect((await admin('GET', `/admin/runs?employee=${encodeURIComponent("x' OR 1=1")}`)).json()).toMatchObject({ error: { code: 'INVALID_FILTER' } });
    await run(h, employeeWorkflowId('generic', id)).result();
  });

  it('approvals: granted with `tenure approve`, rejected over HTTP, or decided by the timeout; always recorded with who and why', async () => {
    const id = employee();
    const manager = { email: 'grace@example.com' };
    const first = hrEvent('contract.renewed', id, { manager }, ago(3));
    const second = hrEvent('contract.renewed', id, { manager }, ago(2));
    await deliver(h, [plans[2]!], first);
    await deliver(h, [plans[2]!], second);
    const [granted, rejected] = [`approved-invite/${id}/${first.id}`, `approved-invite/${id}/${second.id}`];
    for (const runId of [granted, rejected]) {
      const waiting = await untilState(h, runId, (s) => s.awaitingApproval !== null, 'ask for approval');
      expect(waiting.awaitingApproval).toMatchObject({ step: 'ask', approvers: ['grace@example.com'] });
    }
    // Only the approvers listed may decide: not another operator, not the admin token, not another CLI user.
    for (const token of [OPS_TOKEN, ADMIN_TOKEN]) {
      const refused = await admin('POST', `/admin/runs/${rejected}/reject`, { reason: 'not mine to decide' }, token);
      expect([refused.statusCode, refused.json()]).toEqual([403, { error: expect.objectContaining({ code: 'NOT_AN_APPROVER', message: expect.stringContaining('grace@example.com') }) }]);
    }
    const stranger = await tenure('approve', granted, '--as', 'mallory@example.com');
    expect([stranger.code, stranger.stderr]).toEqual([1, expect.stringContaining('[NOT_AN_APPROVER]')]);
    const approved = await tenure('approve', granted, '--as', 'Grace@Example.com', '--reason', 'renewed for a year');
    expect(approved).toMatchObject({ code: 0, stdout: expect.stringContaining("approved step 'ask' (by Grace@Example.com)") });
    const refusedByGrace = await admin('POST', `/admin/runs/${rejected}/reject`, { reason: 'duplicate renewal' }, GRACE_TOKEN);
    expect([refusedByGrace.statusCode, refusedByGrace.json()]).toEqual([200, { accepted: true, workflowId: rejected, decision: 'reject', step: 'ask', by: 'grace@example.com' }]);
    const [yes, no] = await Promise.all([resultOf<DefinitionRunResult>(h, granted), resultOf<DefinitionRunResult>(h, rejected)]);
    expect(yes.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask approved', 'go then', 'invite created']);
    expect(no.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask rejected', 'go else']);
    const audit = await h.store.audit({ employeeId: id });
    expect(audit.filter((a) => a.action === 'approval').map((a) => [a.runId, a.outcome, a.actor, a.reason])).toEqual([
      [granted, 'approved', 'Grace@Example.com', 'renewed for a year'],
      [rejected, 'rejected', 'grace@example.com', 'duplicate renewal'],
    ]);
    // Decided once: a second decision is refused by the run, or by Temporal once it has ended.
    const again = await admin('POST', `/admin/runs/${rejected}/approve`, {}, GRACE_TOKEN);
    expect(['NO_PENDING_APPROVAL', 'RUN_CLOSED']).toContain((again.json() as { error: { code: string } }).error.code);
    await run(h, employeeWorkflowId('generic', id)).result();

    // Nobody answers within the (short) timeout: onTimeout decides, and the audit says `timeout`.
    const unanswered = hrEvent('employee.updated', id, {}, ago(1));
    await deliver(h, [plans[3]!], unanswered);
    const timedOut = await resultOf<DefinitionRunResult>(h, `self-approving/${id}/${unanswered.id}`);
    expect(timedOut.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask approved', 'go then', 'tell logged']);
    expect(timedOut.steps[0]!.approval).toMatchObject({ approved: true, by: null, timedOut: true });
    expect(await h.store.audit({ runId: `self-approving/${id}/${unanswered.id}` })).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'approval', outcome: 'approved', target: 'timeout', actor: null, reason: expect.stringContaining('no decision within') })]));
  });

  it('a departure supersedes a parked onboarding', async () => {
    const id = employee();
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 400, rate: 1, ms: 0, when: 'before' }] });
    try {
      const hire = hrEvent('employee.hired', id, {}, ago(2));
      await deliver(h, [plans[0]!], hire);
      const runId = `invite-flaky/${id}/${hire.id}`;
      await untilState(h, runId, (s) => s.status === 'needs-attention', 'park');
      await deliver(h, [plans[0]!], hrEvent('employee.departed', id, {}, ago(1)));
      expect(await supersededRun(h, runId)).toMatchObject({ status: 'superseded' });
      expect(await shownStatus(h, runId)).toBe('superseded');
      const rows = await h.store.audit({ runId });
      expect(rows.at(-1)).toMatchObject({ outcome: 'superseded', stepId: 'invite', errorMessage: expect.stringContaining('Actions it had taken stay recorded') });
    } finally {
      h.emulator.faults.clear();
    }
  });

  itReplaysEveryWorkflow(() => h);
});
