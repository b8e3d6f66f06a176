// Every OpenAI action in one run on a real Temporal server, through the real worker, over
// HTTP to the emulator (Admin API and its SCIM service, each with its own secret). The
// wait for acceptance is watched from outside: between looks the activity is scheduled,
// not running, so it holds no worker slot. Afterwards the admin key and the SCIM token are
// searched for in every log line, in the run's history (payloads decoded) and in the
// results store (rows and raw database files).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';
import { loadConfig, type TenureConfig } from '../../config/index.ts';
import { loadDefinitionText } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

const ADMIN_KEY = 'sk-admin-flowtest-4f1c9a77e2b04d5c8a1b';
const SCIM_TOKEN = 'scim-flowtest-token-9b7e3c1d5a2f4e6b';

/** Every string in a value, with byte arrays (history payloads) decoded as UTF-8. */
function text(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return parts.join('\n');
}

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
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let worker: RunningWorker;
  let store: Store;
  let config: TenureConfig;
  let bundle: WorkflowBundleWithSourceMap;
  const log = memoryLogger();
  const runtimeLines: string[] = [];

  beforeAll(async () => {
    // Activity and worker logs go through the SDK's runtime logger: capture them at DEBUG.
    Runtime.install({ logger: new DefaultLogger('DEBUG', (entry) => runtimeLines.push(`${entry.level} ${entry.message} ${inspect(entry.meta, { depth: 8 })}`)) });
    bundle = await bundleWorkflows();
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0, adminKey: ADMIN_KEY, scimToken: SCIM_TOKEN });
    config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('openai-flow'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-openai-flow-')),
      OPENAI_ADMIN_KEY: ADMIN_KEY,
      OPENAI_BASE_URL: emulator.baseUrl,
      OPENAI_SCIM_BASE_URL: emulator.scimUrl,
      OPENAI_SCIM_TOKEN: SCIM_TOKEN,
      OPENAI_ACCEPTANCE_POLL_MS: '300',
    });
    store = await Store.open(config.store);
    worker = await startWorker(config, { logger: log.logger, connection: temporal.nativeConnection, bundle, store });
  });

  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

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

    // Between looks the wait is a scheduled retry, not a running activity.
    const pending = await until(
      async () => {
        const activity = (await handle.describe()).raw.pendingActivities?.[0];
        const waiting = activity?.activityType?.name === 'openaiAwaitAcceptance' && (activity.attempt ?? 0) >= 2 && activity.state === 1; // 1 = SCHEDULED
        return waiting ? activity : undefined;
      },
      30_000,
      'the acceptance wait to be between looks',
    );
    expect(pending.lastFailure?.applicationFailureInfo?.type).toBe('INVITE_NOT_YET_ACCEPTED');
    const invite = emulator.organization.listInvites().find((i) => i.email === 'ada@example.com')!;
    // The person clicks the email.
    const accepted = await fetch(`${emulator.url}/_emulator/invites/${invite.id}/accept`, { method: 'POST' });
    expect(accepted.status).toBe(200);
    const userId = ((await accepted.json()) as { user: { id: string } }).user.id;

    const result = (await handle.result()) as DefinitionRunResult;
    expect(result.status).toBe('done');
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
    const history = text(await handle.fetchHistory());
    const rows = JSON.stringify(audit);
    const files = [config.store.kind === 'sqlite' ? config.store.file : '']
      .flatMap((f) => [f, `${f}-wal`])
      .filter((f) => f && existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n');
    expect(runtimeLines.some((l) => l.includes('action done'))).toBe(true);
    expect(history).toContain('ada@example.com');
    expect(files).toContain('ada@example.com');
    for (const secret of [ADMIN_KEY, SCIM_TOKEN]) {
      expect({ where: 'logs', found: [...log.lines, ...runtimeLines].some((l) => l.includes(secret)) }).toEqual({ where: 'logs', found: false });
      expect({ where: 'history', found: history.includes(secret) }).toEqual({ where: 'history', found: false });
      expect({ where: 'store', found: rows.includes(secret) || files.includes(secret) }).toEqual({ where: 'store', found: false });
    }
  });
});
