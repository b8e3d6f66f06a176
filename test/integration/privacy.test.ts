// Nothing readable where no codec runs. On the real Temporal dev server, a hire, a
// departure, an approval and a parked run go through a Tenure worker whose payloads are
// encrypted; their raw histories, as `temporal workflow show --output json` prints them
// without a codec (and `temporal workflow describe` of the parked run while it waits),
// hold none of the person's email, first name, last name or manager's email, in any
// field, base64 or not. Through the codec endpoint (the trigger server's /codec, over
// HTTP, as the UI and CLI call it) the same histories decode to the full record. And a key
// rotates under a run in flight.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EncryptionCodec, newPayloadKeyEntry, parsePayloadKeys, tenureDataConverter } from '../../codec/index.ts';
import { loadConfig, requirePayloadKeys } from '../../config/index.ts';
import { requireTool } from '../../devstack/index.ts';
import type { Plan } from '../../dsl/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { startEmulator } from '../../emulator/index.ts';
import { Store } from '../../store/index.ts';
import { buildTriggerServer, codecEndpoint, decide, dispatch } from '../../triggers/index.ts';
import { bundleWorkflows, startWorker } from '../../workers/index.ts';
import type { RunState } from '../../workflows/index.ts';
import { employeeWorkflowId } from '../../workflows/shared.ts';
import { deliver, employee, hrEvent, resultOf, untilState } from '../helpers/engine.ts';
import { APPROVED_INVITE } from '../helpers/definitions.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';
import { temporalAddress, uniqueTaskQueue } from '../helpers/temporal.ts';

const exec = promisify(execFile);
const ADMIN_TOKEN = 'privacy-admin-token-0123456789';

const PLANS = `
name: onboard
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
  - id: tell-it
    action: notify
    with: { channel: it, text: "Invited \${{ employee.firstName }} \${{ employee.lastName }} <\${{ employee.email }}>" }
---
name: offboard
on: { event: employee.departed }
steps:
  - id: remove
    action: openai.remove
    with: { email: "\${{ employee.email }}" }
---
name: flaky
on: { event: employee.updated }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    retry: { maxAttempts: 2 }
`;

/** Every string of a JSON value, plus the UTF-8 of every string that is base64 (payload bytes, in protojson). */
function readableText(json: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      parts.push(v);
      if (v.length >= 4 && /^[A-Za-z0-9+/]+={0,2}$/.test(v)) parts.push(Buffer.from(v, 'base64').toString('utf8'));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(json);
  return parts.join('\n');
}

/** Every object under a key named `key`, anywhere in a JSON value. */
function under(json: unknown, key: string): unknown[] {
  const found: unknown[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (k === key) found.push(child);
        walk(child);
      }
    }
  };
  walk(json);
  return found;
}

const encodingOf = (payload: unknown) => Buffer.from((payload as { metadata?: { encoding?: string } }).metadata?.encoding ?? '', 'base64').toString();

describe('privacy: histories hold nothing readable without the codec', () => {
  let h: Harness;
  let app: ReturnType<typeof buildTriggerServer>;
  let codecUrl: string;
  let plans: Plan[];
  const log = memoryLogger();
  const cli = requireTool('temporal', process.env);
  const temporal = (...args: string[]) => exec(cli, [...args, '--address', temporalAddress(), '--output', 'json'], { maxBuffer: 64 * 1024 * 1024 }).then((r) => JSON.parse(r.stdout) as unknown);

  beforeAll(async () => {
    h = await startHarness({ name: 'privacy', logger: log.logger, env: { TENURE_ADMIN_TOKEN: ADMIN_TOKEN, TENURE_OPENAI_RATE_PER_SECOND: '50' } });
    plans = [...PLANS.split('\n---\n').map((text, i) => compilePlan(text, `privacy-${i}.yaml`)), compilePlan(APPROVED_INVITE, 'approved-invite.yaml')];
    app = buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: [], plans: () => plans, logger: log.logger, codec: codecEndpoint(h.config, requirePayloadKeys(h.config)) });
    codecUrl = `${await app.listen({ host: '127.0.0.1', port: 0 })}/codec`;
  });

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  /** A person with a record worth protecting. */
  function person(prefix: string) {
    const id = employee(prefix);
    const tag = id.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    return {
      id,
      email: `philippa.quennell.${tag}@example.com`,
      firstName: `Philippa${tag}`,
      lastName: `Quennell${tag}`,
      managerEmail: `marguerite.${tag}@example.com`,
    };
  }
  type Person = ReturnType<typeof person>;
  const eventFor = (type: HrEvent['type'], p: Person) =>
    hrEvent(type, p.id, { email: p.email, firstName: p.firstName, lastName: p.lastName, manager: { email: p.managerEmail }, department: 'Engineering' } as Partial<HrEvent['employee']>, new Date(Date.now() - 60_000));
  const pii = (p: Person) => [p.email, p.firstName, p.lastName, p.managerEmail];

  async function expectUnreadable(what: string, json: unknown, p: Person) {
    const text = readableText(json);
    // The search sees the history: the employee id (not personal data) is there in clear.
    expect({ what, hasEmployeeId: text.includes(p.id) }).toEqual({ what, hasEmployeeId: true });
    for (const value of pii(p)) expect({ what, found: text.includes(value) ? value : null }).toEqual({ what, found: null });
  }

  async function expectDecodable(workflowId: string, p: Person, fields: string[]) {
    const decoded = readableText(await temporal('workflow', 'show', '--workflow-id', workflowId, '--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${ADMIN_TOKEN}`));
    for (const value of fields) expect({ workflowId, decodedHas: value, found: decoded.includes(value) }).toEqual({ workflowId, decodedHas: value, found: true });
  }

  it('a hire, a departure, an approval and a parked run: raw histories unreadable, decoded through /codec to the full record', async () => {
    const hire = person('PH');
    const hired = eventFor('employee.hired', hire);
    await deliver(h, plans, hired);
    const hireRun = `onboard/${hire.id}/${hired.id}`;
    expect(await resultOf<{ status: string }>(h, hireRun)).toMatchObject({ status: 'done' });

    const departed = eventFor('employee.departed', hire);
    await deliver(h, plans, departed);
    const departureRun = `offboard/${hire.id}/${departed.id}`;
    expect(await resultOf<{ status: string }>(h, departureRun)).toMatchObject({ status: 'done' });

    const renewal = person('PA');
    const renewed = eventFor('contract.renewed', renewal);
    await deliver(h, plans, renewed);
    const approvalRun = `approved-invite/${renewal.id}/${renewed.id}`;
    await untilState(h, approvalRun, (s) => Boolean(s.awaitingApproval), 'wait for approval');
    // Only an approver the definition names may decide: the manager.
    await decide(h.temporal.client, approvalRun, 'approve', { by: renewal.managerEmail, reason: 'renewed for a year' });
    expect(await resultOf<{ status: string }>(h, approvalRun)).toMatchObject({ status: 'done' });

    const parked = person('PP');
    const transferred = eventFor('employee.updated', parked);
    h.emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 503, rate: 1, ms: 0, when: 'before' }] });
    await deliver(h, plans, transferred);
    const parkedRun = `flaky/${parked.id}/${transferred.id}`;
    await untilState(h, parkedRun, (s) => s.status === 'needs-attention', 'park');
    await expectUnreadable('parked run, described while parked', await temporal('workflow', 'describe', '--workflow-id', parkedRun), parked);
    await expectUnreadable('parked run, while parked', await temporal('workflow', 'show', '--workflow-id', parkedRun), parked);
    // The UI reads a run's current details with this query; its answer is encrypted too.
    const metadataQuery = await temporal('workflow', 'query', '--workflow-id', parkedRun, '--name', '__temporal_workflow_metadata');
    expect(readableText(metadataQuery)).not.toContain('Needs attention');
    const decodedQuery = readableText(await temporal('workflow', 'query', '--workflow-id', parkedRun, '--name', '__temporal_workflow_metadata', '--codec-endpoint', codecUrl, '--codec-auth', `Bearer ${ADMIN_TOKEN}`));
    expect(decodedQuery).toContain('**Needs attention**: step **invite**');
    h.emulator.faults.clear();
    await decide(h.temporal.client, parkedRun, 'retry', { by: 'ops-1', reason: 'OpenAI is back' });
    expect(await resultOf<{ status: string }>(h, parkedRun)).toMatchObject({ status: 'done' });

    const runs: [string, Person][] = [
      [hireRun, hire],
      [departureRun, hire],
      [employeeWorkflowId('generic', hire.id), hire],
      [approvalRun, renewal],
      [employeeWorkflowId('generic', renewal.id), renewal],
      [parkedRun, parked],
      [employeeWorkflowId('generic', parked.id), parked],
    ];
    for (const [workflowId, p] of runs) {
      await h.temporal.client.workflow.getHandle(workflowId).result().catch(() => undefined);
      await expectUnreadable(workflowId, await temporal('workflow', 'show', '--workflow-id', workflowId), p);
      await expectUnreadable(`${workflowId} (describe)`, await temporal('workflow', 'describe', '--workflow-id', workflowId), p);
    }

    // Why: the SDK passes user metadata (the run's static summary and details, activity and
    // timer summaries) through the payload codec, and the failure converter puts failure
    // messages into an encrypted payload.
    const hireHistory = await temporal('workflow', 'show', '--workflow-id', hireRun);
    const entityHistory = await temporal('workflow', 'show', '--workflow-id', employeeWorkflowId('generic', hire.id));
    const summaries = [...under(hireHistory, 'userMetadata'), ...under(entityHistory, 'userMetadata')].flatMap((m) => Object.values(m as object));
    expect(summaries.length).toBeGreaterThanOrEqual(3);
    expect(new Set(summaries.map(encodingOf))).toEqual(new Set(['binary/encrypted']));
    const parkedHistory = await temporal('workflow', 'show', '--workflow-id', parkedRun);
    const failures = under(parkedHistory, 'failure') as { message?: string; encodedAttributes?: unknown }[];
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(encodingOf(failure.encodedAttributes)).toBe('binary/encrypted');
    }

    // Through the codec: the run's input is the whole record again.
    await expectDecodable(hireRun, hire, pii(hire));
    await expectDecodable(approvalRun, renewal, pii(renewal));
    await expectDecodable(parkedRun, parked, [parked.email, parked.firstName]);
    await expectDecodable(departureRun, hire, [hire.email]);

    // The JSON logs (trigger server, worker, workflow and activity logs) at info and above: ids, no people.
    const infoLines = log.lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 30);
    expect(infoLines.some((line) => line.includes('action done') && line.includes('•••@example.com'))).toBe(true);
    for (const p of [hire, renewal, parked]) {
      for (const value of pii(p)) expect({ inLogs: value, lines: infoLines.filter((line) => line.includes(value)) }).toEqual({ inLogs: value, lines: [] });
    }
  }, 240_000);

  itReplaysEveryWorkflow(() => h);
});

describe('key rotation', () => {
  const log = memoryLogger();

  it('a run started under key A finishes after the workers and clients rotate to key B (B first, A kept to decrypt)', async () => {
    const [A, B] = [newPayloadKeyEntry('key-a'), newPayloadKeyEntry('key-b')];
    const bundle = await bundleWorkflows();
    const emulator = await startEmulator({ port: 0 });
    const connection = await Connection.connect({ address: temporalAddress() });
    const native = await NativeConnection.connect({ address: temporalAddress() });
    const env = (keys: string) => loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: taskQueue,
      TENURE_HOME: home,
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_PAYLOAD_KEYS: keys,
    });
    const taskQueue = uniqueTaskQueue('rotation');
    const home = mkdtempSync(join(tmpdir(), 'tenure-rotation-'));
    const store = await Store.open(env(A).store);
    const plan = compilePlan(APPROVED_INVITE, 'approved-invite.yaml');
    const p = { id: employee('PR'), email: 'rotation.person@example.com' };
    const event = hrEvent('contract.renewed', p.id, { email: p.email, manager: { email: 'rotation.manager@example.com' } } as Partial<HrEvent['employee']>);
    const runId = `approved-invite/${p.id}/${event.id}`;
    const keyIds = (history: unknown) => new Set(under(history, 'metadata').map((m) => (m as Record<string, Uint8Array>)['encryption-key-id']).filter(Boolean).map((id) => Buffer.from(id as Uint8Array).toString()));
    let worker = await startWorker(env(A), { logger: log.logger, connection: native, bundle, store });
    try {
      const underA = new Client({ connection, dataConverter: tenureDataConverter(parsePayloadKeys(A)) });
      await dispatch(underA, taskQueue, [plan], event);
      await eventually(async () => ((await underA.workflow.getHandle(runId).query<RunState>('status')).awaitingApproval ? true : undefined), 60_000, 'the approval to wait');
      expect(keyIds(await underA.workflow.getHandle(runId).fetchHistory())).toEqual(new Set(['key-a']));
      await worker.shutdown();

      // Rotation: every worker and client gets B,A. New payloads are encrypted with B.
      worker = await startWorker(env(`${B},${A}`), { logger: log.logger, connection: native, bundle, store });
      const rotated = new Client({ connection, dataConverter: tenureDataConverter(parsePayloadKeys(`${B},${A}`)) });
      await decide(rotated, runId, 'approve', { by: 'rotation.manager@example.com', reason: 'after the rotation' });
      expect(await rotated.workflow.getHandle(runId).result()).toMatchObject({ status: 'done' });
      expect(emulator.organization.listInvites().map((i) => i.email)).toEqual([p.email]);
      expect(keyIds(await rotated.workflow.getHandle(runId).fetchHistory())).toEqual(new Set(['key-a', 'key-b']));
      // A client that holds only B can no longer read what A encrypted: the key named, its bytes not.
      const [started] = (await rotated.workflow.getHandle(runId).fetchHistory()).events ?? [];
      const input = started!.workflowExecutionStartedEventAttributes!.input!.payloads!;
      await expect(new EncryptionCodec(parsePayloadKeys(B)).decode(input)).rejects.toThrow(/key 'key-a', which TENURE_PAYLOAD_KEYS does not hold/);
    } finally {
      await worker.shutdown();
      await store.close();
      await native.close();
      await connection.close();
      await emulator.close();
    }
  }, 180_000);
});
