/**
 * How fast definitions validate. Prints:
 *   - loading N definitions (default 1,000) in process: total, per definition, heap;
 *   - `tenure validate` on that folder as a child process (what CI and pre-commit hooks see);
 *   - `tenure validate` on each hostile fixture (the target: every one exits non-zero within 2 s).
 *
 *   npm run bench:validate               # N = 1000
 *   npm run bench:validate -- 5000
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitions } from '../dsl/index.ts';
import { loadAverage, printRows } from './lib.ts';

const count = Number(process.argv[2] ?? 1000);
console.log(`validate benchmark: load average ${loadAverage()}`);
const sources = [
  ...readdirSync('definitions').map((f) => join('definitions', f)),
  ...readdirSync('test/fixtures/definitions/valid').map((f) => join('test/fixtures/definitions/valid', f)),
].map((file) => readFileSync(file, 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-validate-'));
for (let i = 0; i < count; i++) {
  const text = (sources[i % sources.length] as string).replace(/^name: .+$/m, `name: bench-${i}`);
  writeFileSync(join(dir, `bench-${String(i).padStart(5, '0')}.yaml`), text);
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const heapBefore = process.memoryUsage().heapUsed;

// The first load pays for JIT warm-up; report it and a second, warm one.
let started = process.hrtime.bigint();
let cpuStarted = process.cpuUsage();
const cold = loadDefinitions([dir]);
const coldMs = ms(started);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const coldCpuMs = cpuMs(cpuStarted);
cpuStarted = process.cpuUsage();
started = process.hrtime.bigint();
const warm = loadDefinitions([dir]);
const warmMs = ms(started);
const warmCpuMs = cpuMs(cpuStarted);
if (cold.problems.length > 0 || warm.plans.length !== count) throw new Error(`expected ${count} valid definitions, got ${warm.plans.length} and ${cold.problems.length} problems`);
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;

started = process.hrtime.bigint();
execFileSync(process.execPath, ['bin/tenure.js', 'validate', dir], { stdio: 'ignore' });
const cliMs = ms(started);

const hostileDir = 'test/fixtures/definitions/hostile';
const hostile = readdirSync(hostileDir).map((name) => {
  const t = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['bin/tenure.js', 'validate', join(hostileDir, name)], { encoding: 'utf8', timeout: 10_000 });
  return { name, ms: ms(t), status: result.status };
});
started = process.hrtime.bigint();
spawnSync(process.execPath, ['bin/tenure.js', 'validate', '--help'], { stdio: 'ignore' });
const startupMs = ms(started);
rmSync(dir, { recursive: true, force: true });

const kinds = sources.length;
console.log(`validate ${count} definitions (${kinds} distinct shapes, every step kind, ${Math.round(warm.plans.reduce((n, p) => n + JSON.stringify(p).length, 0) / count)} B of plan each)`);
console.log(`  in process, cold:   ${coldMs.toFixed(0)} ms   (${((coldMs / count) * 1000).toFixed(0)} µs per definition)`);
console.log(`  in process, warm:   ${warmMs.toFixed(0)} ms   (${((warmMs / count) * 1000).toFixed(0)} µs per definition)`);
console.log(`  heap growth:        ${heapMb.toFixed(1)} MB`);
console.log(`  tenure validate:    ${cliMs.toFixed(0)} ms   (child process, start-up included; start-up alone ${startupMs.toFixed(0)} ms)`);
console.log(`hostile fixtures, tenure validate each (target: non-zero exit within 2000 ms)`);
for (const h of hostile) console.log(`  ${h.name.padEnd(24)} ${h.ms.toFixed(0).padStart(5)} ms   exit ${h.status}`);
const worst = Math.max(...hostile.map((h) => h.ms));
console.log(`  slowest: ${worst.toFixed(0)} ms; all non-zero: ${hostile.every((h) => h.status !== 0 && h.status !== null)}`);
printRows('results', [
  { figure: `${count} definitions validated in process`, measured: `${coldMs.toFixed(0)} ms, CPU ${coldCpuMs.toFixed(0)} ms (a second, warm pass: ${warmMs.toFixed(0)} ms, CPU ${warmCpuMs.toFixed(0)} ms)`, target: '< 1000 ms', met: coldMs < 1000 },
  { figure: 'hostile fixtures, tenure validate each', measured: `slowest ${worst.toFixed(0)} ms, all refused: ${hostile.every((h) => h.status !== 0 && h.status !== null)}`, target: '≤ 2000 ms', met: worst <= 2000 && hostile.every((h) => h.status !== 0 && h.status !== null) },
]);
