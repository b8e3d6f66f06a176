/**
 * A Tenure worker for bench/worker-start.ts: `--bundle prebuilt` loads the prebuilt workflow
 * bundle (what `tenure worker` does), `--bundle inline` bundles the workflow code in this
 * process at start (what the SDK does when given only a workflows path). Prints
 * `ready <ms since process start>` once both workers poll, then runs until SIGTERM.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.ts';
import { createLogger } from '../logging/index.ts';
import { bundleWorkflowsNow, quietTemporalRuntime, startWorker } from '../workers/index.ts';

const { values } = parseArgs({ options: { bundle: { type: 'string', default: 'prebuilt' } } });
quietTemporalRuntime('WARN');
const config = loadConfig(process.env);
const bundle = values.bundle === 'inline' ? await bundleWorkflowsNow() : undefined;
const worker = await startWorker(config, { logger: createLogger({ level: 'warn', name: 'bench-worker' }), ...(bundle ? { bundle } : {}) });
console.log(`ready ${performance.now().toFixed(0)}`);
process.once('SIGTERM', () => void worker.shutdown());
await worker.done;
