import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SqliteDatabase } from 'kysely';

/**
 * Node's built-in `node:sqlite` behind the interface Kysely's SqliteDialect expects
 * (better-sqlite3's), so the store needs no native addon.
 */
export function openSqlite(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
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
