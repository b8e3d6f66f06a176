// Hostile inputs at the trigger server, with real parts: the real Temporal dev server, a
// real worker, the emulator and a SQLite store behind a real HTTP listener.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { connect } from 'node:net';
import { request } from 'undici';
import { Secret } from '../../config/index.ts';
import { bamboohrSource, buildTriggerServer, genericSource, operatorAuthenticator, hibobSource, signBambooHr, signGeneric, signHiBob } from '../../triggers/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import { eventually } from '../helpers/process.ts';
import { plan, post, startHarness, unique, type Harness } from './triggers-harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const GENERIC_SECRET = new Secret('whsec_aGFyZGVuaW5nIHRlc3Qgc2VjcmV0IGZvciB0aGUgZ2VuZXJpYw==');
const BAMBOO_SECRET = new Secret('hardening-bamboo-private-key');
const BOB_SECRET = new Secret('hardening-hibob-secret');
const DAY = 24 * 60 * 60_000;

const plans = [
  // The classic catastrophic-backtracking pattern: minutes under JavaScript's RegExp, linear under RE2.
  plan('onboard', { event: 'employee.hired', if: 'employee.title == "Engineer"' }, [
    { id: 'tell-it', action: 'notify', with: { channel: 'it', text: 'Hired ${{ employee.email }}' } },
  ]),
  plan('redos', { event: 'employee.hired', if: 'employee.title.matches("^(a+)+$")' }, [
    { id: 'tell-it', action: 'notify', with: { channel: 'it', text: 'Hired ${{ employee.email }}' } },
  ]),
];

describe('trigger server under hostile input', () => {
  let bundle: WorkflowBundleOption;
  let h: Harness;
  const url = (path: string) => `${h.baseUrl}${path}`;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    h = await startHarness({
      bundle,
      plans,
      sources: [genericSource(GENERIC_SECRET), bamboohrSource({ secrets: [BAMBOO_SECRET] }), hibobSource({ secrets: [BOB_SECRET] })],
      server: { headersTimeoutMs: 1_000, connectionsCheckingIntervalMs: 200 },
    });
  });
  afterAll(async () => {
    await h?.close();
  });

  function generic(event: Record<string, unknown>, headers: Record<string, string> = {}) {
    const body = JSON.stringify(event);
    return post(url('/webhooks/generic'), body, { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, String(event.id), body), ...headers });
  }
  const hire = (id: string, employee: Record<string, unknown> = {}) => ({
    id: `evt_${id}`,
    type: 'employee.hired',
    occurredAt: new Date().toISOString(),
    source: 'generic',
    employee: { id, email: `${id}@example.com`, ...employee },
  });

  it('a ReDoS condition: the delivery is answered within 1 s while /healthz answers within 100 ms', async () => {
    const id = unique('R');
    const timed = async <T>(fn: () => Promise<T>) => {
      const started = performance.now();
      const value = await fn();
      return { value, ms: performance.now() - started };
    };
    // Warm the path once (connections, the condition thread), so the figures are the steady state.
    await request(url('/healthz'));
    expect((await generic(hire(unique('W'), { title: 'warm-up' }))).status).toBe(200);
    // Five /healthz probes sent while the delivery's conditions are evaluated; were the server's
    // thread held by the condition (as with a backtracking engine: 13 s for this title), every
    // one would wait for it. The same five probes alone first: what the delivery adds is measured,
    // so that a machine busy with other suites does not decide.
    const probe = () =>
      timed(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        const answer = await request(url('/healthz'));
        return { status: answer.statusCode, body: await answer.body.json() };
      });
    const median = (runs: { ms: number }[]) => (runs.map((r) => r.ms).sort((x, y) => x - y)[2] as number);
    const alone = median(await Promise.all([probe(), probe(), probe(), probe(), probe()]));
    const [delivery, ...health] = await Promise.all([timed(() => generic(hire(id, { title: `${'a'.repeat(30)}!` }))), probe(), probe(), probe(), probe(), probe()]);
    const during = median(health);
    console.log(`ReDoS delivery answered in ${delivery.ms.toFixed(0)} ms; /healthz meanwhile ${health.map((p) => p.ms.toFixed(0)).join(', ')} ms (median ${during.toFixed(0)}; alone ${alone.toFixed(0)})`);
    expect(delivery.value.status).toBe(200);
    expect(delivery.value.json.events).toEqual([expect.objectContaining({ outcome: 'unmatched' })]);
    expect(delivery.ms).toBeLessThan(1_000);
    for (const p of health) expect(p.value).toEqual({ status: 200, body: { status: 'ok' } });
    expect(during - alone).toBeLessThan(100);

    // The same condition matches a title it should.
    const match = unique('R');
    expect((await generic(hire(match, { title: 'aaaa' }))).status).toBe(202);
  });

  describe('replays', () => {
    it('a HiBob delivery triggered more than the window ago: 401 with the reason, nothing started', async () => {
      const id = unique('H');
      const body = JSON.stringify({ companyId: 7, type: 'employee.left', triggeredAt: new Date(Date.now() - 365 * DAY).toISOString(), data: { employeeId: id } });
      const answer = await post(url('/webhooks/hibob'), body, { 'content-type': 'application/json', ...signHiBob(BOB_SECRET, body) });
      expect(answer.status).toBe(401);
      expect(answer.json.error).toEqual({ code: 'STALE_DELIVERY', message: expect.stringMatching(/older than the replay window \(24 h\)/) });
      await expect(h.temporal.client.workflow.getHandle(`employee/hibob/${id}`).describe()).rejects.toThrow(/not found/i);
    });

    it('BambooHR and generic deliveries signed long ago: 401 with the reason', async () => {
      const body = JSON.stringify({ type: 'employee.created', data: { employeeId: unique('B') } });
      const bamboo = await post(url('/webhooks/bamboohr'), body, { 'content-type': 'application/json', ...signBambooHr(BAMBOO_SECRET, body, new Date(Date.now() - 2 * DAY)) });
      expect(bamboo.status).toBe(401);
      expect(bamboo.json.error).toMatchObject({ code: 'STALE_DELIVERY', message: expect.stringMatching(/X-BambooHR-Timestamp is too old/) });
      const event = hire(unique('G'));
      const signedBody = JSON.stringify(event);
      const generic = await post(url('/webhooks/generic'), signedBody, { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, event.id, signedBody, new Date(Date.now() - 2 * DAY)) });
      expect(generic.status).toBe(401);
      expect(generic.json.error).toMatchObject({ code: 'STALE_DELIVERY', message: expect.stringMatching(/webhook-timestamp is more than 5 minutes old/) });
    });

    it('a redelivery after the runs were deleted from Temporal is still a duplicate and starts nothing', async () => {
      const id = unique('D');
      const event = hire(id, { title: 'Engineer' });
      const first = await generic(event);
      expect(first.status).toBe(202);
      const entity = `employee/generic/${id}`;
      const run = `onboard/${id}/${event.id}`;
      await h.temporal.client.workflow.getHandle(entity).result();
      // As Temporal's retention would: the entity workflow and its run are gone.
      for (const workflowId of [run, entity]) {
        await h.temporal.client.workflowService.deleteWorkflowExecution({ namespace: 'default', workflowExecution: { workflowId } });
      }
      const gone = async (workflowId: string) => {
        try {
          await h.temporal.client.workflow.getHandle(workflowId).describe();
          return undefined;
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return true;
          throw error;
        }
      };
      // Deletion is asynchronous in the server.
      await eventually(async () => ((await gone(run)) && (await gone(entity)) ? true : undefined), 90_000, 'the workflows to be deleted');

      const again = await generic(event);
      expect(again.status).toBe(200);
      expect(again.json).toMatchObject({ duplicate: true, events: [{ outcome: 'duplicate', runs: [run] }] });
      expect(await gone(entity)).toBe(true);
    });
  });

  describe('a condition not judged in time', () => {
    // A stand-in condition worker that never answers for a title of 'hang' (no real
    // expression can be made to do that on purpose), so the deadline is reached whatever
    // this machine's load: as a heavily loaded machine reaches it with a real condition.
    const HANGING = new URL('../fixtures/workers/hanging-condition-worker.ts', import.meta.url);
    const onboardHang = plan('onboard-hang', { event: 'employee.hired', if: 'employee.title == "hang"' }, [
      { id: 'tell-it', action: 'notify', with: { channel: 'it', text: 'Hired ${{ employee.email }}' } },
    ]);
    const server = (extra: Partial<Parameters<typeof buildTriggerServer>[0]>) =>
      buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: [genericSource(GENERIC_SECRET)], plans: () => [onboardHang], logger: h.log.logger, events: h.store, ...extra });

    it('is refused with 503 and starts nothing, never answered 200 unmatched; the retry is accepted', async () => {
      const id = unique('H');
      const event = hire(id, { title: 'hang' });
      const body = JSON.stringify(event);
      const headers = { 'content-type': 'application/json', ...signGeneric(GENERIC_SECRET, event.id, body) };
      const stuck = server({ conditionWorkerUrl: HANGING, conditionDeadlineMs: 200 });
      const healthy = server({});
      try {
        const refused = await stuck.inject({ method: 'POST', url: '/webhooks/generic', headers, payload: body });
        expect(refused.statusCode).toBe(503);
        expect(refused.headers['retry-after']).toBe('30');
        expect(refused.json()).toEqual({ error: { code: 'CONDITIONS_UNAVAILABLE', message: expect.stringContaining('retry later') } });
        expect(await h.store.wasAccepted('generic', event.id)).toBe(false);
        await expect(h.temporal.client.workflow.getHandle(`employee/generic/${id}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);

        // The sender's retry of the same bytes, judged in time: a new hire, accepted and run.
        const retried = await healthy.inject({ method: 'POST', url: '/webhooks/generic', headers, payload: body });
        expect(retried.statusCode).toBe(202);
        const run = `onboard-hang/${id}/${event.id}`;
        expect(retried.json()).toMatchObject({ duplicate: false, events: [{ outcome: 'accepted', runs: [run] }] });
        // The entity starts the run, and closes once it has ended.
        await h.temporal.client.workflow.getHandle(`employee/generic/${id}`).result();
        await h.temporal.client.workflow.getHandle(run).result();
      } finally {
        await stuck.close();
        await healthy.close();
      }
    });
  });

  describe('one long id', () => {
    it('200 emoji as employee.id: a clear 400 at the door naming the field', async () => {
      const answer = await generic({ ...hire('x'), id: `evt_${unique('L')}`, employee: { id: '😀'.repeat(200), email: 'long@example.com' } });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ code: 'INVALID_EVENT', problems: [{ path: 'employee.id', message: 'may be at most 128 bytes long (UTF-8)' }] });
    });
  });

  describe('the small doors', () => {
    it('cuts off a client that drips its headers', async () => {
      const { port } = new URL(h.baseUrl);
      const socket = connect(Number(port), '127.0.0.1');
      const started = performance.now();
      socket.write('POST /webhooks/generic HTTP/1.1\r\nHost: x\r\n');
      // One byte of a header every 100 ms: it would take minutes to finish.
      const drip = setInterval(() => socket.write('X'), 100);
      const received: Buffer[] = [];
      let reset: string | undefined;
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      // The server answers 408 and closes; a write racing the close may see the connection reset instead.
      socket.on('error', (error: NodeJS.ErrnoException) => (reset = error.code));
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      clearInterval(drip);
      const ms = performance.now() - started;
      console.log(`header drip cut off after ${ms.toFixed(0)} ms (${reset ?? 'answered'})`);
      expect(ms).toBeLessThan(5_000);
      if (reset === undefined) expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 408/);
      else expect(['ECONNRESET', 'EPIPE']).toContain(reset);
    });

    it('answers with its own request id and logs the client\'s apart', async () => {
      const answer = await generic(hire(unique('Q')), { 'x-request-id': 'client-chosen-id' });
      const ours = answer.headers['x-request-id'];
      expect(ours).toMatch(/^[0-9a-f-]{36}$/);
      expect(h.log.lines.some((line) => line.includes('"clientRequestId":"client-chosen-id"') && line.includes(`"reqId":"${ours}"`))).toBe(true);
    });

    it('GET /admin/runs/%25zz is a 400, not a 500', async () => {
      const token = new Secret('admin-token-for-the-hardening-test');
      const admin = buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: [], plans: () => [], logger: h.log.logger, audit: { store: h.store, authenticate: operatorAuthenticator({ operators: [], adminToken: token }) } });
      try {
        const headers = { authorization: `Bearer ${token.reveal()}` };
        const answer = await admin.inject({ method: 'GET', url: '/admin/runs/%25zz', headers });
        expect(answer.statusCode).toBe(400);
        expect(answer.json()).toMatchObject({ error: { code: 'INVALID_RUN_ID' } });
        // An id with a percent sign in it is looked up as it is (decoded once, by the router).
        const missing = await admin.inject({ method: 'GET', url: '/admin/runs/onboard/E%2525/evt_1', headers });
        expect(missing.statusCode).toBe(404);
        expect(missing.json()).toMatchObject({ error: { code: 'RUN_NOT_FOUND', message: expect.stringContaining('onboard/E%25/evt_1') } });
      } finally {
        await admin.close();
      }
    });
  });

  itReplaysEveryWorkflow(() => h);
});
