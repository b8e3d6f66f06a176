// Every OpenAI action in one run on a real Temporal server, through the real worker, over
// HTTP to the emulator (Admin API and its SCIM service, each with its own secret). The
// wait for acceptance is watched from outside: between looks the activity is scheduled,
// not running, so it holds no worker slot. Afterwards the admin key and the SCIM token are
// searched for in every log line, in the run's history (raw, and with its payloads
// decrypted) and in the results store (rows and raw database files). The raw history holds
// no email: payloads are encrypted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { loadDefinitionText } from '../../dsl/index.ts';
import type { HrEvent } from '../../events/index.ts';
import type { DefinitionRunResult, RunState } from '../../workflows/index.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { allText, decodedText } from '../helpers/history.ts';
import { memoryLogger } from '../helpers/logger.ts';

const ADMIN_KEY = 'sk-admin-flowtest-4f1c9a77e2b04d5c8a1b';
const SCIM_TOKEN = 'scim-flowtest-token-9b7e3c1d5a2f4e6b';

/** Polls a condition (not a fixed sleep): resolves as soon as it holds, fails after `ms`. */
async function until<T>(probe: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

describe('a full OpenAI lifecycle on Temporal, and no secret anywhere', () => {
  let h: Harness;
  let temporal: Harness['temporal'];
  let emulator: Harness['emulator'];
  let store: Harness['store'];
  let config: Harness['config'];
  const log = memoryLogger();
  const runtimeLines: string[] = [];

  beforeAll(async () => {
    // Activity and worker logs go through the SDK's runtime logger: capture them at DEBUG.
    Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => runtimeLines.push(`${entry.level} ${entry.message} ${inspect(entry.meta, { depth: 8 })}`)) });
    h = await startHarness({
      name: 'openai-flow',
      logger: log.logger,
      emulator: { adminKey: ADMIN_KEY, scimToken: SCIM_TOKEN },
      env: { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_SCIM_TOKEN: SCIM_TOKEN, OPENAI_ACCEPTANCE_POLL_MS: '300' },
      scimFromEmulator: true,
    });
    ({ temporal, emulator, store, config } = h);
  });

  afterAll(() => h?.close());

  it('invites, waits for acceptance, promotes, joins and leaves a project, provisions and deactivates over SCIM, removes', async () => {
    const project = emulator.organization.createProject({ name: 'Research' });
    const { plan, problems } = loadDefinitionText(
      `
name: full-lifecycle
on: { event: employee.hired }
steps:
  - { id: invite, action: openai.invite, with: { email: "\${{ employee.email }}", role: reader, projects: [] } }
  - { id: accepted, action: openai.awaitAcceptance, with: { email: "\${{ employee.email }}", timeout: 1h } }
  - { id: promote, action: openai.setRole, with: { email: "\${{ employee.email }}", role: owner } }
  - { id: join, action: openai.addToProject, with: { email: "\${{ employee.email }}", projectId: ${project.id}, role: member } }
  - { id: leave, action: openai.removeFromProject, with: { email: "\${{ employee.email }}", projectId: ${project.id} } }
  - { id: outsider, action: openai.setRole, with: { email: nobody@example.com, role: reader }, continueOnError: true }
  - { id: scim-on, action: openai.scim.provision, with: { userName: "\${{ employee.email }}", givenName: Ada } }
  - { id: scim-off, action: openai.scim.deactivate, with: { userName: "\${{ employee.email }}" } }
  - { id: remove, action: openai.remove, with: { email: "\${{ employee.email }}" } }
`,
      'full-lifecycle.yaml',
    );
    expect(problems).toEqual([]);
    const event: HrEvent = {
      id: `evt_flow_${Date.now()}`,
      type: 'employee.hired',
      occurredAt: new Date().toISOString(),
      source: 'generic',
      employee: { id: 'E-ADA', email: 'ada@example.com', firstName: 'Ada' },
    };
    const handle = await temporal.client.workflow.start('definitionRun', {
      taskQueue: config.taskQueue,
      workflowId: `full-lifecycle/E-ADA/${event.id}`,
      args: [{ plan: plan!, event }],
    });

    // The wait shows as waiting: the run's status and details, and a child workflow that looks,
    // then sleeps on a timer (a minute at first, here capped at the configured 300 ms).
    const waiting = await until(
      async () => {
        const state = await handle.query<RunState>('status');
        return state.status === 'waiting' && state.currentStep === 'accepted' ? state : undefined;
      },
      30_000,
      'the run to wait for acceptance',
    );
    expect(waiting.status).toBe('waiting');
    const meta = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(meta.currentDetails).toMatch(/waiting for ada@example\.com to accept the invite `invite-\w+` sent \d{4}-\d\d-\d\dT[^;]+; next look at \d{4}-/);
    const child = temporal.client.workflow.getHandle(`${handle.workflowId}/accepted/acceptance`);
    const looks = async () => ((await child.fetchHistory()).events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
    await until(async () => ((await looks()) >= 2 ? true : undefined), 30_000, 'the child workflow to look twice');
    const childMeta = await child.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(childMeta.currentDetails).toMatch(/^Waiting for ada@example\.com to accept the invite `invite-\w+` sent .+; next look at \d{4}-/);
    const invite = emulator.organization.listInvites().find((i) => i.email === 'ada@example.com')!;
    // The person clicks the email.
    const accepted = await fetch(`${emulator.url}/_emulator/invites/${invite.id}/accept`, { method: 'POST' });
    expect(accepted.status).toBe(200);
    const userId = ((await accepted.json()) as { user: { id: string } }).user.id;

    const result = (await handle.result()) as DefinitionRunResult;
    expect(result.status).toBe('done');
    // No failing attempt anywhere: every look is one successful activity, the pauses are timers.
    const childEvents = (await child.fetchHistory()).events ?? [];
    expect(childEvents.filter((e) => e.activityTaskFailedEventAttributes)).toEqual([]);
    expect(childEvents.map((e) => e.activityTaskStartedEventAttributes?.attempt).filter((n) => typeof n === 'number' && n > 1)).toEqual([]);
    const scheduled = ((await handle.fetchHistory()).events ?? []).map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toContain('openaiLookForAcceptance');
    expect(scheduled).not.toContain('openaiAwaitAcceptance');
    expect((await child.describe()).status.name).toBe('COMPLETED');
    expect(result.steps.map((s) => [s.id, s.outcome])).toEqual([
      ['invite', 'created'],
      ['accepted', 'noop'],
      ['promote', 'updated'],
      ['join', 'created'],
      ['leave', 'removed'],
      ['outsider', 'failed'],
      ['scim-on', 'created'],
      ['scim-off', 'updated'],
      // SCIM deactivation already removed the member (the emulator's mapping): nothing left to remove.
      ['remove', 'noop'],
    ]);
    expect(result.steps[1]!.openaiIds).toEqual({ userId, inviteId: invite.id });
    expect(result.steps[5]!.error?.type).toBe('OPENAI_NOT_A_MEMBER');
    expect(emulator.organization.users.size).toBe(0);

    const audit = await store.audit({ runId: handle.workflowId });
    expect(audit.map((a) => [a.stepId, a.outcome, a.errorType])).toEqual(result.steps.map((s) => [s.id, s.outcome, s.error?.type ?? null]));
    expect(audit.find((a) => a.stepId === 'accepted')!.openaiIds).toEqual({ userId, inviteId: invite.id });

    // The SCIM service was called with its own token, the Admin API with the admin key.
    const calls = emulator.requests.map((r) => `${r.method} ${r.path.replace(/\/Users\/.+$/, '/Users/:id')} ${r.status}`);
    expect(calls).toEqual(expect.arrayContaining(['POST /v1/scim/v2/Users 201', 'PATCH /v1/scim/v2/Users/:id 200', 'POST /v1/organization/invites 200']));
    expect(calls.filter((c) => c.endsWith(' 401'))).toEqual([]);

    // No secret in logs, history or store.
    const raw = await handle.fetchHistory();
    const history = await decodedText(raw);
    const rows = JSON.stringify(audit);
    const files = [config.store.kind === 'sqlite' ? config.store.file : '']
      .flatMap((f) => [f, `${f}-wal`])
      .filter((f) => f && existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    expect(runtimeLines.some((l) => l.includes('action done'))).toBe(true);
    // Activity and workflow logs at INFO and above name the person by a masked address only.
    const infoAndAbove = runtimeLines.filter((l) => /^(INFO|WARN|ERROR)\b/.test(l));
    expect(infoAndAbove.some((l) => l.includes('action done') && l.includes('a•••@example.com'))).toBe(true);
    expect(infoAndAbove.filter((l) => l.includes('ada@example.com'))).toEqual([]);
    expect(allText(raw)).not.toContain('ada@example.com');
    expect(history).toContain('ada@example.com'); // the search does see inside decrypted payloads
    expect(files).toContain('ada@example.com');
    for (const secret of [ADMIN_KEY, SCIM_TOKEN]) {
      expect({ where: 'logs', found: [...log.lines, ...runtimeLines].some((l) => l.includes(secret)) }).toEqual({ where: 'logs', found: false });
      expect({ where: 'history', found: history.includes(secret) }).toEqual({ where: 'history', found: false });
      expect({ where: 'store', found: rows.includes(secret) || files.includes(secret) }).toEqual({ where: 'store', found: false });
    }
  });

  itReplaysEveryWorkflow(() => h);
});
