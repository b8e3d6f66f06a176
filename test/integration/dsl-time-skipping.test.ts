// Long waits and approval timeouts, on Temporal's time-skipping test server (the real
// server binary, with its clock skipped while the run is idle): a months-long wait and a
// 3-day approval timeout finish in seconds of real time. Activities are real too: the
// OpenAI emulator over HTTP and a SQLite store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, createActivities } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import { requireTool } from '../../devstack/index.ts';
import { loadDefinitionText, type Plan } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, quietTemporalRuntime } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/shared.ts';
import { uniqueTaskQueue } from '../helpers/temporal.ts';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: every Tenure attribute is a keyword. */
const INDEXED_KEYWORD = 2;

const DAY = 86_400_000;

function plan(text: string): Plan {
  const { plan: compiled, problems } = loadDefinitionText(text, 'test.yaml');
  expect(problems).toEqual([]);
  return compiled as Plan;
}

describe('long waits and approval timeouts (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let emulator: RunningEmulator;
  let store: Store;
  let openai: AdminClient;
  let bundle: WorkflowBundleOption;

  beforeAll(async () => {
    quietTemporalRuntime('WARN');
    bundle = await bundleWorkflows();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireTool('temporal-test-server', process.env) } },
    });
    // The test server knows no custom search attributes until told, as a cluster would be.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, INDEXED_KEYWORD])),
    });
    emulator = await startEmulator({ port: 0 });
    store = await Store.open({ kind: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'tenure-skip-')), 'tenure.db') });
    openai = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret(emulator.adminKey), timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await openai?.close();
    await store?.close();
    await emulator?.close();
    await env?.teardown();
  });

  async function run(compiled: Plan, event: HrEvent): Promise<{ result: DefinitionRunResult; startedMs: number; endedMs: number }> {
    const taskQueue = uniqueTaskQueue('skip');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: createActivities({ openai, store }),
    });
    return worker.runUntil(async () => {
      const startedMs = await env.currentTimeMs();
      const result = (await env.client.workflow.execute('definitionRun', {
        taskQueue,
        workflowId: `${compiled.name}/${event.employee.id}/${event.id}`,
        args: [{ plan: compiled, event }],
      })) as DefinitionRunResult;
      return { result, startedMs, endedMs: await env.currentTimeMs() };
    });
  }

  function hire(employee: Partial<HrEvent['employee']>): HrEvent {
    const id = `E-skip-${Date.now()}`;
    return { id: `evt_${id}`, type: 'employee.hired', occurredAt: new Date().toISOString(), source: 'generic', employee: { id, email: `${id.toLowerCase()}@example.com`, ...employee } };
  }

  it('waits months, until a local date and time, then acts', async () => {
    const start = new Date(Date.now() + 120 * DAY).toISOString().slice(0, 10);
    const compiled = plan(`
name: far-future-start
on: { event: employee.hired }
steps:
  - id: pause
    wait: 2w
  - id: wait-for-start
    wait: { until: employee.startDate, offset: -1d, at: "08:00" }
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}" }
`);
    const event = hire({ startDate: start, timezone: 'Pacific/Auckland' });
    const { result, startedMs, endedMs } = await run(compiled, event);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['pause waited', 'wait-for-start waited', 'invite created']);
    // 08:00 in Auckland the day before the start date, whatever the daylight-saving offset then.
    const until = new Date(result.steps[1]!.until!);
    const local = new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Auckland', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(until);
    const dayBefore = new Date(Date.parse(`${start}T00:00:00Z`) - DAY).toISOString().slice(0, 10);
    expect(local.replace(',', '')).toBe(`${dayBefore} 08:00`);
    expect(endedMs - startedMs).toBeGreaterThan(100 * DAY);
    expect(emulator.organization.listInvites().filter((i) => i.email === event.employee.email)).toHaveLength(1);
  });

  it('decides an approval nobody answered by its onTimeout, and says so', async () => {
    const compiled = plan(`
name: approve-on-timeout
on: { event: employee.hired }
steps:
  - id: ask
    approval: { approvers: [it-desk], timeout: 3d, onTimeout: approve }
  - id: decide
    if: steps.ask.output.approved && steps.ask.output.timedOut
    then:
      - id: invite
        action: openai.invite
        with: { email: "\${{ employee.email }}" }
`);
    const event = hire({});
    const { result, startedMs, endedMs } = await run(compiled, event);
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask approved', 'decide then', 'invite created']);
    expect(result.steps[0]?.approval).toMatchObject({ approved: true, by: null, timedOut: true });
    expect(endedMs - startedMs).toBeGreaterThanOrEqual(3 * DAY);
    const audit = await store.audit({ employeeId: event.employee.id });
    expect(audit.map((a) => [a.stepId, a.outcome, a.target])).toEqual([
      ['ask', 'approved', 'timeout'],
      ['invite', 'created', event.employee.email],
    ]);
  });

  it('rejects on timeout by default', async () => {
    const compiled = plan(`
name: reject-on-timeout
on: { event: employee.hired }
steps:
  - id: ask
    approval: { approvers: [it-desk], timeout: 2d }
  - id: decide
    if: steps.ask.output.approved
    then:
      - id: invite
        action: openai.invite
        with: { email: "\${{ employee.email }}" }
`);
    const { result } = await run(compiled, hire({}));
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['ask rejected', 'decide else']);
  });
});
