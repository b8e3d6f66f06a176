// The notify action on a real Temporal server through the real worker: it posts to the
// webhook URL held by the secret the definition names (TENURE_SECRET_<NAME>), retries a
// webhook that answers 5xx, refuses one that answers 4xx, fails loudly when the secret is
// not set (a failed step parks the run for an operator) — and the URL, itself a credential, appears in no history and no log line.
// The receiving chat service cannot run here: a small local HTTP server stands in for it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { HrEvent } from '../../events/index.ts';
import type { DefinitionRunResult, RunState } from '../../workflows/index.ts';
import { compilePlan, startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';
import { allText, decodedText } from '../helpers/history.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { eventually } from '../helpers/process.ts';

describe('notify', () => {
  let h: Harness;
  let receiver: Server;
  let hookUrl: string;
  const received: { path: string; body: string }[] = [];
  // Answers for the next requests, in order; 200 once the list is empty.
  const answers: number[] = [];
  const log = memoryLogger();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.statusCode = answers.shift() ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/T0123/very-secret-path`;
    h = await startHarness({ name: 'notify', logger: log.logger, env: { TENURE_SECRET_CHAT_HOOK: hookUrl } });
  });

  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** Starts a run of a one-step notify definition; failures park it, as any failed step does. */
  async function start(secret: string, id: string) {
    const plan = compilePlan(`
name: announce
on: { event: employee.hired }
steps:
  - id: tell
    action: notify
    retry: { maxAttempts: 3 }
    with: { channel: it-onboarding, text: "New hire \${{ employee.email }}", secret: ${secret} }
`);
    const event: HrEvent = { id, type: 'employee.hired', occurredAt: new Date().toISOString(), source: 'generic', employee: { id: `E-${id}`, email: `${id}@example.com` } };
    return h.temporal.client.workflow.start('definitionRun', { taskQueue: h.config.taskQueue, workflowId: `announce/E-${id}/${id}`, args: [{ plan, event }] });
  }

  /** Waits until the run parks on its failed step, returns why, then aborts it (as an operator would). */
  async function parked(handle: Awaited<ReturnType<typeof start>>): Promise<{ type: string; message: string; history: string }> {
    const state = await eventually(
      async () => {
        const s = await handle.query<RunState>('status');
        return s.status === 'needs-attention' ? s : undefined;
      },
      60_000,
      'the run to park',
    );
    await handle.signal('abort', { by: 'notify test', reason: 'asserted' });
    await handle.result().catch(() => undefined);
    return { ...state.attention!.error, history: allText(await handle.fetchHistory()) };
  }

  it('posts the message to the webhook the secret names, retrying a 5xx', async () => {
    answers.push(503);
    const handle = await start('CHAT_HOOK', 'evt_notify_1');
    const result = (await handle.result()) as DefinitionRunResult;
    const history = allText(await handle.fetchHistory());
    expect(result.steps[0]).toMatchObject({ id: 'tell', outcome: 'created' });
    expect(received.map((r) => r.path)).toEqual(['/hooks/T0123/very-secret-path', '/hooks/T0123/very-secret-path']);
    expect(JSON.parse(received[1]!.body)).toEqual({ text: '[it-onboarding] New hire evt_notify_1@example.com' });
    // The secret's name is in the (encrypted) input; the URL it holds is nowhere.
    expect(await decodedText(await handle.fetchHistory())).toContain('CHAT_HOOK');
    expect(history).not.toContain('very-secret-path');
    expect(log.lines.join('\n')).not.toContain('very-secret-path');
  });

  it('fails the step at once when the webhook refuses the message', async () => {
    received.length = 0;
    answers.push(404);
    const failure = await parked(await start('CHAT_HOOK', 'evt_notify_2'));
    expect(received).toHaveLength(1);
    expect(failure.type).toBe('NOTIFY_REJECTED');
    expect(failure.history).not.toContain('very-secret-path');
  });

  it('fails loudly, naming the variable to set, when the worker lacks the secret', async () => {
    received.length = 0;
    const failure = await parked(await start('MISSING_HOOK', 'evt_notify_3'));
    expect(received).toHaveLength(0);
    expect(failure.type).toBe('SECRET_NOT_SET');
    expect(failure.message).toContain('TENURE_SECRET_MISSING_HOOK');
  });

  itReplaysEveryWorkflow(() => h);
});
