import { expect, it } from '@jest/globals';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { TenureConfig } from '../../config/index.ts';
import { bundleWorkflows } from '../../workers/index.ts';
import type { TestTemporal } from './temporal.ts';
import { TEST_DATA_CONVERTER } from './payload-keys.ts';

/**
 * Replays the history of every workflow that ran on `taskQueue` (open or closed) against
 * `bundle`, and returns those that do not replay: "<workflowId> <runId>: <error>". A
 * workflow whose code takes another path on replay than it took live (a signal, an update
 * or a local activity's result seen in another order) fails here even when no worker
 * happened to replay it while the test ran.
 */
export async function unreplayable(client: Client, taskQueue: string, bundle: WorkflowBundleOption): Promise<string[]> {
  const executions: { workflowId: string; runId: string }[] = [];
  for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) executions.push({ workflowId: w.workflowId, runId: w.runId });
  const histories = await Promise.all(executions.map(async (e) => ({ workflowId: e.workflowId, history: await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory() })));
  const failed: string[] = [];
  let index = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle, replayName: `replay-${taskQueue}`, dataConverter: TEST_DATA_CONVERTER }, histories)) {
    const e = executions[index++]!;
    if (result.error) failed.push(`${e.workflowId} ${e.runId}: ${result.error.name}: ${result.error.message}`);
  }
  return failed;
}

/**
 * The last test of a suite on the harness: every workflow its tests ran replays from its
 * history, in whatever order its signals, updates and local activities' results happened to come.
 */
export function itReplaysEveryWorkflow(harness: () => { temporal: TestTemporal; config: TenureConfig; bundle?: WorkflowBundleOption } | undefined): void {
  it('every workflow these tests ran replays from its history', async () => {
    const h = harness();
    expect(h).toBeDefined();
    expect(await unreplayable(h!.temporal.client, h!.config.taskQueue, h!.bundle ?? (await bundleWorkflows()))).toEqual([]);
  });
}
