/**
 * What each workflow costs the worker before it does anything: in the worker's shared V8
 * context every workflow evaluates the modules it imports for itself (the SDK keeps one
 * module cache per workflow), so each cached workflow holds its own copy of them, and each
 * replay builds them again. This evaluates the prebuilt workflow bundle as the SDK does
 * (one context, a fresh module cache per workflow) N times and prints the heap each
 * workflow keeps and the time its modules take:
 *
 *   - a workflow that evaluates no expression (entity, acceptance check, sync);
 *   - a definition run, which also loads the expression engine and the action declarations
 *     (workflows/run/engine.ts loads them at its first step);
 *   - the two together, as every hire has, against the cost of one hire's modules when
 *     everything was imported statically (1,361 KB per workflow, twice per hire).
 *
 *   npm run bench:workflow-modules              # N = 40
 *   npm run bench:workflow-modules -- --n 100
 *
 * Needs `node --expose-gc` (the script sets it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import vm from 'node:vm';
import { bundleWorkflowsNow, prebuiltWorkflowBundle } from '../workers/bundle.ts';
import { printRows } from './lib.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '40' } } });
const N = Number(values.n);
const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with node --expose-gc (npm run bench:workflow-modules does)');
const gc: () => void = exposedGc;

/** Heap kept per workflow and time per workflow, evaluating `code`'s workflows N times in one context. */
function perWorkflow(code: string): { kib: number; ms: number } {
  let cache: Record<string, unknown> = {};
  const context = vm.createContext({ console, TextEncoder, TextDecoder, URL, URLSearchParams, AbortController, setTimeout, clearTimeout, __TEMPORAL_ARGS__: {} });
  // As the SDK's reusable context does: the bundle's module cache is the current workflow's.
  context.__webpack_module_cache__ = new Proxy({}, {
    get: (_, id) => cache[id as string],
    set: (_, id, module) => ((cache[id as string] = module), true),
    deleteProperty: (_, id) => delete cache[id as string],
    has: (_, id) => id in cache,
  });
  vm.runInContext(code, context);
  const temporal = context.__TEMPORAL__ as { importWorkflows: () => unknown };
  temporal.importWorkflows();
  const heap = () => (gc(), gc(), process.memoryUsage().heapUsed);
  const kept: unknown[] = [];
  const before = heap();
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    cache = {};
    kept.push(cache, temporal.importWorkflows());
  }
  const ms = (performance.now() - started) / N;
  return { kib: (heap() - before) / N / 1024, ms };
}

console.log(`workflow modules benchmark: ${N} workflows of each kind in one context`);
const prebuilt = await prebuiltWorkflowBundle();
const plain = perWorkflow(readFileSync(prebuilt.codePath, 'utf8'));
// A run: the same workflows plus what a run loads at its first step.
// (The entry lives in the project, so that webpack compiles it as it does the workflows.)
const entry = join(mkdtempSync(resolve('.build/modules-')), 'run-entry.ts');
writeFileSync(entry, `export * from ${JSON.stringify(resolve('workflows/index.ts'))};\nexport * as engine from ${JSON.stringify(resolve('workflows/run/engine-modules.ts'))};\n`);
const run = perWorkflow((await bundleWorkflowsNow(entry).finally(() => rmSync(dirname(entry), { recursive: true, force: true }))).code);
const before = 1361 * 2;
printRows('results (heap each workflow keeps while cached, and the time its modules take at each start or replay)', [
  { figure: 'a workflow that evaluates nothing', measured: `${plain.kib.toFixed(0)} KiB, ${plain.ms.toFixed(1)} ms`, target: '', met: null },
  { figure: 'a definition run (engine loaded)', measured: `${run.kib.toFixed(0)} KiB, ${run.ms.toFixed(1)} ms`, target: '', met: null },
  { figure: 'one hire (entity + run)', measured: `${(plain.kib + run.kib).toFixed(0)} KiB (every module in every workflow: ${before} KiB)`, target: `< ${before} KiB`, met: plain.kib + run.kib < before },
]);
