// When Temporal cannot be reached the trigger server answers 503 with Retry-After and
// keeps nothing half-done; the sender's retry of the very same request, once Temporal is
// back, is accepted exactly once. "Temporal down" is a client pointed at a closed port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import { Secret } from '../../config/index.ts';
import { buildTriggerServer, genericSource, signGeneric } from '../../triggers/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { freePort } from '../helpers/ports.ts';
import { plan, post, startHarness, unique, type Harness } from './triggers-harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const SECRET = new Secret('whsec_dW5hdmFpbGFibGUgdGVtcG9yYWwgdGVzdCBzZWNyZXQ=');
const plans = [plan('onboard', { event: 'employee.hired' }, [{ id: 'invite', action: 'openai.invite', with: { email: '${{ employee.email }}', role: 'reader' } }])];

describe('Temporal unavailable', () => {
  let h: Harness;
  let down: ReturnType<typeof buildTriggerServer>;
  let downConnection: Connection;
  let downUrl: string;

  beforeAll(async () => {
    h = await startHarness({ bundle: await bundleWorkflows(), plans, sources: [genericSource(SECRET)] });
    // Nothing listens on this port: every call fails as it would with Temporal down.
    downConnection = Connection.lazy({ address: `127.0.0.1:${await freePort()}` });
    down = buildTriggerServer({
      client: new Client({ connection: downConnection }),
      taskQueue: h.config.taskQueue,
      sources: [genericSource(SECRET)],
      plans: () => plans,
      logger: memoryLogger().logger,
      dispatchTimeoutMs: 5_000,
    });
    downUrl = await down.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await down?.close();
    await downConnection?.close();
    await h?.close();
  });

  it('answers 503 with Retry-After, then accepts the same delivery exactly once when Temporal is back', async () => {
    const id = unique('U');
    const body = JSON.stringify({ id: `evt_${id}`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id, email: `${id}@example.com` } });
    const headers = { 'content-type': 'application/json', ...signGeneric(SECRET, `evt_${id}`, body) };

    const started = Date.now();
    const refused = await post(`${downUrl}/webhooks/generic`, body, headers);
    const refusedAfterMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('30');
    expect(refused.json.error).toEqual({ code: 'TEMPORAL_UNAVAILABLE', message: expect.stringContaining('retry later') });
    expect(refused.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/);
    const ready = await fetch(`${downUrl}/readyz`);
    expect(ready.status).toBe(503);
    // The client retries UNAVAILABLE within the dispatch timeout (a blip should not bounce events), then gives up.
    expect(refusedAfterMs).toBeLessThan(5_000 + 3_000);
    console.log(`503 answered after ${refusedAfterMs} ms (dispatch timeout 5000 ms)`);

    // The sender retries the identical request (same bytes, same signature) against a server that reaches Temporal.
    const accepted = await post(`${h.baseUrl}/webhooks/generic`, body, headers);
    expect(accepted.status).toBe(202);
    const runId = `onboard/${id}/evt_${id}`;
    expect(accepted.json.events).toEqual([expect.objectContaining({ outcome: 'accepted', runs: [runId] })]);
    await h.temporal.client.workflow.getHandle(`employee/generic/${id}`).result();
    await h.temporal.client.workflow.getHandle(runId).result();

    const again = await post(`${h.baseUrl}/webhooks/generic`, body, headers);
    expect(again.status).toBe(200);
    expect(again.json.events).toEqual([expect.objectContaining({ outcome: 'duplicate', runs: [runId] })]);
    expect(h.emulator.organization.listInvites().filter((i) => i.email === `${id}@example.com`)).toHaveLength(1);
    // One entity run that started one child: nothing was started twice.
    const history = await h.temporal.client.workflow.getHandle(`employee/generic/${id}`).fetchHistory();
    const childStarts = (history.events ?? []).filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(childStarts.map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)).toEqual([runId]);
  });

  itReplaysEveryWorkflow(() => h);
});
