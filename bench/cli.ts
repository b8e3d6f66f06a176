/**
 * How fast `tenure` answers: `tenure --help` and `tenure validate <one file>`, each run R
 * times as a child process of bin/tenure.js (Node's compile cache warm after the first),
 * median reported, with the CPU time the process used (user + system: what it costs on an idle
 * core, whatever else the machine runs); and `npx tenure --version` once through npm, whose output must carry no
 * `npm warn` line (npm may run on an older system Node than Tenure's).
 *
 *   npm run bench:cli              # 7 runs of each
 */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadAverage, median, ms, printRows } from './lib.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);

// Each child reports the CPU time it used, on exit.
const CPU_REPORT = '--import=./bench/report-cpu.ts';
const cpu: Record<string, number[]> = {};

function timed(args: string[]): number[] {
  const times: number[] = [];
  const key = args.join(' ');
  cpu[key] = [];
  // One unmeasured run fills the compile cache, as any earlier use of the command has.
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['bin/tenure.js', ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: CPU_REPORT } });
    if (result.status !== 0) throw new Error(`tenure ${args.join(' ')} failed:\n${result.stderr}`);
    if (i > 0) {
      times.push(performance.now() - started);
      (cpu[key] as number[]).push(Number(/CPU-MS ([\d.]+)/.exec(result.stderr)?.[1]));
    }
  }
  return times;
}

console.log(`cli benchmark: ${RUNS} runs of each; load average ${loadAverage()}`);
const bare = timed(['--version']);
const help = timed(['--help']);
const validate = timed(['validate', 'definitions/onboard-openai.yaml']);
// npx as a person runs it: npm's own Node first on PATH, not the project's.
const systemPath = (process.env.PATH ?? '').split(':').filter((p) => !p.includes('node_modules')).join(':');
const npxStarted = performance.now();
const npx = spawnSync('npx', ['tenure', 'validate', 'definitions/onboard-openai.yaml'], { encoding: 'utf8', env: { ...process.env, PATH: systemPath } });
const npxMs = performance.now() - npxStarted;
const npmNode = spawnSync('node', ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: systemPath } }).stdout.trim();
const warnings = `${npx.stdout}${npx.stderr}`.split('\n').filter((l) => /npm warn/i.test(l));
if (npx.status !== 0) throw new Error(`npx tenure validate failed:\n${npx.stderr}`);

printRows('results (medians)', [
  { figure: 'tenure --help', measured: `${ms(median(help))}, CPU ${ms(median(cpu['--help'] as number[]))} (--version: ${ms(median(bare))})`, target: '≤ 300 ms', met: median(help) <= 300 },
  { figure: 'tenure validate, one file', measured: `${ms(median(validate))}, CPU ${ms(median(cpu['validate definitions/onboard-openai.yaml'] as number[]))}`, target: '≤ 300 ms', met: median(validate) <= 300 },
  { figure: `npx tenure validate (npm on Node ${npmNode})`, measured: `${warnings.length} npm warnings; ${ms(npxMs)} with npm's own start`, target: 'no warnings', met: warnings.length === 0 },
]);
