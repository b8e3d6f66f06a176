// The thin path, end to end, with real parts only: `tenure send` (the real CLI, as a
// child process) signs a hire event → the trigger server verifies it and signals
// Temporal (a real dev server) → the worker runs definitions/onboard-openai.yaml → the
// invite activity calls the emulator over HTTP → the outcome lands in the SQLite store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDefinitions } from '../../dsl/index.ts';
import { buildTriggerServer, genericSource } from '../../triggers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { allText, decodedText } from '../helpers/history.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const run = promisify(execFile);
const WEBHOOK_SECRET = 'whsec_dGhpcyBpcyBhIHRlc3Qgd2ViaG9vayBzZWNyZXQgMTIzNDU2';

describe('thin path: webhook → Temporal → OpenAI invite → results store', () => {
  let h: Harness;
  let temporal: Harness['temporal'];
  let emulator: Harness['emulator'];
  let store: Harness['store'];
  let app: ReturnType<typeof buildTriggerServer>;
  let config: Harness['config'];
  let url: string;
  let home: string;
  const log = memoryLogger();

  beforeAll(async () => {
    h = await startHarness({ name: 'thin-path', logger: log.logger, env: { TENURE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
    ({ temporal, emulator, store, config } = h);
    home = config.home;
    const { plans, problems } = loadDefinitions(['definitions']);
    expect(problems).toEqual([]);
    app = buildTriggerServer({
      client: temporal.client,
      taskQueue: config.taskQueue,
      sources: [genericSource(config.webhookSecret!)],
      plans: () => plans,
      logger: log.logger,
      // As `tenure serve` does: accepted event ids are remembered, so a redelivery is known.
      events: h.store,
    });
    url = (await app.listen({ host: '127.0.0.1', port: 0 })) + '/webhooks/generic';
  });

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  async function tenureSend(file: string) {
    const result = await run(process.execPath, ['bin/tenure.js', 'send', file, '--url', url], {
      env: { ...process.env, TENURE_WEBHOOK_SECRET: WEBHOOK_SECRET, TENURE_HOME: home },
    }).catch((error: { stdout: string; stderr: string; code: number }) => error);
    const [status, ...body] = result.stdout.trim().split(' ');
    return { status: Number(status), body: JSON.parse(body.join(' ')) as { duplicate: boolean; events: { runs: string[]; workflowId: string }[] } };
  }

  it('invites a hire whose start date has passed, records it, and ignores a redelivery', async () => {
    const eventFile = join(home, 'hire.json');
    const employeeId = `E-${Date.now()}`;
    const email = `ada.${employeeId.toLowerCase()}@example.com`;
    writeFileSync(
      eventFile,
      JSON.stringify({
        id: `evt_${employeeId}`,
        type: 'employee.hired',
        occurredAt: '2026-11-20T10:00:00Z',
        source: 'generic',
        employee: { id: employeeId, email, department: 'Engineering', employmentType: 'full_time', startDate: '2026-01-05', timezone: 'Europe/London' },
      }),
    );

    const first = await tenureSend(eventFile);
    expect(first.status).toBe(202);
    expect(first.body.duplicate).toBe(false);
    const [runId] = first.body.events[0]!.runs;
    expect(runId).toBe(`onboard-openai/${employeeId}/evt_${employeeId}`);
    expect(first.body.events[0]!.workflowId).toBe(`employee/generic/${employeeId}`);

    // The person's entity workflow closes once it has applied the event (and run its child).
    await temporal.client.workflow.getHandle(first.body.events[0]!.workflowId).result();
    const result = (await temporal.client.workflow.getHandle(runId!).result()) as DefinitionRunResult;
    expect(result.status).toBe('done');
    const invite = emulator.organization.listInvites().filter((i) => i.email === email);
    expect(invite).toHaveLength(1);
    expect(invite[0]).toMatchObject({ role: 'reader', status: 'pending' });
    expect(result.steps.find((s) => s.id === 'invite')).toMatchObject({ outcome: 'created', openaiIds: { inviteId: invite[0]!.id } });

    const audit = await store.audit({ employeeId });
    expect(audit.map((a) => [a.stepId, a.action, a.outcome])).toEqual([
      ['invite', 'openai.invite', 'created'],
      ['tell-it', 'notify', 'logged'],
    ]);
    expect(audit[0]).toMatchObject({ target: email, openaiIds: { inviteId: invite[0]!.id }, definition: 'onboard-openai', runId });
    // The identity map knows the invite, and what HR said.
    expect(await store.identity('generic', employeeId)).toMatchObject({ status: 'invited', inviteId: invite[0]!.id, hrStatus: 'employed', email });

    // The invite went over HTTP; the identity map knew this person from their HR event and held
    // no invite, so nothing walked the invite list before the create.
    const calls = emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls.filter((c) => c === 'POST /v1/organization/invites 200')).toHaveLength(1);
    expect(calls).not.toContain('GET /v1/organization/invites 200');

    const again = await tenureSend(eventFile);
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.events[0]!.runs).toEqual([runId]);
    expect(emulator.organization.listInvites().filter((i) => i.email === email)).toHaveLength(1);

    // The raw history holds no email (payloads are encrypted); decrypted, it does. The admin
    // key and the webhook secret appear in no log line and in no history, raw or decrypted.
    const raw = await temporal.client.workflow.getHandle(runId!).fetchHistory();
    expect(allText(raw)).not.toContain(email);
    const history = await decodedText(raw);
    expect(history).toContain(email); // the search does see inside decrypted payloads
    // The JSON logs at info and above carry ids (request, event, employee), no email.
    const infoLines = log.lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 30);
    const accepted = infoLines.find((line) => line.includes('delivery accepted'));
    expect(accepted).toContain(employeeId);
    expect(accepted).toContain('"reqId"');
    expect(infoLines.filter((line) => line.includes(email))).toEqual([]);
    for (const secret of [emulator.adminKey, WEBHOOK_SECRET]) {
      expect(log.lines.join('\n')).not.toContain(secret);
      expect(history).not.toContain(secret);
    }
  });

  itReplaysEveryWorkflow(() => h);
});
