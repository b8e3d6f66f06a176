// A batch of invites on a real Temporal server, through the real worker and activities,
// against the emulator injecting 429 (Retry-After: 1) and 5xx into ~30% of all OpenAI
// requests — plus answers lost after an invite was created — ends with exactly one
// invite per email, duplicates in the batch included.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type TenureConfig } from '../../config/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

const DEFINITION = `
name: invite-batch
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
    timeout: 10s
    retry: { maxAttempts: 20 }
`;

describe('invites under injected faults', () => {
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let worker: RunningWorker;
  let store: Store;
  let config: TenureConfig;
  let bundle: WorkflowBundleWithSourceMap;
  let plan: Plan;
  const log = memoryLogger();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0 });
    config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('openai-faults'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-openai-faults-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      OPENAI_TIMEOUT_MS: '5000',
    });
    store = await Store.open(config.store);
    worker = await startWorker(config, { logger: log.logger, connection: temporal.nativeConnection, bundle, store });
    const loaded = loadDefinitionText(DEFINITION, 'invite-batch.yaml');
    expect(loaded.problems).toEqual([]);
    plan = loaded.plan!;
  });

  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

  it('ends with exactly one invite per email, every run done', async () => {
    emulator.faults.set({
      seed: 20261129,
      rules: [
        // The first two invites are created but their answers never arrive: a retry must not invite again.
        { path: '/v1/organization/invites', method: 'POST', rate: 1, times: 2, kind: 'drop', when: 'after', status: 503, ms: 0 },
        { path: '/v1/**', rate: 0.15, kind: 'status', status: 429, retryAfter: 1, ms: 0, when: 'before' },
        { path: '/v1/**', rate: 0.18, kind: 'status', status: 503, ms: 0, when: 'before' },
      ],
    });
    const emails = Array.from({ length: 12 }, (_, i) => `hire${i}@example.com`);
    // Four people arrive twice (two runs racing for the same email).
    const batch = [...emails, ...emails.slice(0, 4)];
    const stamp = Date.now();
    const handles = await Promise.all(
      batch.map((email, i) => {
        const event: HrEvent = {
          id: `evt_${stamp}_${i}`,
          type: 'employee.hired',
          occurredAt: new Date(stamp).toISOString(),
          source: 'generic',
          employee: { id: `E-${i}`, email },
        };
        return temporal.client.workflow.start('definitionRun', {
          taskQueue: config.taskQueue,
          workflowId: `invite-batch/${event.employee.id}/${event.id}`,
          args: [{ plan, event }],
        });
      }),
    );
    const results = (await Promise.all(handles.map((h) => h.result()))) as DefinitionRunResult[];

    expect(results.map((r) => r.status)).toEqual(batch.map(() => 'done'));
    for (const email of emails) {
      const invites = emulator.organization.listInvites().filter((i) => i.email === email);
      expect([email, invites.length, invites[0]?.status]).toEqual([email, 1, 'pending']);
    }
    expect(emulator.organization.listInvites()).toHaveLength(emails.length);

    // Every run recorded the invite it ended with; the two runs of one email name the same invite.
    const byEmail = new Map<string, string>();
    for (const [i, result] of results.entries()) {
      const inviteId = result.steps[0]!.openaiIds!.inviteId!;
      expect(emulator.organization.getInvite(inviteId).email).toBe(batch[i]);
      if (byEmail.has(batch[i]!)) expect(inviteId).toBe(byEmail.get(batch[i]!));
      byEmail.set(batch[i]!, inviteId);
    }
    expect(results.filter((r) => r.steps[0]!.outcome === 'created').length).toBeGreaterThanOrEqual(emails.length);

    // The faults really happened, at about the injected rate.
    const served = emulator.requests.length;
    const faulted = emulator.requests.filter((r) => r.fault).length;
    const errors = emulator.requests.filter((r) => r.status === 429 || r.status >= 500).length;
    expect(errors / served).toBeGreaterThan(0.15);
    expect(emulator.faults.counts.drop).toBe(2);
    let attempts = 0;
    for (const handle of handles) {
      const history = await handle.fetchHistory();
      for (const event of history.events ?? []) if (event.activityTaskStartedEventAttributes && event.activityTaskStartedEventAttributes.attempt) {
        // Only the last attempt of each activity is in the history; it carries the attempt number.
        attempts += event.activityTaskStartedEventAttributes.attempt;
      }
    }
    console.log(
      `openai-faults: ${batch.length} runs, ${served} OpenAI requests, ${errors} answered 429/5xx (${((100 * errors) / served).toFixed(1)}%), ` +
        `${faulted} faults in all (counts ${JSON.stringify(emulator.faults.counts)}), ${attempts} activity attempts in all`,
    );
  });
});
