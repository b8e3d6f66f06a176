import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteAdapter, SqliteDialect, sql, type Kysely, type SqliteDatabase } from 'kysely';

/**
 * Node's built-in `node:sqlite` behind the interface Kysely's SqliteDialect expects
 * (better-sqlite3's), so the store needs no native addon.
 */
export function openSqlite(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  // The busy timeout first: switching to WAL takes a lock that another process opening the
  // same fresh file may hold at that moment.
  db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;');
  type Param = null | number | bigint | string | NodeJS.ArrayBufferView;
  return {
    close: () => db.close(),
    prepare(sql: string) {
      const statement = db.prepare(sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...(parameters as Param[])),
        run: (parameters) => {
          const result = statement.run(...(parameters as Param[]));
          return { changes: result.changes, lastInsertRowid: result.lastInsertRowid };
        },
        iterate: (parameters) => statement.iterate(...(parameters as Param[])) as IterableIterator<unknown>,
      };
    },
  };
}

/**
 * Kysely's SQLite adapter takes no migration lock (it assumes one process). This one runs
 * the migrations in a `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock: a
 * second process migrating the same file waits for it (busy timeout), then reads the
 * migrations as done instead of running them again. (Kysely runs the migrations on the
 * connection that took the lock, between acquire and release.)
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`begin immediate`.execute(db);
  }
  override async releaseMigrationLock(db: Kysely<unknown>): Promise<void> {
    await sql`commit`.execute(db);
  }
}

/** Kysely's SQLite dialect over {@link openSqlite}, with migrations serialised across processes. */
export class TenureSqliteDialect extends SqliteDialect {
  override createAdapter(): SqliteAdapter {
    return new LockingSqliteAdapter();
  }
}
