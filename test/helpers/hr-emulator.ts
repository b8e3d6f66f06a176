// The emulator with an HR directory, for tests that speak to the HR emulators over HTTP.
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import { HrDirectory, startEmulator, type RunningEmulator } from '../../emulator/index.ts';

export interface HrEmulatorForTests {
  /** The people the HR emulators serve. */
  readonly hris: HrDirectory;
  /** There once the tests run. */
  readonly emulator: RunningEmulator;
}

/**
 * Starts the emulator (on a free port, with an HR directory) before the tests of the file
 * or describe block that calls it, and closes it after; each test starts with an empty
 * directory, no faults and an empty request log.
 */
export function hrEmulatorForTests(): HrEmulatorForTests {
  const hris = new HrDirectory();
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, hris });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    hris.reset();
    emulator!.faults.clear();
    (emulator!.requests as unknown[]).length = 0;
  });
  return {
    hris,
    get emulator() {
      if (!emulator) throw new Error('the HR emulator starts in beforeAll: read it inside a test');
      return emulator;
    },
  };
}
