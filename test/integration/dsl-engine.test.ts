// The language's control steps running for real: definitions compiled from YAML, run by
// the definition-run interpreter on the real Temporal dev server, with the real activities
// calling the OpenAI emulator over HTTP and writing to a SQLite store. Also hot reload
// through the real trigger server: new events get the new plan, a run in flight keeps its.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { WorkflowBundleOption } from '@temporalio/worker';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, Secret, type TenureConfig } from '../../config/index.ts';
import { DefinitionRegistry, loadDefinitionText, type Plan, type ReloadReport } from '../../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import type { HrEvent } from '../../events/index.ts';
import { Store } from '../../store/index.ts';
import { buildTriggerServer, genericSource, signGeneric } from '../../triggers/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult, RunState } from '../../workflows/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';
import { TEST_KEYS, TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { EncryptionCodec } from '../../codec/index.ts';
import type { Payload } from '@temporalio/common';

const WEBHOOK_SECRET = 'whsec_dGhpcyBpcyBhIHRlc3Qgd2ViaG9vayBzZWNyZXQgMTIzNDU2';

const APPROVAL_FLOW = `
name: owner-approval
on: { event: employee.hired }
steps:
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}" }
  - id: manager_approval
    approval:
      approvers: ["\${{ employee.manager.email }}"]
      message: "Owner rights for \${{ employee.email }}?"
      timeout: 1d
  - id: decide
    if: steps.manager_approval.output.approved && steps.invite.output.status == "pending"
    then:
      - id: granted
        action: notify
        with: { channel: it, text: "approved by \${{ steps.manager_approval.output.by }}: \${{ steps.manager_approval.output.reason }}" }
    else:
      - id: refused
        action: notify
        with: { channel: it, text: "refused by \${{ steps.manager_approval.output.by }}" }
`;

/** Polls `probe` until it returns a value: for state another process creates (a child run, a pending approval). */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** The inputs the run scheduled activities of `type` with, from its event history (decrypted with the test keys). */
async function activityInputs(handle: WorkflowHandle, type: string): Promise<unknown[]> {
  const history = await handle.fetchHistory();
  const payloads = (history.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes)
    .filter((a) => a?.activityType?.name === type)
    .map((a) => a?.input?.payloads?.[0] as Payload);
  // Histories are encrypted: read them as someone with the key would.
  const decoded = await new EncryptionCodec(TEST_KEYS).decode(payloads);
  return decoded.map((p) => JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8')) as unknown);
}

function plan(text: string): Plan {
  const { plan: compiled, problems } = loadDefinitionText(text, 'test.yaml');
  expect(problems).toEqual([]);
  return compiled as Plan;
}

describe('control steps on a real Temporal server', () => {
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let worker: RunningWorker;
  let store: Store;
  let config: TenureConfig;
  let bundle: WorkflowBundleOption;
  const log = memoryLogger();
  let counter = 0;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0 });
    config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('dsl-engine'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-dsl-engine-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
    TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    store = await Store.open(config.store);
    worker = await startWorker(config, { logger: log.logger, connection: temporal.nativeConnection, bundle, store });
  });

  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

  function hire(overrides: Partial<HrEvent['employee']> = {}): HrEvent {
    const id = `E-${Date.now()}-${++counter}`;
    return {
      id: `evt_${id}`,
      type: 'employee.hired',
      occurredAt: new Date().toISOString(),
      source: 'generic',
      employee: { id, email: `${id.toLowerCase()}@example.com`, manager: { email: 'grace@example.com' }, ...overrides },
    };
  }

  async function start(compiled: Plan, event: HrEvent): Promise<WorkflowHandle> {
    return temporal.client.workflow.start('definitionRun', {
      taskQueue: config.taskQueue,
      workflowId: `${compiled.name}/${event.employee.id}/${event.id}`,
      args: [{ plan: compiled, event }],
    });
  }

  it('waits for an approval, and the approver and reason steer a later if', async () => {
    const event = hire();
    const handle = await start(plan(APPROVAL_FLOW), event);
    const waiting = await eventually(async () => {
      const state = await handle.query<RunState>('status');
      return state.status === 'waiting' && state.currentStep === 'manager_approval' ? state : undefined;
    }, 'the run to wait for its approval');
    expect(waiting.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['invite created']);

    // A signal from someone not listed is ignored (the old signal is held to the approvers too)...
    await handle.signal('approve', { by: 'mallory@example.com', reason: 'me' });
    // ...so the approver's update finds the approval still open, and the run answers it.
    expect(await handle.executeUpdate('approve', { args: [{ by: 'grace@example.com', reason: 'team lead' }] })).toEqual({ decision: 'approve', step: 'manager_approval', by: 'grace@example.com' });
    const result = (await handle.result()) as DefinitionRunResult;
    expect(result.status).toBe('done');
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['invite created', 'manager_approval approved', 'decide then', 'granted logged']);
    expect(result.steps[1]?.approval).toEqual({ approved: true, by: 'grace@example.com', reason: 'team lead', timedOut: false });

    const audit = await store.audit({ employeeId: event.employee.id });
    expect(audit.map((a) => [a.stepId, a.action, a.outcome, a.target])).toEqual([
      ['invite', 'openai.invite', 'created', event.employee.email],
      ['manager_approval', 'approval', 'approved', 'grace@example.com'],
      ['granted', 'notify', 'logged', 'it'],
    ]);
    // The notify activity got the approver and reason through the templates.
    // With the audit row's known fields, so that the activity records its own success.
    expect(await activityInputs(handle, 'notify')).toEqual([{ channel: 'it', text: 'approved by grace@example.com: team lead', auditRow: expect.objectContaining({ recordKey: `${handle.workflowId}/granted`, stepId: 'granted', action: 'notify' }) }]);
  });

  it('refuses a decision the run cannot take yet, and takes the else branch on a rejection once it waits', async () => {
    const event = hire();
    // OpenAI refuses the invite for good: the run parks before it reaches the approval.
    emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 400, rate: 1, ms: 0, when: 'before' }] });
    let handle: WorkflowHandle;
    try {
      handle = await start(plan(APPROVAL_FLOW), event);
      await eventually(async () => ((await handle.query<RunState>('status')).status === 'needs-attention' ? true : undefined), 'the run to park');
      const early = await handle.executeUpdate('reject', { args: [{ by: 'grace@example.com', reason: 'not needed' }] }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(((early as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('NO_PENDING_APPROVAL');
    } finally {
      emulator.faults.clear();
    }
    expect(await handle.executeUpdate('retry', { args: [{ by: 'ops@example.com' }] })).toEqual({ decision: 'retry', step: 'invite', by: 'ops@example.com' });
    await eventually(async () => ((await handle.query<RunState>('status')).awaitingApproval ? true : undefined), 'the run to wait for its approval');
    await handle.executeUpdate('reject', { args: [{ by: 'grace@example.com', reason: 'not needed', step: 'manager_approval' }] });
    const result = (await handle.result()) as DefinitionRunResult;
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['invite created', 'manager_approval rejected', 'decide else', 'refused logged']);
    expect(result.steps[1]?.approval).toMatchObject({ approved: false, by: 'grace@example.com', reason: 'not needed' });
    const audit = await store.audit({ employeeId: event.employee.id });
    expect(audit.find((a) => a.stepId === 'manager_approval')).toMatchObject({ outcome: 'rejected', target: 'grace@example.com', actor: 'grace@example.com', reason: 'not needed' });
  });

  it('branches on the event: if/then/else without approvals', async () => {
    const flow = plan(`
name: by-department
on: { event: employee.hired }
steps:
  - id: research
    if: employee.department == "Research"
    then:
      - id: tell-research
        action: notify
        with: { channel: research, text: "\${{ employee.email }}" }
    else:
      - id: tell-others
        action: notify
        with: { channel: others, text: "\${{ employee.department }}" }
  - id: after
    if: steps.research.output.branch == "else"
    then:
      - id: note
        action: record
        with: { note: "not research" }
`);
    const research = (await (await start(flow, hire({ department: 'Research' }))).result()) as DefinitionRunResult;
    expect(research.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['research then', 'tell-research logged', 'after else']);
    const other = (await (await start(flow, hire({ department: 'Sales' }))).result()) as DefinitionRunResult;
    expect(other.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['research else', 'tell-others logged', 'after then', 'note noop']);
  });

  it('parks a run at once, with BAD_EXPRESSION, when a condition cannot be evaluated on the event; an abort fails it', async () => {
    // Type-checks (department is a string), but this hire has no department: null has no startsWith.
    const flow = plan(`
name: fragile
on: { event: employee.hired }
steps:
  - id: check
    if: employee.department.startsWith("Eng")
    then:
      - id: tell
        action: notify
        with: { channel: it, text: engineer }
`);
    const handle = await start(flow, hire());
    const parked = await eventually(async () => {
      const state = await handle.query<RunState>('status');
      return state.status === 'needs-attention' ? state : undefined;
    }, 'the run to park');
    expect(parked.attention).toMatchObject({ step: 'check', error: { type: 'BAD_EXPRESSION' } });
    await handle.signal('abort', { by: 'ops@example.com', reason: 'department is missing in HR' });
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('RUN_ABORTED');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect(((cause as ApplicationFailure).cause as ApplicationFailure).type).toBe('BAD_EXPRESSION');
  });

  it('an expression over budget on the run\'s values parks the step with EXPRESSION_BUDGET instead of stalling the workflow task', async () => {
    const flow = plan(`
name: costly
vars: { xs: [1, 2, 3] }
on: { event: employee.hired }
steps:
  - id: check
    if: vars.xs.map(a, vars.xs.map(b, vars.xs.map(c, vars.xs.map(d, a + b + c + d)))).size() > 0
    then:
      - id: tell
        action: notify
        with: { channel: it, text: many }
`);
    // Larger values than the definition was checked with at load (as a step's output can be).
    const handle = await start({ ...flow, vars: { xs: Array.from({ length: 100 }, (_, i) => i) } }, hire());
    const parked = await eventually(async () => {
      const state = await handle.query<RunState>('status');
      return state.status === 'needs-attention' ? state : undefined;
    }, 'the run to park');
    expect(parked.attention).toMatchObject({ step: 'check', error: { type: 'EXPRESSION_BUDGET', message: expect.stringMatching(/more than the budget/) } });
    await handle.signal('abort', { by: 'ops@example.com', reason: 'too costly' });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  });

  it('notify escapes what HR sent for Slack, keeps the definition\'s own markup, and without a webhook logs the message with outcome logged', async () => {
    const flow = plan(`
name: greet
on: { event: employee.hired }
steps:
  - id: tell
    action: notify
    with: { channel: it, text: "<!here> welcome \${{ employee.firstName }} (\${{ employee.title }})" }
`);
    const event = hire({ firstName: '<!channel>', title: '<https://evil.example|Payroll> & co' });
    const handle = await start(flow, event);
    expect((await handle.result()).steps.map((s: { outcome: string }) => s.outcome)).toEqual(['logged']);
    const text = '<!here> welcome &lt;!channel&gt; (&lt;https://evil.example|Payroll&gt; &amp; co)';
    expect(await activityInputs(handle, 'notify')).toEqual([{ channel: 'it', text, auditRow: expect.objectContaining({ stepId: 'tell' }) }]);
    const [row] = await store.audit({ runId: handle.workflowId });
    expect(row).toMatchObject({ action: 'notify', outcome: 'logged', target: 'it' });
    // The worker's logger (TENURE_LOG_LEVEL) has it, not only the SDK's console at WARN.
    expect(log.lines.some((line) => line.includes('notification') && line.includes('&lt;!channel&gt;'))).toBe(true);
  });

  it('reloads definitions while serving: new events get the new version, a run in flight keeps its plan', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-dsl-reload-'));
    const file = join(dir, 'reloaded.yaml');
    const definition = (channel: string) => `
name: reloaded
on: { event: employee.hired }
steps:
  - id: hold
    approval: { approvers: [it-desk], timeout: 1d }
  - id: go
    if: steps.hold.output.approved
    then:
      - id: tell
        action: notify
        with: { channel: ${channel}, text: "\${{ employee.email }}" }
`;
    writeFileSync(file, definition('version-one'));
    let reloaded: ((report: ReloadReport) => void) | undefined;
    const registry = DefinitionRegistry.open({ dir, debounceMs: 50, onReload: (report) => reloaded?.(report) }).watch();
    const app = buildTriggerServer({
      client: temporal.client,
      taskQueue: config.taskQueue,
      sources: [genericSource(new Secret(WEBHOOK_SECRET))],
      plans: () => registry.plans(),
      logger: log.logger,
    });
    const deliver = async (event: HrEvent) => {
      const body = JSON.stringify(event);
      const response = await app.inject({
        method: 'POST',
        url: '/webhooks/generic',
        headers: { 'content-type': 'application/json', ...signGeneric(new Secret(WEBHOOK_SECRET), event.id, body) },
        payload: body,
      });
      expect(response.statusCode).toBe(202);
      return (response.json() as { events: { runs: string[] }[] }).events[0]!.runs[0]!;
    };

    try {
      const v1 = registry.plans()[0]!.version;
      const first = await deliver(hire());
      const firstHandle = temporal.client.workflow.getHandle(first);
      await eventually(async () => ((await firstHandle.query<RunState>('status')).currentStep === 'hold' ? true : undefined), 'the first run to start');

      const report = await new Promise<ReloadReport>((resolve) => {
        reloaded = resolve;
        writeFileSync(file, definition('version-two'));
      });
      const v2 = report.plans[0]!.version;
      expect(v2).not.toBe(v1);

      const second = await deliver(hire());
      const secondHandle = temporal.client.workflow.getHandle(second);
      await eventually(async () => ((await secondHandle.query<RunState>('status')).currentStep === 'hold' ? true : undefined), 'the second run to start');

      for (const handle of [firstHandle, secondHandle]) await handle.signal('approve', { by: 'it-desk' });
      const [a, b] = (await Promise.all([firstHandle.result(), secondHandle.result()])) as DefinitionRunResult[];
      expect([a?.version, b?.version]).toEqual([v1, v2]);
      const targets = async (runId: string) => (await store.audit({ runId })).filter((row) => row.stepId === 'tell').map((row) => row.target);
      expect(await targets(first)).toEqual(['version-one']);
      expect(await targets(second)).toEqual(['version-two']);
    } finally {
      registry.close();
      await app.close();
    }
  });
});
