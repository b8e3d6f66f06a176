// A month-long wait re-targeted by a newer HR record, on Temporal's time-skipping test
// server, with the whole worker (both task queues) and real activities: the OpenAI
// emulator over HTTP, a SQLite store.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { requireTool } from '../../devstack/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, quietTemporalRuntime, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { employeeChangedSignal, openaiTaskQueueFor, SEARCH_ATTRIBUTES } from '../../workflows/shared.ts';
import { DAY, employee, hrEvent } from '../helpers/engine.ts';
import { compilePlan } from '../helpers/harness.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { uniqueTaskQueue } from '../helpers/temporal.ts';
import { TEST_DATA_CONVERTER, TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';

/** temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD: every Tenure attribute is a keyword. */
const INDEXED_KEYWORD = 2;

const ONBOARD = `
name: onboard
on: { event: employee.hired }
steps:
  - id: wait-for-start
    wait: { until: employee.startDate, offset: -1d, at: "08:00" }
  - id: invite
    action: openai.invite
    with: { email: "\${{ employee.email }}", role: reader }
`;

describe('the engine over months (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let emulator: RunningEmulator;
  let store: Store;
  let worker: RunningWorker;
  let taskQueue: string;
  const log = memoryLogger();

  beforeAll(async () => {
    quietTemporalRuntime('WARN');
    const bundle = await bundleWorkflows();
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: requireTool('temporal-test-server', process.env) } },
      client: { dataConverter: TEST_DATA_CONVERTER },
    });
    // The test server knows no custom search attributes until told, as a cluster would be.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(Object.values(SEARCH_ATTRIBUTES).map((key) => [key.name, INDEXED_KEYWORD])),
    });
    emulator = await startEmulator({ port: 0 });
    taskQueue = uniqueTaskQueue('engine-skip');
    const config = loadConfig({
      TEMPORAL_ADDRESS: env.address,
      TENURE_TASK_QUEUE: taskQueue,
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-engine-skip-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    });
    store = await Store.open(config.store);
    worker = await startWorker(config, { logger: log.logger, connection: env.nativeConnection, bundle, store });
  });

  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await env?.teardown();
  });

  const localTime = (iso: string, zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso)).replace(',', '');

  // The run is started as the entity starts it (its OpenAI actions on the rate-limited queue),
  // and told of the newer record as the entity tells it. The entity's part — forwarding an
  // update to a waiting run — is tested on the real server (engine-entity.test.ts); here the
  // server's clock is held while the test signals and skipped while it awaits the result.
  it('a two-month wait told of a later start date wakes the day before the new date, not the old one', async () => {
    const startedMs = await env.currentTimeMs();
    const day = (n: number) => new Date(startedMs + n * DAY).toISOString().slice(0, 10);
    const id = employee('S');
    const hire = hrEvent('employee.hired', id, { startDate: day(60), timezone: 'America/New_York' }, new Date(startedMs));
    const handle = await env.client.workflow.start('definitionRun', {
      taskQueue,
      workflowId: `onboard/${id}/${hire.id}`,
      args: [{ plan: compilePlan(ONBOARD), event: hire, openaiTaskQueue: openaiTaskQueueFor(taskQueue) }],
    });
    const moved = hrEvent('employee.updated', id, { startDate: day(90), timezone: 'America/New_York' }, new Date(startedMs + 1000));
    await handle.signal(employeeChangedSignal, { eventId: moved.id, occurredAt: moved.occurredAt, employee: moved.employee });
    const result = (await handle.result()) as DefinitionRunResult;
    expect(result.steps.map((s) => `${s.id} ${s.outcome}`)).toEqual(['wait-for-start waited', 'invite created']);
    expect(localTime(result.steps[0]!.until!, 'America/New_York')).toBe(`${day(89)} 08:00`);
    expect((await env.currentTimeMs()) - startedMs).toBeGreaterThan(88 * DAY);
    expect(emulator.organization.listInvites().filter((i) => i.email === hire.employee.email)).toHaveLength(1);
    // Two timers: the first (for the old date) was cancelled when the newer record came.
    const timers = ((await handle.fetchHistory()).events ?? []).filter((e) => e.timerStartedEventAttributes || e.timerCanceledEventAttributes);
    expect(timers.map((e) => (e.timerStartedEventAttributes ? 'started' : 'cancelled'))).toEqual(['started', 'cancelled', 'started']);
  });
});
