// Determinism: the histories in test/histories (recorded from real runs by
// `npm run histories`) replay against today's workflow code without a nondeterminism error.
// Two deliberately changed bundles show the check has teeth: the same change made plainly
// is caught, made behind patched() it passes.
import { describe, expect, it } from '@jest/globals';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, quietTemporalRuntime } from '../../workers/index.ts';
import { historyFromExportedJson } from './load-history.ts';

const HISTORIES = fileURLToPath(new URL('../histories/', import.meta.url));

interface Recorded {
  scenario: string;
  role: string;
  workflowId: string;
  workflowType: string;
  status: string;
  history: unknown;
}

const recorded: Recorded[] = readdirSync(HISTORIES)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => JSON.parse(readFileSync(join(HISTORIES, file), 'utf8')) as Recorded);

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const bundle = (file: string) => bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL(file, import.meta.url)), logger: silent as never });

/** Replays every recorded history; the error (by name) of each that fails. */
async function replay(workflowBundle: WorkflowBundleWithSourceMap): Promise<Record<string, string>> {
  const outcome: Record<string, string> = {};
  const histories = recorded.map((r) => ({ workflowId: r.workflowId, history: historyFromExportedJson(r.history) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'tenure-replay' }, histories)) {
    const r = recorded.find((x) => x.workflowId === result.workflowId)!;
    outcome[`${r.scenario}.${r.role}`] = result.error ? result.error.name : 'ok';
  }
  return outcome;
}

describe('replaying recorded histories', () => {
  quietTemporalRuntime('WARN');

  it('covers the representative runs: a hire with a wait, an approval, a superseded hire, a parked failure retried', () => {
    expect(recorded.map((r) => `${r.scenario}.${r.role} ${r.workflowType} ${r.status}`)).toEqual([
      'approval.entity employeeWorkflow COMPLETED',
      'approval.run definitionRun COMPLETED',
      'departure-supersedes-hire.entity employeeWorkflow COMPLETED',
      'departure-supersedes-hire.offboard definitionRun COMPLETED',
      'departure-supersedes-hire.run definitionRun COMPLETED',
      'hire-with-wait.entity employeeWorkflow COMPLETED',
      'hire-with-wait.run definitionRun COMPLETED',
      'parked-and-retried.entity employeeWorkflow COMPLETED',
      'parked-and-retried.run definitionRun COMPLETED',
    ]);
    // They hold what they were recorded for (event types are protobuf enum names in exported JSON).
    const types = (r: Recorded) => (r.history as { events: { eventType: string }[] }).events.map((e) => e.eventType);
    const find = (name: string) => recorded.find((r) => `${r.scenario}.${r.role}` === name)!;
    expect(types(find('hire-with-wait.run'))).toContain('EVENT_TYPE_TIMER_FIRED');
    expect(types(find('approval.run'))).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    expect(types(find('departure-supersedes-hire.run'))).toContain('EVENT_TYPE_TIMER_CANCELED');
    expect(types(find('parked-and-retried.run'))).toEqual(expect.arrayContaining(['EVENT_TYPE_ACTIVITY_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED']));
  });

  it('replays every history against the current workflow code', async () => {
    const outcome = await replay(await bundleWorkflows());
    expect(Object.values(outcome)).toHaveLength(recorded.length);
    expect(outcome).toEqual(Object.fromEntries(recorded.map((r) => [`${r.scenario}.${r.role}`, 'ok'])));
  });

  it('catches an incompatible change, and lets the same change through behind patched()', async () => {
    const [altered, patched] = await Promise.all([bundle('./altered-workflows.ts'), bundle('./patched-workflows.ts')]);
    const broken = await replay(altered);
    for (const r of recorded) {
      expect([`${r.scenario}.${r.role}`, broken[`${r.scenario}.${r.role}`]]).toEqual([`${r.scenario}.${r.role}`, r.workflowType === 'definitionRun' ? 'DeterminismViolationError' : 'ok']);
    }
    expect(Object.values(await replay(patched)).every((o) => o === 'ok')).toBe(true);
  });
});
