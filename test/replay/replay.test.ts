// Determinism: the histories in test/histories (recorded from real runs by
// `npm run histories`, payloads encrypted with the test key) replay against today's workflow
// code without a nondeterminism error.
// Two deliberately changed bundles show the check has teeth: the same change made plainly
// is caught, made behind patched() it passes.
import { describe, expect, it } from '@jest/globals';
import { bundleWorkflowCode, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflows, quietTemporalRuntime } from '../../workers/index.ts';
import { TEST_DATA_CONVERTER } from '../helpers/payload-keys.ts';
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

/**
 * Replays every recorded history; the error (by name) of each that fails, for every
 * history (replays run one at a time, in order, so results are matched by position: two
 * histories may share a workflow id).
 */
async function replay(workflowBundle: WorkflowBundleOption): Promise<Record<string, string>> {
  const outcome: Record<string, string> = {};
  const histories = recorded.map((r) => ({ workflowId: r.workflowId, history: historyFromExportedJson(r.history) }));
  let index = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'tenure-replay', dataConverter: TEST_DATA_CONVERTER }, histories)) {
    const r = recorded[index++]!;
    expect(result.workflowId).toBe(r.workflowId);
    outcome[`${r.scenario}.${r.role}`] = result.error ? result.error.name : 'ok';
  }
  expect(Object.keys(outcome)).toHaveLength(recorded.length);
  return outcome;
}

describe('replaying recorded histories', () => {
  quietTemporalRuntime('WARN');

  it('covers the representative runs: a hire with a wait (before and after it took fewer round trips), an approval, a superseded hire (before and after it ended Canceled), a parked failure retried, an acceptance wait, the lease race, the lease asked back, a local activity\'s result a task late, a sync held and approved', () => {
    expect(recorded.map((r) => `${r.scenario}.${r.role} ${r.workflowType} ${r.status}`)).toEqual([
      'acceptance-wait.child awaitAcceptance COMPLETED',
      'acceptance-wait.entity employeeWorkflow COMPLETED',
      'acceptance-wait.run definitionRun COMPLETED',
      'approval.entity employeeWorkflow COMPLETED',
      'approval.run definitionRun COMPLETED',
      'departure-cancels-hire.entity employeeWorkflow COMPLETED',
      'departure-cancels-hire.offboard definitionRun COMPLETED',
      'departure-cancels-hire.run definitionRun CANCELLED',
      'departure-supersedes-hire.entity employeeWorkflow COMPLETED',
      'departure-supersedes-hire.offboard definitionRun COMPLETED',
      'departure-supersedes-hire.run definitionRun COMPLETED',
      'fewer-trips-hire-with-wait.entity employeeWorkflow COMPLETED',
      'fewer-trips-hire-with-wait.run definitionRun COMPLETED',
      'hire-with-wait.entity employeeWorkflow COMPLETED',
      'hire-with-wait.run definitionRun COMPLETED',
      'lease-request-before-start.entity employeeWorkflow COMPLETED',
      'lease-wanted.entity employeeWorkflow COMPLETED',
      'lease-wanted.offboard definitionRun COMPLETED',
      'lease-wanted.refresh definitionRun COMPLETED',
      'lease-wanted.run definitionRun CANCELLED',
      'local-result-next-task.run definitionRun CANCELLED',
      'parked-and-retried.entity employeeWorkflow COMPLETED',
      'parked-and-retried.run definitionRun COMPLETED',
      'sync-held-approved.sync syncWorkflow COMPLETED',
    ]);
    // They hold what they were recorded for (event types are protobuf enum names in exported JSON).
    const types = (r: Recorded) => (r.history as { events: { eventType: string }[] }).events.map((e) => e.eventType);
    const find = (name: string) => recorded.find((r) => `${r.scenario}.${r.role}` === name)!;
    expect(types(find('hire-with-wait.run'))).toContain('EVENT_TYPE_TIMER_FIRED');
    expect(types(find('approval.run'))).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED');
    expect(types(find('departure-supersedes-hire.run'))).toContain('EVENT_TYPE_TIMER_CANCELED');
    // Recorded by today's code: the superseded run ends Canceled; the acceptance wait looks, sleeps, looks.
    expect(types(find('departure-cancels-hire.run'))).toContain('EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED');
    expect(types(find('departure-cancels-hire.entity'))).toContain('EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    expect(types(find('acceptance-wait.run'))).toContain('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED');
    expect(types(find('acceptance-wait.child'))).toEqual(expect.arrayContaining(['EVENT_TYPE_TIMER_FIRED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED']));
    expect(types(find('acceptance-wait.child'))).not.toContain('EVENT_TYPE_ACTIVITY_TASK_FAILED');
    // The race: the offboarding's lease request is handled in the same workflow task as the
    // result of its start (signals first). Made from departure-supersedes-hire.entity by moving
    // that request (and dropping its now empty workflow task); an entity that registers a run
    // only once its start has resolved dropped the request and never granted the lease.
    const reordered = (find('lease-request-before-start.entity').history as { events: { eventType: string; workflowExecutionSignaledEventAttributes?: { signalName: string } }[] }).events;
    const request = reordered.findIndex((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'leaseRequest');
    expect(reordered[request - 1]?.eventType).toBe('EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED');
    expect(reordered.slice(request).map((e) => e.eventType)).toContain('EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED');
    expect(types(find('sync-held-approved.sync'))).toEqual(expect.arrayContaining(['EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED']));
    // Fewer round trips: the note and the records are local activities (markers), the entity sets
    // no timer while its run starts and learns of the run's end from its result, and the run
    // keeps the lease through its wait, so no lease signal goes either way.
    type Events = { events: { eventType: string; markerRecordedEventAttributes?: { markerName: string }; workflowExecutionSignaledEventAttributes?: { signalName: string }; signalExternalWorkflowExecutionInitiatedEventAttributes?: { signalName: string } }[] };
    const events = (name: string) => (find(name).history as Events).events;
    const signals = (name: string) => events(name).flatMap((e) => [e.workflowExecutionSignaledEventAttributes?.signalName, e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName].filter((n) => n !== undefined));
    const localActivities = (name: string) => events(name).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
    expect(types(find('fewer-trips-hire-with-wait.entity'))).toEqual(expect.arrayContaining(['EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED']));
    expect(types(find('fewer-trips-hire-with-wait.entity'))).not.toEqual(expect.arrayContaining(['EVENT_TYPE_ACTIVITY_TASK_SCHEDULED']));
    expect(types(find('fewer-trips-hire-with-wait.entity'))).not.toEqual(expect.arrayContaining(['EVENT_TYPE_TIMER_STARTED']));
    expect(localActivities('fewer-trips-hire-with-wait.entity')).toBe(1);
    expect(signals('fewer-trips-hire-with-wait.entity')).toEqual(['hrEvent']);
    expect(signals('fewer-trips-hire-with-wait.run')).toEqual([]);
    expect(types(find('fewer-trips-hire-with-wait.run'))).toContain('EVENT_TYPE_TIMER_FIRED');
    expect(localActivities('fewer-trips-hire-with-wait.run')).toBe(2);
    expect(signals('hire-with-wait.run')).toEqual(['leaseRelease', 'leaseRequest', 'leaseGranted', 'runEnded']);
    // The lease asked back: the onboarding keeps it through its wait until the update's run asks.
    expect(signals('lease-wanted.entity')).toEqual(expect.arrayContaining(['leaseRequest', 'leaseWanted', 'leaseRelease', 'leaseGranted']));
    expect(signals('lease-wanted.run').slice(0, 2)).toEqual(['employeeChanged', 'leaseWanted']);
    expect(signals('lease-wanted.run')).toContain('leaseRelease');
    expect(signals('lease-wanted.refresh')).toEqual(['leaseRequest', 'leaseGranted']);
    // Its wait, moved by the update, goes on waiting without showing running in between.
    type Upserts = { events: { upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes: { indexedFields: Record<string, { data: string }> } } }[] };
    const statuses = (find('lease-wanted.run').history as Upserts).events.flatMap((e) => {
      const shown = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes.indexedFields.TenureStatus;
      return shown ? [JSON.parse(Buffer.from(shown.data, 'base64').toString('utf8')) as string] : [];
    });
    expect(statuses).toEqual(['waiting', 'superseded']);
    // A local activity's result reached the run one task after the task that recorded its marker
    // (a task the core asked for at once), and the next step then asked for a change: in a run
    // that asked its patches first, the one marker is in the first task, so a replay that hands
    // the result over a task early still answers the same.
    const late = events('local-result-next-task.run') as (Events['events'][number] & { workflowTaskStartedEventAttributes?: { requestId: string }; markerRecordedEventAttributes?: { markerName: string; details?: Record<string, { payloads: { data: string }[] }> } })[];
    const marker = late.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(late.slice(marker + 1, marker + 4).map((e) => e.eventType)).toEqual(['EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED']);
    expect(late[marker + 2]!.workflowTaskStartedEventAttributes?.requestId).toBe('request-from-RespondWorkflowTaskCompleted');
    const patches = late.flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [JSON.parse(Buffer.from(e.markerRecordedEventAttributes.details!['patch-data']!.payloads[0]!.data, 'base64').toString('utf8')).id as string] : []));
    expect(patches).toEqual(['patches-asked-first']);
    expect(late.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBeLessThan(late.findIndex((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED'));
    expect(types(find('parked-and-retried.run'))).toEqual(expect.arrayContaining(['EVENT_TYPE_ACTIVITY_TASK_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED']));
  });

  it('holds no email in clear: payloads are encrypted with the test key (base64 fields read too)', () => {
    const readable = (v: unknown): string[] =>
      typeof v === 'string'
        ? [v, ...(/^[A-Za-z0-9+/]{4,}={0,2}$/.test(v) ? [Buffer.from(v, 'base64').toString('utf8')] : [])]
        : Array.isArray(v)
          ? v.flatMap(readable)
          : v && typeof v === 'object'
            ? Object.values(v).flatMap(readable)
            : [];
    for (const r of recorded) expect({ history: `${r.scenario}.${r.role}`, clear: readable(r.history).filter((t) => t.includes('@example.com')).length }).toEqual({ history: `${r.scenario}.${r.role}`, clear: 0 });
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
    expect(await replay(patched)).toEqual(Object.fromEntries(recorded.map((r) => [`${r.scenario}.${r.role}`, 'ok'])));
  });
});
