// A store refusal cannot fail a person's entity workflow: on the real Temporal dev server,
// with real activities, a worker whose results store refuses to note one person's HR events
// (as it would an id too long for it: injected here, since the door no longer lets such an
// id in) still applies that person's events and starts their runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/index.ts';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { Store, StoreInputError } from '../../store/index.ts';
import { bundleWorkflows, startWorker, type RunningWorker } from '../../workers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { deliver, employee, hrEvent, resultOf, run } from '../helpers/engine.ts';
import { compilePlan, type Harness } from '../helpers/harness.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys.ts';
import { connectTemporal, temporalAddress, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal.ts';

const NOTIFY = compilePlan(`
name: hello
on: { event: employee.hired }
steps:
  - id: tell-it
    action: notify
    with: { channel: it, text: "Hired \${{ employee.email }}" }
`);

describe('a store refusal in the entity workflow', () => {
  let temporal: TestTemporal;
  let emulator: RunningEmulator;
  let store: Store;
  let worker: RunningWorker;
  let h: Harness;
  const refused = employee('REFUSED');
  const log = memoryLogger();

  beforeAll(async () => {
    temporal = await connectTemporal();
    emulator = await startEmulator({ port: 0 });
    const config = loadConfig({
      TEMPORAL_ADDRESS: temporalAddress(),
      TENURE_TASK_QUEUE: uniqueTaskQueue('store-refusal'),
      TENURE_HOME: mkdtempSync(join(tmpdir(), 'tenure-store-refusal-')),
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    });
    store = await Store.open(config.store);
    // The real store, except that it refuses to note this one person's events.
    const refusing = Object.create(store) as Store;
    refusing.noteHrEvent = async (note, now) => {
      if (note.employeeId === refused) throw new StoreInputError('employeeId', 'employeeId must be 1 to 256 bytes long (UTF-8)');
      return store.noteHrEvent(note, now);
    };
    worker = await startWorker(config, { logger: log.logger, connection: temporal.nativeConnection, bundle: await bundleWorkflows(), store: refusing });
    // The trigger server shares that store: its note is refused too, so the entity notes the event itself.
    h = { temporal, emulator, store: refusing, worker, config } as unknown as Harness;
  });
  afterAll(async () => {
    await worker?.shutdown();
    await store?.close();
    await emulator?.close();
    await temporal?.close();
  });

  it('is logged, and the event is applied: the run starts and the entity stays up', async () => {
    const event = hrEvent('employee.hired', refused);
    expect((await deliver(h, [NOTIFY], event)).outcome).toBe('accepted');
    const runId = `hello/${refused}/${event.id}`;
    expect((await resultOf<DefinitionRunResult>(h, runId)).status).toBe('done');
    // The entity completed its work instead of failing.
    await run(h, `employee/generic/${refused}`).result();
    expect((await run(h, `employee/generic/${refused}`).describe()).status.name).toBe('COMPLETED');
    expect(log.lines.some((line) => line.includes('refused to note this HR event'))).toBe(true);
    // The person's later events still reach it.
    const later = hrEvent('employee.hired', refused, {}, new Date(Date.now() + 1000));
    expect((await deliver(h, [NOTIFY], later)).outcome).toBe('accepted');
    expect((await resultOf<DefinitionRunResult>(h, `hello/${refused}/${later.id}`)).status).toBe('done');
  });
});
