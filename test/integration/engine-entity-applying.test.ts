// An event the entity is applying shows in its state: taken from `pending`, it is neither
// "pending" nor "applied" while its note in the identity map is under way, and without
// this it looked lost (the lease stress test's diagnosis showed `pending: []` and no run
// for a departure whose note was in flight). On the real Temporal dev server, with real
// activities; the store's note for one person is held back (a gate in front of the real
// store, since nothing else can keep an activity in flight on demand) until the test has
// seen the state, then let through: the run starts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { Store } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult, EmployeeState } from '../../workflows/index.ts';
import { employee, hrEvent, resultOf, run } from '../helpers/engine.ts';
import { dispatch } from '../../triggers/index.ts';
import { compilePlan, type Harness } from '../helpers/harness.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { eventually } from '../helpers/process.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

const NOTIFY = compilePlan(`
name: bye
on: { event: employee.departed }
steps:
  - id: tell-it
    action: notify
    with: { channel: it, text: "Left \${{ employee.email }}" }
`);

describe('the entity state while an event is being applied', () => {
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let store: Store;
  let worker: RunningWorker;
  let h: Harness;
  const held = employee('HELD');
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let noting = false;

  beforeAll(async () => {
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0 });
    const config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('entity-applying'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-entity-applying-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    });
    store = await Store.open(config.store);
    // The real store, except that noting this person's events waits for the test.
    const gated = Object.create(store) as Store;
    gated.noteHrEvent = async (note, now) => {
      if (note.employeeId === held) {
        noting = true;
        await gate;
      }
      return store.noteHrEvent(note, now);
    };
    worker = await startWorker(config, { logger: memoryLogger().logger, connection: temporal.nativeConnection, bundle: await bundleWorkflows(), store: gated });
    h = { temporal, emulator, store, worker, config } as unknown as Harness;
  });
  afterAll(async () => {
    release();
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

  it('shows the event as applying, not pending and not applied, until its run starts', async () => {
    const departure = hrEvent('employee.departed', held);
    // Handed over without the trigger server's note (a trigger server with no store): the entity notes it itself.
    expect((await dispatch(h.temporal.client, h.config.taskQueue, [NOTIFY], departure)).outcome).toBe('accepted');
    await eventually(async () => (noting ? true : undefined), 30_000, 'the note of the departure to be under way');
    const state = await run(h, `employee/generic/${held}`).query<EmployeeState>('state');
    expect(state).toMatchObject({ pending: [], runs: [], applied: 0, applying: { eventId: departure.id, type: 'employee.departed', occurredAt: departure.occurredAt } });

    release();
    expect((await resultOf<DefinitionRunResult>(h, `bye/${held}/${departure.id}`)).status).toBe('done');
    await run(h, `employee/generic/${held}`).result();
  });
});
