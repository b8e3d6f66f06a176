// The trigger server end to end with real parts: vendor-signed deliveries over HTTP →
// adapters → Temporal (real dev server) → runs on a real worker → invites in the
// emulator. The one stand-in is the BambooHR enricher, a small in-memory directory in
// place of BambooHR's API, which cannot run here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Enricher } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import type { Employee, EventType } from '../../events/index.ts';
import { bamboohrSource, genericSource, hibobSource, signBambooHr, signGeneric, signHiBob } from '../../triggers/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import type { DefinitionRunResult, RunState } from '../../workflows/index.ts';
import { employeeWorkflowId } from '../../workflows/shared.ts';
import { decodedText } from '../helpers/history.ts';
import { eventually } from '../helpers/process.ts';
import { plan, post, startHarness, unique, type Harness } from './triggers-harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const run = promisify(execFile);
const GENERIC_SECRET = new Secret('whsec_dGhpcyBpcyB0aGUgdHJpZ2dlcnMgdGVzdCBzZWNyZXQ=');
const BAMBOO_SECRET = new Secret('bamboo-private-key-for-tests');
const BOB_SECRET = new Secret('hibob-secret-for-the-tests');
/** A HiBob `triggeredAt` of now (older deliveries are refused as replays), in Bob's zone-less format. */
const fresh = () => new Date().toISOString().replace('Z', '');

const plans = [
  plan('onboard', { event: 'employee.hired', if: 'employee.employmentType != "intern"' }, [
    { id: 'invite', action: 'openai.invite', with: { email: '${{ employee.email }}', role: 'reader' } },
  ]),
  plan('offboard', { event: 'employee.departed' }, [{ id: 'tell-it', action: 'notify', with: { channel: 'it', text: 'Departed ${{ employee.email }}' } }]),
  plan('on-update', { event: 'employee.updated' }, [{ id: 'tell-it', action: 'notify', with: { channel: 'it', text: 'Updated ${{ employee.email }}' } }]),
];

/** BambooHR's API, as far as the tests need it: people by id, and whether each has left. */
const directory = new Map<string, { employee: Partial<Employee>; type?: EventType }>();
const bambooEnricher: Enricher = {
  vendor: 'bamboohr',
  async enrich(event) {
    const found = directory.get(event.employee.id);
    if (!found) throw new Error(`no employee ${event.employee.id} in the test directory`);
    return found;
  },
};

describe('trigger server with real Temporal', () => {
  let bundle: WorkflowBundleOption;
  let h: Harness;
  const url = (source: string) => `${h.baseUrl}/webhooks/${source}`;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    h = await startHarness({
      bundle,
      plans,
      sources: [genericSource(GENERIC_SECRET), bamboohrSource({ secrets: [BAMBOO_SECRET] }), hibobSource({ secrets: [BOB_SECRET] })],
      enrichers: [bambooEnricher],
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A run's result, once the person's entity workflow (which starts it) has applied the event. */
  async function result(runId: string): Promise<DefinitionRunResult> {
    const [, employeeId, eventId] = runId.split('/');
    // Vendor event ids start with their source's name; generic ones are the sender's.
    const source = ['bamboohr', 'hibob'].find((s) => eventId?.startsWith(`${s}_`)) ?? 'generic';
    await h.temporal.client.workflow.getHandle(`employee/${source}/${employeeId}`).result();
    return h.temporal.client.workflow.getHandle(runId).result() as Promise<DefinitionRunResult>;
  }
  const invitesFor = (email: string) => h.emulator.organization.listInvites().filter((i) => i.email === email);

  function generic(event: Record<string, unknown>) {
    const body = JSON.stringify(event);
    return post(url('generic'), body, { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, String(event.id), body) });
  }
  function bamboo(payload: unknown) {
    const body = JSON.stringify(payload);
    return post(url('bamboohr'), body, { 'content-type': 'application/json', ...signBambooHr(BAMBOO_SECRET, body) });
  }
  function bob(payload: unknown) {
    const body = JSON.stringify(payload);
    return post(url('hibob'), body, { 'content-type': 'application/json', ...signHiBob(BOB_SECRET, body) });
  }

  it('generic: 202 with the run ids once Temporal has it, 200 with the same ids for a redelivery', async () => {
    const id = unique('E');
    const event = { id: `evt_${id}`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: `${id}@example.com`, employmentType: 'full_time' } };
    const first = await generic(event);
    expect(first.status).toBe(202);
    expect(first.headers['x-request-id']).toEqual(expect.any(String));
    expect(first.json.events).toEqual([expect.objectContaining({ outcome: 'accepted', workflowId: `employee/generic/${id}`, runs: [`onboard/${id}/evt_${id}`] })]);
    expect((await result(`onboard/${id}/evt_${id}`)).status).toBe('done');
    expect(invitesFor(`${id}@example.com`)).toHaveLength(1);

    const again = await generic(event);
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ duplicate: true, events: [{ outcome: 'duplicate', runs: [`onboard/${id}/evt_${id}`] }] });
    expect(invitesFor(`${id}@example.com`)).toHaveLength(1);
  });

  it('BambooHR field-based: one delivery, several employees, each its own run; a redelivery starts nothing', async () => {
    const hire = unique('B');
    const leaver = unique('B');
    const intern = unique('B');
    const delivery = {
      employees: [
        { id: hire, action: 'Created', timestamp: '2026-03-02T09:15:00+0000', changedFields: [], fields: { 'Work Email': `${hire}@example.com`, 'Employment Status': 'Full-Time' } },
        { id: leaver, action: 'Updated', timestamp: '2026-03-02T09:15:00+0000', changedFields: ['Status'], fields: { 'Work Email': `${leaver}@example.com`, Status: 'Inactive' } },
        { id: intern, action: 'Created', timestamp: '2026-03-02T09:15:00+0000', changedFields: [], fields: { 'Work Email': `${intern}@example.com`, 'Employment Status': 'Intern' } },
      ],
    };
    const first = await bamboo(delivery);
    expect(first.status).toBe(202);
    const events = first.json.events!;
    expect(events.map((e) => [e.workflowId, e.outcome, e.runs.map((r) => r.split('/')[0])])).toEqual([
      [`employee/bamboohr/${hire}`, 'accepted', ['onboard']],
      [`employee/bamboohr/${leaver}`, 'accepted', ['offboard']],
      // The condition excludes interns: nothing to start for them.
      [`employee/bamboohr/${intern}`, 'unmatched', []],
    ]);
    expect((await result(events[0]!.runs[0]!)).status).toBe('done');
    expect((await result(events[1]!.runs[0]!)).status).toBe('done');
    expect(invitesFor(`${hire}@example.com`)).toHaveLength(1);
    expect(invitesFor(`${intern}@example.com`)).toHaveLength(0);

    const again = await bamboo(delivery);
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    expect(again.json.events!.map((e) => e.outcome)).toEqual(['duplicate', 'duplicate', 'unmatched']);
    expect(again.json.events!.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
  });

  it('BambooHR event-based (thin): the run reads the person from the enricher, then acts', async () => {
    const id = unique('T');
    directory.set(id, { employee: { email: `${id}@example.com`, employmentType: 'full_time' } });
    const response = await bamboo({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { companyId: '48213', employeeId: id } });
    expect(response.status).toBe(202);
    const [event] = response.json.events!;
    expect(event).toMatchObject({ outcome: 'accepted', deferred: true });
    expect((await result(event!.runs[0]!)).status).toBe('done');
    expect(invitesFor(`${id}@example.com`)).toHaveLength(1);
  });

  it('thin events: a condition that fails on the enriched record skips the run; an update may turn out to be a departure', async () => {
    const intern = unique('T');
    directory.set(intern, { employee: { email: `${intern}@example.com`, employmentType: 'intern' } });
    const hired = await bamboo({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: intern } });
    const skipped = await result(hired.json.events![0]!.runs[0]!);
    expect(skipped).toMatchObject({ status: 'done', steps: [], skipped: expect.stringContaining('condition not met') });
    expect(invitesFor(`${intern}@example.com`)).toHaveLength(0);

    const leaver = unique('T');
    directory.set(leaver, { employee: { email: `${leaver}@example.com`, endDate: '2026-03-31' }, type: 'employee.departed' });
    const updated = await bamboo({ type: 'employee.updated', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: leaver, changedFields: ['status'] } });
    expect(updated.status).toBe(202);
    const runs = updated.json.events![0]!.runs;
    expect(runs.map((r) => r.split('/')[0]).sort()).toEqual(['offboard', 'on-update']);
    const byPlan = Object.fromEntries(await Promise.all(runs.map(async (r) => [r.split('/')[0], await result(r)] as const)));
    expect(byPlan['offboard']).toMatchObject({ status: 'done', steps: [{ id: 'tell-it', outcome: 'logged' }] });
    expect(byPlan['on-update']).toMatchObject({ steps: [], skipped: expect.stringContaining('employee.departed') });
  });

  it('HiBob: a ping is answered; a departure with no HiBob enricher parks its run loudly, with the reason', async () => {
    const ping = await post(url('hibob'), 'Ping test', { 'content-type': 'text/plain' });
    expect(ping.status).toBe(200);
    expect(ping.json).toMatchObject({ ping: true, events: [] });

    const id = unique('H');
    const left = await bob({ companyId: 731902, type: 'employee.left', triggeredBy: 'system', triggeredAt: fresh(), version: 'v2', data: { employeeId: id } });
    expect(left.status).toBe(202);
    const runId = left.json.events![0]!.runs[0]!;
    expect(runId).toMatch(new RegExp(`^offboard/${id}/hibob_`));
    const run = h.temporal.client.workflow.getHandle(runId);
    const parked = await eventually(async () => {
      const state = await run.query<RunState>('status');
      return state.status === 'needs-attention' ? state : undefined;
    }, 60_000, 'the run to park');
    expect(parked.attention).toMatchObject({ step: 'enrich', error: { type: 'ENRICHMENT_UNAVAILABLE' }, skippable: false });
    await run.executeUpdate('abort', { args: [{ by: 'ops@example.com', reason: 'no HiBob connector here' }] });
    await expect(result(runId)).rejects.toMatchObject({ cause: { type: 'RUN_ABORTED', cause: { type: 'ENRICHMENT_UNAVAILABLE' } } });

    const ignored = await bob({ companyId: 731902, type: 'employee.joined', triggeredAt: fresh(), data: { employeeId: id } });
    expect(ignored.status).toBe(200);
    expect(ignored.json).toMatchObject({ events: [], ignored: [{ type: 'employee.joined' }] });
  });

  it('answers each class of bad request with its status and a precise code, never a stack trace', async () => {
    const id = unique('X');
    const event = { id: `evt_${id}`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: `${id}@example.com` } };
    const body = JSON.stringify(event);
    const signed = (b: string) => ({ 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, 'msg', b) });
    const cases: [string, Promise<Awaited<ReturnType<typeof post>>>, number, string][] = [
      ['unknown source', post(url('workday'), body, signed(body)), 404, 'UNKNOWN_SOURCE'],
      ['no route', post(`${h.baseUrl}/hooks`, body, signed(body)), 404, 'NOT_FOUND'],
      ['form encoded', post(url('generic'), 'a=1', { ...signed('a=1'), 'content-type': 'application/x-www-form-urlencoded' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['plain text', post(url('generic'), body, { ...signed(body), 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['too large', post(url('generic'), `{"pad":"${'x'.repeat(1024 * 1024)}"}`, { 'content-type': 'application/json' }), 413, 'PAYLOAD_TOO_LARGE'],
      ['unsigned', post(url('generic'), body, { 'content-type': 'application/json' }), 401, 'INVALID_SIGNATURE'],
      ['stale', post(url('generic'), body, { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, 'm', body, new Date(Date.now() - 600_000)) }), 401, 'STALE_DELIVERY'],
      ['bamboo wrong key', post(url('bamboohr'), '{}', { 'content-type': 'application/json', ...signBambooHr(new Secret('wrong-key-0123456789'), '{}') }), 401, 'INVALID_SIGNATURE'],
      ['bob unsigned', post(url('hibob'), '{}', { 'content-type': 'application/json' }), 401, 'INVALID_SIGNATURE'],
      ['broken JSON', post(url('generic'), '{"id":', signed('{"id":')), 400, 'MALFORMED_JSON'],
      ['forbidden key', post(url('generic'), '{"__proto__":{"x":1}}', signed('{"__proto__":{"x":1}}')), 400, 'FORBIDDEN_KEY'],
    ];
    for (const [name, pending, status, code] of cases) {
      const response = await pending;
      expect({ name, status: response.status, code: response.json.error?.code }).toEqual({ name, status, code });
      expect(response.text).not.toMatch(/\bat .*\.ts:\d+|node_modules|stack/i);
    }
    const invalid = JSON.stringify({ ...event, employee: { id, email: 'not-an-email', startDate: '2026-02-30' } });
    const schema = await post(url('generic'), invalid, signed(invalid));
    expect(schema.status).toBe(400);
    expect(schema.json.error).toMatchObject({ code: 'INVALID_EVENT', problems: [{ path: 'employee.email' }, { path: 'employee.startDate' }] });
    // A signature failure says nothing about why; a stale delivery says so (the time is no secret).
    const wrong = await post(url('generic'), body, { 'content-type': 'application/json', ...signGeneric(new Secret('whsec_b3RoZXIgc2VjcmV0IGZvciB0aGUgdHJpZ2dlcnMgdGVzdA=='), 'm', body) });
    expect(wrong.json.error).toEqual({ code: 'INVALID_SIGNATURE', message: 'invalid signature' });
    const stale = await post(url('generic'), body, { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, 'm', body, new Date(Date.now() - 600_000)) });
    expect(stale.json.error).toEqual({ code: 'STALE_DELIVERY', message: expect.stringMatching(/more than 5 minutes old/) });
  });

  it('serves health, readiness and metrics by source and status', async () => {
    const health = await fetch(`${h.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${h.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ temporal: 'reachable', sources: ['generic', 'bamboohr', 'hibob'] });
    const metrics = await (await fetch(`${h.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/tenure_webhook_requests_total\{source="generic",status="202"\} [1-9]/);
    expect(metrics).toMatch(/tenure_webhook_requests_total\{source="bamboohr",status="200"\} [1-9]/);
    expect(metrics).toMatch(/tenure_webhook_requests_total\{source="unknown",status="404"\} [1-9]/);
    expect(metrics).toMatch(/tenure_webhook_signature_failures_total\{source="generic",reason="stale"\} [1-9]/);
    expect(metrics).toMatch(/tenure_webhook_start_seconds_count\{source="bamboohr"\} [1-9]/);
    expect(metrics).toMatch(/tenure_webhook_events_total\{source="bamboohr",outcome="duplicate"\} [1-9]/);
  });

  it('`tenure send` signs as each vendor and prints the response', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-send-'));
    const id = unique('S');
    directory.set(id, { employee: { email: `${id}@example.com` } });
    const bambooFile = join(dir, 'bamboo.json');
    writeFileSync(bambooFile, JSON.stringify({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: id } }));
    const bobFile = join(dir, 'bob.json');
    writeFileSync(bobFile, JSON.stringify({ companyId: 1, type: 'employee.updated', triggeredAt: '2026-04-01T00:00:03', data: { employeeId: id } }));
    const env = { ...process.env, TENURE_HOME: dir, BAMBOOHR_WEBHOOK_SECRET: BAMBOO_SECRET.reveal(), HIBOB_WEBHOOK_SECRET: BOB_SECRET.reveal() };
    const send = (...args: string[]) =>
      run(process.execPath, ['bin/tenure.js', 'send', ...args], { env }).catch((error: { stdout: string; stderr: string; code: number }) => error);

    const asBamboo = await send(bambooFile, '--as', 'bamboohr', '--url', url('bamboohr'));
    expect(asBamboo.stdout).toMatch(/^202 \{/);
    expect(JSON.parse(asBamboo.stdout.slice(4)).events[0].runs[0]).toMatch(new RegExp(`^onboard/${id}/bamboohr_`));
    const asBob = await send(bobFile, '--as', 'hibob', '--url', url('hibob'));
    expect(asBob.stdout).toMatch(/^202 /);
    // Signed with the wrong kind: the server refuses it, and the command exits non-zero.
    const wrong = await send(bobFile, '--as', 'hibob', '--url', url('bamboohr'));
    expect(wrong).toMatchObject({ code: 1, stdout: expect.stringMatching(/^401 /) });
    const noSecret = await run(process.execPath, ['bin/tenure.js', 'send', bobFile, '--as', 'hibob'], { env: { ...process.env, TENURE_HOME: dir } }).catch((e: { stderr: string; code: number }) => e);
    expect(noSecret).toMatchObject({ code: 1, stderr: expect.stringContaining('HIBOB_WEBHOOK_SECRET is not set') });
  });

  it('keeps secrets out of logs and histories', async () => {
    const secrets = [GENERIC_SECRET, BAMBOO_SECRET, BOB_SECRET, new Secret(h.emulator.adminKey)].map((s) => s.reveal());
    const lines = h.log.lines.join('\n');
    for (const secret of secrets) expect(lines).not.toContain(secret);
    expect(lines).toContain('"reqId"');

    // Every run the tests above started (each recorded its steps) and each person's entity workflow, decoded.
    const audit = await h.store.audit();
    const workflowIds = [...new Set(audit.flatMap((row) => [row.runId, employeeWorkflowId(row.source, row.employeeId)]))];
    expect(workflowIds.length).toBeGreaterThanOrEqual(10);
    for (const workflowId of workflowIds) {
      const history = await decodedText(await h.temporal.client.workflow.getHandle(workflowId).fetchHistory());
      // Decoded: the payloads' own text is there to search (every one of these carries an HR event).
      expect([workflowId, history.includes('"occurredAt"')]).toEqual([workflowId, true]);
      for (const secret of secrets) expect([workflowId, history.includes(secret)]).toEqual([workflowId, false]);
    }
  });

  itReplaysEveryWorkflow(() => h);
});
