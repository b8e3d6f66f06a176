/**
 * Every benchmark, one after the other (each in its own process, so none inherits another's
 * memory), then one table of every figure with its target. Peers are measured side by side
 * inside their benchmark (raw signalWithStart beside the trigger server, the worker with and
 * without the prebuilt bundle). Prints the machine and its load before and after: the figures
 * of a loaded machine are slower than its quiet ones.
 *
 *   npm run bench                 # everything (about 10 minutes on 2 cores)
 *   npm run bench -- cli hire     # some of them
 */
import { spawn } from 'node:child_process';
import { loadAverage, machine, type Row } from './lib.ts';

const BENCHMARKS: Record<string, string[]> = {
  cli: ['bench/cli.ts'],
  validate: ['bench/validate.ts'],
  'worker-start': ['bench/worker-start.ts'],
  'workflow-modules': ['--expose-gc', 'bench/workflow-modules.ts'],
  ingest: ['bench/ingest.ts'],
  hire: ['bench/hire.ts'],
  engine: ['bench/engine.ts'],
  store: ['bench/store-record.ts'],
};

const chosen = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of chosen) if (!(name in BENCHMARKS)) throw new Error(`no benchmark '${name}'; they are ${Object.keys(BENCHMARKS).join(', ')}`);
const names = chosen.length > 0 ? chosen : Object.keys(BENCHMARKS);

console.log(`machine: ${machine()}`);
console.log(`load average before: ${loadAverage()}`);
const rows: Row[] = [];
const failed: string[] = [];
for (const name of names) {
  console.log(`\n== ${name}`);
  const child = spawn(process.execPath, BENCHMARKS[name] as string[], { env: { ...process.env, TENURE_BENCH_ROWS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('BENCH-ROW ')) rows.push(JSON.parse(line.slice('BENCH-ROW '.length)) as Row);
      else console.log(line);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) failed.push(name);
}

console.log(`\nload average after: ${loadAverage()}`);
console.log('every figure:');
const width = Math.max(...rows.map((r) => r.figure.length));
for (const row of rows) {
  const verdict = row.met === null ? '' : row.met ? 'met' : 'NOT MET';
  console.log(`  ${row.figure.padEnd(width)}  ${verdict.padEnd(7)}  ${row.measured}${row.target ? `  (target ${row.target})` : ''}`);
}
if (failed.length > 0) {
  console.log(`benchmarks that failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
