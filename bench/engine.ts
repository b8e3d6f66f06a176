/**
 * The engine under a burst: N signed hire webhooks fired at the trigger server, each
 * provisioned (one `openai.invite`) against the emulator by a worker process whose OpenAI
 * actions are limited to R per second for the whole task queue. Prints:
 *
 *   - events/s accepted by the trigger server (2xx answered: Temporal has them);
 *   - webhook → invite latency, p50 / p99 / max (sent to the emulator creating the invite);
 *   - total time against the ideal N / R;
 *   - Temporal actions per provisioned user (from a sample of histories: starts, activity
 *     attempts, timers, signals, search-attribute upserts), and history events per user;
 *   - peak resident memory of the worker process (VmHWM);
 *   - 429s the emulator answered (with --429) and that every one was absorbed.
 *
 *   npm run bench:engine                       # N = 1000, R = 20/s
 *   npm run bench:engine -- --n 200 --rate 10  # smaller
 *   npm run bench:engine -- --n 300 --429 0.05 # 5% of invite POSTs answered 429 (Retry-After 1 s)
 *
 * Everything runs here: its own Temporal dev server (in memory), the emulator and the
 * trigger server in this process, and `tenure worker` as a child process.
 */
import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { Secret } from '../config/index.ts';
import { requireTool, startDevServer } from '../devstack/index.ts';
import { loadDefinitions } from '../dsl/index.ts';
import { startEmulator } from '../emulator/index.ts';
import type { HrEvent } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { buildTriggerServer, genericSource, signGeneric } from '../triggers/index.ts';
import { employeeWorkflowId, runWorkflowId } from '../workflows/shared.ts';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    sample: { type: 'string', default: '50' },
    '429': { type: 'string', default: '0' },
  },
});
const N = Number(values.n);
const R = Number(values.rate);
const C = Number(values.concurrency);
const SAMPLE = Math.min(N, Number(values.sample));
const RATE_429 = Number(values['429']);
const SECRET = new Secret('whsec_YmVuY2ggZW5naW5lIHdlYmhvb2sgc2VjcmV0IDEyMw==');

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const line = (label: string, value: string) => console.log(`  ${label.padEnd(38)} ${value}`);

const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-engine-'));
const port = 17000 + Math.floor(Math.random() * 3000);
console.log(`engine benchmark: N=${N} hires, R=${R} OpenAI actions/s, ${C} senders${RATE_429 ? `, ${RATE_429 * 100}% of invites answered 429` : ''}`);
const server = await startDevServer({ binary: requireTool('temporal', process.env), port, logFile: join(dir, 'temporal.log'), readyTimeoutMs: 90_000 });
const emulator = await startEmulator({ port: 0 });
const invitedAt = new Map<string, number>();
const createInvite = emulator.organization.createInvite.bind(emulator.organization);
// The moment each invite exists: the end of webhook → invite.
emulator.organization.createInvite = (input) => {
  const invite = createInvite(input);
  if (!invitedAt.has(input.email)) invitedAt.set(input.email, performance.now());
  return invite;
};
if (RATE_429 > 0) {
  emulator.faults.set({ seed: 7, rules: [{ path: '/v1/organization/invites', method: 'POST', kind: 'status', status: 429, retryAfter: 1, rate: RATE_429, ms: 0, when: 'before' }] });
}

const taskQueue = 'bench';
const worker = spawn(process.execPath, ['bin/tenure.js', 'worker'], {
  env: {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TENURE_TASK_QUEUE: taskQueue,
    TENURE_HOME: dir,
    OPENAI_ADMIN_KEY: emulator.adminKey,
    OPENAI_BASE_URL: emulator.baseUrl,
    TENURE_OPENAI_RATE_PER_SECOND: String(R),
    TENURE_LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let workerOutput = '';
const keep = (chunk: Buffer) => (workerOutput = (workerOutput + chunk.toString()).slice(-65_536));
worker.stdout.on('data', keep);
worker.stderr.on('data', keep);
/** A field of the worker process's /proc status, MiB (VmHWM: peak resident set since start; VmRSS: now). */
const workerMiB = (field: 'VmHWM' | 'VmRSS') => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${worker.pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
};
// Resident memory while the burst is worked off (the start-up peak includes bundling the workflows).
let burstPeakMiB = 0;
const sampler = setInterval(() => {
  if (/worker started/.test(workerOutput)) burstPeakMiB = Math.max(burstPeakMiB, workerMiB('VmRSS'));
}, 250);

const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const { plans, problems } = loadDefinitions(['definitions']);
if (problems.length > 0) throw new Error(`definitions/ has problems: ${problems.map((p) => p.message).join('; ')}`);
const app = buildTriggerServer({ client, taskQueue, sources: [genericSource(SECRET)], plans: () => plans, logger: createLogger({ level: 'warn', name: 'bench' }) });
const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/webhooks/generic`;
const agent = new Agent({ connections: C });

try {
  // The worker bundles workflows at start; wait until it says it polls.
  const warm = Date.now();
  const deadline = Date.now() + 120_000;
  while (!/worker started/.test(workerOutput)) {
    if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${workerOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`  (worker started in ${seconds(Date.now() - warm)}; Temporal dev server on ${server.address})`);

  const run = Date.now().toString(36);
  const hires: HrEvent[] = Array.from({ length: N }, (_, i) => {
    const id = `B-${run}-${i}`;
    return {
      id: `evt_bench_${run}_${i}`,
      type: 'employee.hired',
      occurredAt: new Date().toISOString(),
      source: 'generic',
      employee: { id, email: `${id.toLowerCase()}@example.com`, department: 'Engineering', employmentType: 'full_time', startDate: '2026-01-05', timezone: 'Europe/London' },
    };
  });
  const sentAt = new Map<string, number>();
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < hires.length) {
        const event = hires[next++] as HrEvent;
        const body = JSON.stringify(event);
        sentAt.set(event.employee.email, performance.now());
        const response = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json', ...signGeneric(SECRET, event.id, body) } });
        await response.body.dump();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
      }
    }),
  );
  const acceptedMs = performance.now() - started;

  // Every invite must appear; report progress while the rate limit works the burst off.
  let lastReport = performance.now();
  while (invitedAt.size < N) {
    if (worker.exitCode !== null) throw new Error(`the worker exited:\n${workerOutput}`);
    if (performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      console.log(`  … ${invitedAt.size}/${N} invited after ${seconds(performance.now() - started)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const totalMs = Math.max(...invitedAt.values()) - started;
  const latencies = hires.map((e) => (invitedAt.get(e.employee.email) as number) - (sentAt.get(e.employee.email) as number)).sort((a, b) => a - b);

  // Let every run (and its entity) finish, then count what Temporal did for a sample of people.
  const sample = hires.filter((_, i) => i % Math.max(1, Math.floor(N / SAMPLE)) === 0).slice(0, SAMPLE);
  const counts = { starts: 0, activities: 0, timers: 0, signals: 0, upserts: 0, events: 0 };
  for (const event of sample) {
    const ids = [employeeWorkflowId('generic', event.employee.id), ...plans.filter((p) => 'event' in p.trigger && p.trigger.event === 'employee.hired').map((p) => runWorkflowId(p.name, event.employee.id, event.id))];
    for (const id of ids) {
      const handle = client.workflow.getHandle(id);
      await handle.result();
      const history = (await handle.fetchHistory()).events ?? [];
      counts.events += history.length;
      for (const e of history) {
        if (e.workflowExecutionStartedEventAttributes && !e.workflowExecutionStartedEventAttributes.parentWorkflowExecution) counts.starts += 1;
        if (e.startChildWorkflowExecutionInitiatedEventAttributes) counts.starts += 2; // child initiated + started, as Temporal Cloud bills it
        if (e.activityTaskStartedEventAttributes) counts.activities += e.activityTaskStartedEventAttributes.attempt ?? 1;
        if (e.timerStartedEventAttributes) counts.timers += 1;
        if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) counts.signals += 1;
        // Signals from clients (the trigger server's signal-with-start); those from workflows are counted where they are sent.
        if (e.workflowExecutionSignaledEventAttributes && !e.workflowExecutionSignaledEventAttributes.externalWorkflowExecution) counts.signals += 1;
        if (e.upsertWorkflowSearchAttributesEventAttributes) counts.upserts += 1;
      }
    }
  }
  const per = (n: number) => (n / sample.length).toFixed(2);
  const actions = counts.starts + counts.activities + counts.timers + counts.signals + counts.upserts;

  console.log('results');
  line('webhooks answered', [...statuses.entries()].map(([s, n]) => `${n}× ${s}`).join(', '));
  line('accepted', `${(N / (acceptedMs / 1000)).toFixed(1)} events/s (${N} in ${seconds(acceptedMs)})`);
  line('webhook → invite', `p50 ${seconds(percentile(latencies, 50))}, p99 ${seconds(percentile(latencies, 99))}, max ${seconds(latencies.at(-1) ?? NaN)}`);
  line('total (first webhook → last invite)', `${seconds(totalMs)} vs ideal N/R = ${seconds((N / R) * 1000)} (${((N / R) * 1000 / totalMs * 100).toFixed(0)}% of the limit used)`);
  line('invites in the emulator', `${emulator.organization.listInvites().length} for ${N} hires`);
  if (RATE_429 > 0) line('429s answered and absorbed', `${emulator.faults.counts.status} (every hire still invited once)`);
  line(`Temporal actions per user (n=${sample.length})`, `${per(actions)}: starts ${per(counts.starts)}, activity attempts ${per(counts.activities)}, timers ${per(counts.timers)}, signals ${per(counts.signals)}, upserts ${per(counts.upserts)}`);
  line('history events per user', per(counts.events));
  line('worker resident memory', `peak ${burstPeakMiB.toFixed(0)} MiB while working the burst off; ${workerMiB('VmHWM').toFixed(0)} MiB since start (VmHWM, bundling included)`);
} finally {
  clearInterval(sampler);
  await app.close();
  await agent.close();
  worker.kill('SIGTERM');
  await new Promise((r) => worker.once('exit', r));
  await connection.close();
  await emulator.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
