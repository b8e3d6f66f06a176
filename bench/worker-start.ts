/**
 * The worker with and without the prebuilt workflow bundle, side by side in the same run:
 * each started as its own process against one Temporal dev server, alternately, R times.
 * Prints the time to polling and the resident memory once polling (VmRSS), and the peak
 * during start (VmHWM): bundling in process runs webpack, whose memory the process keeps.
 *
 *   npm run bench:worker-start               # 3 starts of each
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { newPayloadKeyEntry } from '../codec/index.ts';
import { requireTool, startDevServer } from '../devstack/index.ts';
import { startEmulator } from '../emulator/index.ts';
import { prebuiltWorkflowBundle } from '../workers/bundle.ts';
import { loadAverage, median, ms, printRows, processMiB, sleep, until } from './lib.ts';

const { values } = parseArgs({ options: { starts: { type: 'string', default: '3' } } });
const STARTS = Number(values.starts);

console.log(`worker start benchmark: ${STARTS} starts of each; load average ${loadAverage()}`);
const built = await prebuiltWorkflowBundle();
const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-worker-'));
const server = await startDevServer({ binary: requireTool('temporal', process.env), port: 17000 + Math.floor(Math.random() * 3000), logFile: join(dir, 'temporal.log'), readyTimeoutMs: 90_000 });
const emulator = await startEmulator({ port: 0 });
const payloadKey = newPayloadKeyEntry('bench');

async function start(bundle: 'prebuilt' | 'inline'): Promise<{ readyMs: number; rssMiB: number; peakMiB: number }> {
  const child = spawn(process.execPath, ['bench/worker-process.ts', '--bundle', bundle], {
    env: { ...process.env, TEMPORAL_ADDRESS: server.address, TENURE_TASK_QUEUE: `start-${bundle}`, TENURE_HOME: dir, OPENAI_ADMIN_KEY: emulator.adminKey, OPENAI_BASE_URL: emulator.baseUrl, TENURE_PAYLOAD_KEYS: payloadKey, TENURE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  await until(() => /^ready \d+/m.test(output), `the ${bundle} worker to start`, 120_000, () => {
    if (child.exitCode !== null) throw new Error(`the ${bundle} worker exited:\n${output}`);
  });
  // Let the freshly started process settle (the first polls, a GC) before reading its memory.
  await sleep(2000);
  const result = { readyMs: Number(/^ready (\d+)/m.exec(output)?.[1]), rssMiB: processMiB(child.pid as number, 'VmRSS'), peakMiB: processMiB(child.pid as number, 'VmHWM') };
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return result;
}

try {
  const runs = { prebuilt: [] as Awaited<ReturnType<typeof start>>[], inline: [] as Awaited<ReturnType<typeof start>>[] };
  for (let i = 0; i < STARTS; i++) {
    runs.inline.push(await start('inline'));
    runs.prebuilt.push(await start('prebuilt'));
  }
  const summary = (list: Awaited<ReturnType<typeof start>>[]) => ({
    readyMs: median(list.map((r) => r.readyMs)),
    rssMiB: median(list.map((r) => r.rssMiB)),
    peakMiB: median(list.map((r) => r.peakMiB)),
  });
  const pre = summary(runs.prebuilt);
  const inline = summary(runs.inline);
  printRows(`results (medians of ${STARTS}; bundle ${built.codePath.replace(process.cwd() + '/', '')})`, [
    { figure: 'worker RSS after start, prebuilt bundle', measured: `${pre.rssMiB.toFixed(0)} MiB (peak ${pre.peakMiB.toFixed(0)} MiB, polling after ${ms(pre.readyMs)})`, target: '≤ 300 MiB', met: pre.rssMiB <= 300 },
    { figure: 'worker RSS after start, bundling at start', measured: `${inline.rssMiB.toFixed(0)} MiB (peak ${inline.peakMiB.toFixed(0)} MiB, polling after ${ms(inline.readyMs)})`, target: '', met: null },
  ]);
} finally {
  await emulator.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
