// Results store throughput on both backends: N audit records written one at a time and
// with C in flight (each with its identity upsert, in one transaction), a retry of every
// one (no rows added), and a CSV export of them all. Prints figures; asserts nothing.
//
//   node bench/store-record.ts [N=2000] [C=8]
// PostgreSQL: TENURE_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test
// (a schema of its own, dropped afterwards).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { Secret, type StoreConfig } from '../config/index.ts';
import { auditCsv, Store, type AuditRecord } from '../store/index.ts';

const N = Number(process.argv[2] ?? 2000);
const C = Number(process.argv[3] ?? 8);
const PG = process.env.TENURE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const record = (i: number, prefix: string): AuditRecord => ({
  recordKey: `${prefix}/onboard/E-${i}/evt_${i}/invite`,
  runId: `onboard/E-${i}/evt_${i}`,
  definition: 'onboard',
  definitionHash: 'f'.repeat(64),
  eventId: `evt_${i}`,
  eventType: 'employee.hired',
  source: 'generic',
  employeeId: `${prefix}-E-${i}`,
  stepId: 'invite',
  action: 'openai.invite',
  target: `person${i}@example.com`,
  outcome: 'created',
  openaiIds: { inviteId: `invite-${i}` },
});

async function timed(label: string, count: number, fn: () => Promise<void>): Promise<void> {
  const started = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`  ${label.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s  ${(count / seconds).toFixed(0).padStart(7)} rows/s`);
}

async function inParallel(count: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await fn(next++);
  }));
}

async function bench(name: string, config: StoreConfig): Promise<void> {
  console.log(`${name} (N=${N}, C=${C})`);
  const store = await Store.open(config);
  try {
    await timed('record, one at a time', N, async () => {
      for (let i = 0; i < N; i++) await store.record(record(i, 'seq'));
    });
    await timed(`record, ${C} in flight`, N, () => inParallel(N, C, (i) => store.record(record(i, 'par'))));
    let added = 0;
    await timed('retry every record (no row added)', N, () => inParallel(N, C, async (i) => void (added += Number(await store.record(record(i, 'par'))))));
    if (added !== 0) throw new Error(`retries added ${added} rows`);
    let bytes = 0;
    await timed('export all as CSV', 2 * N, () => pipeline(auditCsv(store.auditRows()), new Writable({ write(chunk: Buffer, _e, cb) { bytes += chunk.length; cb(); } })));
    console.log(`  CSV size ${(bytes / 1024).toFixed(0)} KiB`);
  } finally {
    await store.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tenure-bench-'));
try {
  await bench('SQLite', { kind: 'sqlite', file: join(dir, 'tenure.db') });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `tenure_bench_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const admin = new pg.Client({ connectionString: PG });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
try {
  const url = new URL(PG);
  url.searchParams.set('options', `-c search_path=${schema}`);
  await bench('PostgreSQL', { kind: 'postgres', url: new Secret(url.toString()) });
} finally {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
