// The results store's two backends, for tests that must behave the same on both: a
// SQLite file in a temporary folder, and a fresh schema in the local PostgreSQL
// (127.0.0.1:5432, database `test`; TENURE_TEST_POSTGRES_URL overrides) selected with
// search_path in the connection's options, dropped afterwards.
import { afterAll, beforeAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Secret, type StoreConfig } from '../../config/index.ts';
import { Store } from '../../store/index.ts';

export const POSTGRES_URL = process.env.TENURE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const BACKENDS = ['sqlite', 'postgres'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface TestBackend {
  name: BackendName;
  config: StoreConfig;
  /** The same database as `config`, as a TENURE_DATABASE_URL value (for child processes). */
  databaseUrl: string;
  /** PostgreSQL: the schema the tables live in. */
  schema?: string;
  /** Runs raw SQL against the backend, bypassing the store (for tests that tamper). */
  exec(statement: string): Promise<void>;
  /** Reads raw SQL's rows, bypassing the store (for tests that look at the schema). */
  rows<T = Record<string, unknown>>(statement: string): Promise<T[]>;
  /** Removes the file or drops the schema. */
  drop(): Promise<void>;
}

/** A PostgreSQL URL whose connections use `schema` (first in search_path). */
export function postgresUrlFor(schema: string, base = POSTGRES_URL): string {
  const url = new URL(base);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createBackend(name: BackendName): Promise<TestBackend> {
  if (name === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tenure-store-'));
    const file = join(dir, 'tenure.db');
    return {
      name,
      config: { kind: 'sqlite', file },
      databaseUrl: `sqlite:${file}`,
      async exec(statement) {
        const { DatabaseSync } = await import('node:sqlite');
        const db = new DatabaseSync(file);
        try {
          db.exec(statement);
        } finally {
          db.close();
        }
      },
      async rows<T>(statement: string) {
        const { DatabaseSync } = await import('node:sqlite');
        const db = new DatabaseSync(file, { readOnly: true });
        try {
          return db.prepare(statement).all() as T[];
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `tenure_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const url = postgresUrlFor(schema);
  return {
    name,
    schema,
    config: { kind: 'postgres', url: new Secret(url) },
    databaseUrl: url,
    async exec(statement) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(statement);
      } finally {
        await client.end();
      }
    },
    async rows<T>(statement: string) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(statement)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

export interface OpenedStore {
  backend: TestBackend;
  store: Store;
}

/**
 * For the tests of a describe block: a fresh `name` backend with a store opened on it
 * before they run, closed and dropped after. Its fields are there once the tests run.
 */
export function openStoreOn(name: BackendName): OpenedStore {
  let opened: OpenedStore | undefined;
  beforeAll(async () => {
    const backend = await createBackend(name);
    opened = { backend, store: await Store.open(backend.config) };
  });
  afterAll(async () => {
    await opened?.store.close();
    await opened?.backend.drop();
  });
  const get = (): OpenedStore => {
    if (!opened) throw new Error('the test store is opened in beforeAll: read it inside a test');
    return opened;
  };
  return {
    get backend() {
      return get().backend;
    },
    get store() {
      return get().store;
    },
  };
}
