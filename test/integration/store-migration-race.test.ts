// Two worker processes that open one fresh SQLite store at the same moment both start:
// the migrations run once, the second waits for SQLite's write lock and then finds them
// done (instead of failing with `table "identities" already exists`). Real processes,
// because that is how the race happens (two `tenure worker`s, or a worker and `tenure dev`).
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { knownMigrations } from '../../store/migrations/index.ts';

const STORE = new URL('../../store/index.ts', import.meta.url).href;

// Each process loads the store, says it is ready, and opens the store when told to go:
// every process is past its start-up when they open it, so the opens overlap.
const OPENER = `
import { Store } from ${JSON.stringify(STORE)};
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  try {
    const store = await Store.open({ kind: 'sqlite', file: process.argv[1] });
    await store.close();
    process.stdout.write('opened\\n');
  } catch (error) {
    process.stdout.write('failed: ' + error.message + '\\n');
    process.exitCode = 1;
  }
});
`;

function opener(file: string) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', OPENER, file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready')) resolve();
  }));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, ready, exited, output: () => out };
}

describe('opening a fresh SQLite store from several processes at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tenure-migrate-race-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates it once and every process starts', async () => {
    for (let round = 0; round < 2; round++) {
      const file = join(dir, `round-${round}.db`);
      const processes = [1, 2, 3, 4].map(() => opener(file));
      await Promise.all(processes.map((p) => p.ready));
      for (const p of processes) p.child.stdin.end('go\n');
      const codes = await Promise.all(processes.map((p) => p.exited));
      expect(processes.map((p) => p.output().trim().split('\n').at(-1))).toEqual(['opened', 'opened', 'opened', 'opened']);
      expect(codes).toEqual([0, 0, 0, 0]);
      const db = new DatabaseSync(file);
      const ran = db.prepare('select name from kysely_migration order by name').all().map((r) => (r as { name: string }).name);
      db.close();
      expect(ran).toEqual(await knownMigrations('sqlite'));
    }
  });
});
