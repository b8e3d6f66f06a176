/**
 * What the benchmarks share: the rows they print (each figure with its target), the stack
 * they run on (a Temporal dev server of their own, the emulator, a `tenure worker` child
 * process, the trigger server in process), process memory and CPU from /proc, and counts
 * of Temporal actions and history events per hire, read from the histories.
 *
 * A benchmark prints rows with `printRows`; under bench/run.ts (TENURE_BENCH_ROWS set) each is
 * also written as one `BENCH-ROW {json}` line, which run.ts collects into the table of every figure.
 */
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Agent, request } from 'undici';
import { newPayloadKeyEntry, parsePayloadKeys, tenureDataConverter } from '../codec/index.ts';
import { Secret } from '../config/index.ts';
import { requireTool, startDevServer, type DevServer } from '../devstack/index.ts';
import { loadDefinitions, type Plan } from '../dsl/index.ts';
import { startEmulator, type RunningEmulator } from '../emulator/index.ts';
import type { HrEvent } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import { Store } from '../store/index.ts';
import { buildTriggerServer, genericSource, signGeneric } from '../triggers/index.ts';
import { employeeWorkflowId, runWorkflowId } from '../workflows/shared.ts';

export interface Row {
  figure: string;
  measured: string;
  target: string;
  /** Whether the target is met; null for figures printed beside others without a target of their own. */
  met: boolean | null;
}

export function printRows(title: string, rows: Row[]): void {
  console.log(title);
  const width = Math.max(...rows.map((r) => r.figure.length));
  for (const row of rows) {
    const verdict = row.met === null ? '' : row.met ? '  met' : '  NOT MET';
    console.log(`  ${row.figure.padEnd(width)}  ${row.measured}${row.target ? `   (target ${row.target})` : ''}${verdict}`);
    if (process.env.TENURE_BENCH_ROWS) console.log(`BENCH-ROW ${JSON.stringify(row)}`);
  }
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;
export const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
export const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);
export const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** A field of /proc/<pid>/status in MiB: VmRSS (resident now) or VmHWM (peak since start). */
export function processMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The machine, as docs/performance.md records it. */
export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const cores = readFileSync('/proc/cpuinfo', 'utf8').match(/^processor\s*:/gm)?.length ?? 0;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  return `${cores} cores (${cpu}), ${(memKb / 1024 / 1024).toFixed(1)} GiB memory`;
}

export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Waits until `done()` holds, polling; throws with `what` once `deadlineMs` has passed. */
export async function until(done: () => boolean, what: string, deadlineMs: number, check?: () => void): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!done()) {
    check?.();
    if (Date.now() > deadline) throw new Error(`gave up after ${seconds(deadlineMs)}: ${what}`);
    await sleep(25);
  }
}

export const SECRET = new Secret('whsec_YmVuY2ggZW5naW5lIHdlYmhvb2sgc2VjcmV0IDEyMw==');

export function shippedPlans(): Plan[] {
  const { plans, problems } = loadDefinitions(['definitions']);
  if (problems.length > 0) throw new Error(`definitions/ has problems: ${problems.map((p) => p.message).join('; ')}`);
  return plans;
}

/** A hire who starts in the past, so the shipped onboarding invites at once. */
export function hire(run: string, i: number): HrEvent {
  const id = `B-${run}-${i}`;
  return {
    id: `evt_bench_${run}_${i}`,
    type: 'employee.hired',
    occurredAt: new Date().toISOString(),
    source: 'generic',
    employee: { id, email: `${id.toLowerCase()}@example.com`, department: 'Engineering', employmentType: 'full_time', startDate: '2026-01-05', timezone: 'Europe/London' },
  };
}

export interface Stack {
  readonly server: DevServer;
  readonly emulator: RunningEmulator;
  readonly client: Client;
  readonly worker: ChildProcess;
  readonly taskQueue: string;
  /** performance.now() when the emulator created each email's first invite. */
  readonly invitedAt: Map<string, number>;
  /** RSS of the worker once it said it polls, MiB. */
  readonly workerStartMiB: number;
  readonly workerStartMs: number;
  workerOutput(): string;
  /** Builds the trigger server that serves `served` (the shipped plans by default) and resolves once it listens. */
  listening(served?: Plan[] | 'shipped'): Promise<void>;
  /** Posts a signed hire to the trigger server; resolves with the status once answered. */
  send(event: HrEvent, plans?: 'shipped' | Plan[]): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Temporal dev server (in memory), the emulator, `tenure worker` as a child process (the
 * prebuilt workflow bundle, the worker limits' defaults) and the trigger server with the
 * shipped definitions, all on this machine; payloads encrypted with a key of the run's own.
 */
export async function startStack(options: { ratePerSecond: number; senders?: number; env?: Record<string, string>; store?: 'sqlite' | 'postgres' }): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-'));
  // The results store: the worker's SQLite file, or a schema of the run's own in the local PostgreSQL.
  const schema = options.store === 'postgres' ? `tenure_bench_${process.pid}_${Date.now().toString(36)}` : undefined;
  if (schema) await postgresAdmin(`CREATE SCHEMA ${schema}`);
  const databaseUrl = schema ? postgresUrlFor(schema) : `sqlite:${join(dir, 'tenure.db')}`;
  const port = 17000 + Math.floor(Math.random() * 3000);
  const server = await startDevServer({ binary: requireTool('temporal', process.env), port, logFile: join(dir, 'temporal.log'), readyTimeoutMs: 90_000 });
  const emulator = await startEmulator({ port: 0 });
  const invitedAt = new Map<string, number>();
  const createInvite = emulator.organization.createInvite.bind(emulator.organization);
  emulator.organization.createInvite = (input) => {
    const invite = createInvite(input);
    if (!invitedAt.has(input.email)) invitedAt.set(input.email, performance.now());
    return invite;
  };
  const taskQueue = 'bench';
  // Payloads encrypted as in production: a fresh key for this run, shared by the worker and the trigger server.
  const payloadKey = newPayloadKeyEntry('bench');
  const startedAt = performance.now();
  const worker = spawn(process.execPath, ['bin/tenure.js', 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: server.address,
      TENURE_TASK_QUEUE: taskQueue,
      TENURE_HOME: dir,
      OPENAI_ADMIN_KEY: emulator.adminKey,
      OPENAI_BASE_URL: emulator.baseUrl,
      TENURE_OPENAI_RATE_PER_SECOND: String(options.ratePerSecond),
      TENURE_PAYLOAD_KEYS: payloadKey,
      TENURE_LOG_LEVEL: 'info',
      TENURE_DATABASE_URL: databaseUrl,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-65_536));
  worker.stdout?.on('data', keep);
  worker.stderr?.on('data', keep);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: tenureDataConverter(parsePayloadKeys(payloadKey)) });
  const plans = shippedPlans();
  const logger = createLogger({ level: 'warn', name: 'bench' });
  const apps = new Map<Plan[], { url: string; close: () => Promise<void> }>();
  // As `tenure serve` and `tenure dev` run it: the results store remembers accepted events and
  // notes what each says of the person (the worker's database, opened once the worker has migrated it).
  let store: Promise<Store> | undefined;
  const appFor = async (served: Plan[]) => {
    let app = apps.get(served);
    if (!app) {
      // One Store per SQLite file in a process: the first sender opens it, the others wait for it.
      store ??= Store.open(schema ? { kind: 'postgres', url: new Secret(databaseUrl) } : { kind: 'sqlite', file: join(dir, 'tenure.db') });
      const built = buildTriggerServer({ client, taskQueue, sources: [genericSource(SECRET)], plans: () => served, logger, events: await store });
      const url = `${await built.listen({ host: '127.0.0.1', port: 0 })}/webhooks/generic`;
      app = { url, close: () => built.close() };
      apps.set(served, app);
    }
    return app.url;
  };
  const agent = new Agent({ connections: options.senders ?? 16 });
  await until(() => /worker started/.test(output), 'the worker to start', 120_000, () => {
    if (worker.exitCode !== null) throw new Error(`the worker exited:\n${output}`);
  });
  const workerStartMs = performance.now() - startedAt;
  const workerStartMiB = processMiB(worker.pid as number, 'VmRSS');
  return {
    server,
    emulator,
    client,
    worker,
    taskQueue,
    invitedAt,
    workerStartMiB,
    workerStartMs,
    workerOutput: () => output,
    async listening(served = 'shipped') {
      await appFor(served === 'shipped' ? plans : served);
    },
    async send(event, served = 'shipped') {
      const url = await appFor(served === 'shipped' ? plans : served);
      const body = JSON.stringify(event);
      const response = await request(url, { method: 'POST', dispatcher: agent, body, headers: { 'content-type': 'application/json', ...signGeneric(SECRET, event.id, body) } });
      await response.body.dump();
      return response.statusCode;
    },
    async stop() {
      // Each part gets a bounded while: a benchmark that printed its figures must end, and say what hung.
      const bounded = async (what: string, work: () => Promise<unknown>) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => (timer = setTimeout(() => (console.error(`  (stopping: ${what} did not finish within 15 s; left behind)`), resolve()), 15_000)));
        await Promise.race([work().catch((error: unknown) => console.error(`  (stopping: ${what} failed: ${(error as Error).message})`)), late]);
        clearTimeout(timer);
      };
      for (const app of apps.values()) await bounded('the trigger server', () => app.close());
      await bounded('the HTTP agent', () => agent.close());
      if (store) await bounded('the results store', async () => (await store!).close());
      // exitCode stays null for a process ended by a signal: signalCode says it has gone.
      if (worker.exitCode === null && worker.signalCode === null) {
        await bounded('the worker', () => {
          const exited = new Promise((resolve) => worker.once('exit', resolve));
          worker.kill('SIGTERM');
          return exited;
        });
      }
      await bounded('the Temporal client', () => connection.close());
      await bounded('the emulator', () => emulator.close());
      await bounded('the Temporal dev server', () => server.stop());
      if (schema) await bounded('the PostgreSQL schema', () => postgresAdmin(`DROP SCHEMA ${schema} CASCADE`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The local PostgreSQL the tests use too (TENURE_BENCH_POSTGRES_URL overrides). */
const POSTGRES_URL = process.env.TENURE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function postgresUrlFor(schema: string): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function postgresAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect().catch((error: unknown) => {
    throw new Error(`--store postgres needs a PostgreSQL it can create a schema in: ${new URL(POSTGRES_URL).host} answered "${(error as Error).message}". Start it, or name another with TENURE_BENCH_POSTGRES_URL.`);
  });
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface PerHire {
  actions: number;
  events: number;
  /** Of the events, the patch markers and their TemporalChangeVersion upserts: gone once the patches are removed. */
  patchEvents: number;
  detail: string;
}

/**
 * The histories of one hire (its entity, then each run), one line per event: its type, and
 * what it names (signal, activity, timer, search attributes) — where the actions go.
 */
export async function showHire(client: Client, event: HrEvent, plans: readonly Plan[]): Promise<string> {
  const lines: string[] = [];
  const ids = [employeeWorkflowId('generic', event.employee.id), ...plans.map((p) => runWorkflowId(p.name, event.employee.id, event.id))];
  for (const id of ids) {
    const handle = client.workflow.getHandle(id);
    await client.withDeadline(Date.now() + 120_000, () => handle.result());
    const history = (await handle.fetchHistory()).events ?? [];
    lines.push(`${id}: ${history.length} events`);
    for (const e of history) {
      const named =
        e.workflowExecutionSignaledEventAttributes?.signalName ??
        e.signalExternalWorkflowExecutionInitiatedEventAttributes?.signalName ??
        e.activityTaskScheduledEventAttributes?.activityType?.name ??
        e.markerRecordedEventAttributes?.markerName ??
        e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
        (e.upsertWorkflowSearchAttributesEventAttributes ? Object.keys(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {}).join(',') : undefined) ??
        (e.timerStartedEventAttributes ? `timer ${Number(e.timerStartedEventAttributes.startToFireTimeout?.seconds ?? 0)} s` : undefined) ??
        '';
      lines.push(`  ${String(e.eventId).padStart(3)} ${proto.temporal.api.enums.v1.EventType[e.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? e.eventType} ${named}`);
    }
  }
  return lines.join('\n');
}

/**
 * Temporal actions and history events per hire, from the histories of each hire's entity
 * workflow and runs (each awaited to its end first). Actions as Temporal Cloud bills them:
 * workflow starts (a child counts twice: initiated and started), activity attempts (local
 * activities included, one per marker), timers, signals (sent by workflows, and received from
 * clients), search-attribute upserts (but not the TemporalChangeVersion ones patches make, which
 * Cloud exempts).
 */
export async function perHire(client: Client, hires: readonly HrEvent[], plans: readonly Plan[]): Promise<PerHire> {
  const counts = { starts: 0, activities: 0, localActivities: 0, timers: 0, signals: 0, upserts: 0, events: 0, patchEvents: 0 };
  for (const event of hires) {
    const ids = [
      employeeWorkflowId('generic', event.employee.id),
      ...plans.filter((p) => 'event' in p.trigger && p.trigger.event === 'employee.hired').map((p) => runWorkflowId(p.name, event.employee.id, event.id)),
    ];
    for (const id of ids) {
      const handle = client.workflow.getHandle(id);
      await client.withDeadline(Date.now() + 120_000, () => handle.result());
      const history = (await handle.fetchHistory()).events ?? [];
      counts.events += history.length;
      for (const e of history) {
        if (e.workflowExecutionStartedEventAttributes && !e.workflowExecutionStartedEventAttributes.parentWorkflowExecution) counts.starts += 1;
        if (e.startChildWorkflowExecutionInitiatedEventAttributes) counts.starts += 2;
        if (e.activityTaskStartedEventAttributes) counts.activities += e.activityTaskStartedEventAttributes.attempt ?? 1;
        if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') counts.localActivities += 1;
        if (e.timerStartedEventAttributes) counts.timers += 1;
        if (e.signalExternalWorkflowExecutionInitiatedEventAttributes) counts.signals += 1;
        if (e.workflowExecutionSignaledEventAttributes && !e.workflowExecutionSignaledEventAttributes.externalWorkflowExecution) counts.signals += 1;
        // Patches upsert TemporalChangeVersion on their own; Temporal Cloud does not bill those.
        const upserted = Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {});
        if (upserted.some((key) => key !== 'TemporalChangeVersion')) counts.upserts += 1;
        else if (upserted.length > 0) counts.patchEvents += 1;
        if (e.markerRecordedEventAttributes?.markerName === 'core_patch') counts.patchEvents += 1;
      }
    }
  }
  const n = hires.length;
  const per = (value: number) => (value / n).toFixed(1);
  const actions = counts.starts + counts.activities + counts.localActivities + counts.timers + counts.signals + counts.upserts;
  return {
    actions: actions / n,
    events: counts.events / n,
    patchEvents: counts.patchEvents / n,
    detail: `starts ${per(counts.starts)}, activities ${per(counts.activities)}, local activities ${per(counts.localActivities)}, timers ${per(counts.timers)}, signals ${per(counts.signals)}, upserts ${per(counts.upserts)}`,
  };
}
