// Starts one real Temporal dev server (in memory, headless, Tenure's search attributes
// registered) for the whole run. Starting it here, once, and connecting to it from the
// tests avoids the SDK's 5-second start limit on a loaded machine.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, startDevServer } from '../../devstack/index.ts';
import { prebuiltWorkflowBundle } from '../../workers/bundle.ts';
import { freePort } from '../helpers/ports.ts';

export default async function globalSetup(): Promise<void> {
  // The workflow bundle for the current sources, built here once (if they changed since the
  // last build) rather than by several test files at the same time.
  await prebuiltWorkflowBundle();
  const binary = requireTool('temporal', process.env);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tenure-test-temporal-'));
  const server = await startDevServer({ binary, port, logFile: join(dir, 'temporal.log'), readyTimeoutMs: 90_000 });
  process.env.TENURE_TEST_TEMPORAL_ADDRESS = server.address;
  (globalThis as { __tenureTemporal?: typeof server }).__tenureTemporal = server;
}
