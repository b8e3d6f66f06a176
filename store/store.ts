import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config/index.ts';
import { migrations, type Dialect } from './migrations/index.ts';
import type { Database, Outcome } from './schema.ts';
import { openSqlite } from './sqlite.ts';

export interface AuditRecord {
  recordKey: string;
  runId: string;
  definition: string;
  definitionHash: string;
  eventId: string;
  eventType: string;
  source: string;
  employeeId: string;
  stepId: string;
  action: string;
  target: string | null;
  outcome: Outcome;
  openaiIds: Record<string, string>;
  errorType?: string | null;
  errorMessage?: string | null;
}

export interface AuditEntry extends AuditRecord {
  id: number;
  recordedAt: string;
}

export interface AuditQuery {
  employeeId?: string;
  runId?: string;
}

export class StoreSchemaError extends Error {
  override readonly name = 'StoreSchemaError';
}

/** The results store: the audit log (and, later, the identity map). */
export class Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;

  private constructor(db: Kysely<Database>, dialect: Dialect) {
    this.db = db;
    this.dialect = dialect;
  }

  /** Opens the store and brings its schema up to date. */
  static async open(config: StoreConfig): Promise<Store> {
    const db =
      config.kind === 'postgres'
        ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: config.url.reveal(), max: 10 }) }) })
        : new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(config.file) }) });
    const store = new Store(db, config.kind);
    try {
      await store.migrate();
    } catch (error) {
      await db.destroy();
      throw error;
    }
    return store;
  }

  private async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: migrations(this.dialect) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const message = (error as Error).message ?? String(error);
      if (/corrupted migrations|missing/i.test(message)) {
        throw new StoreSchemaError(
          `the results store's schema is newer than this version of Tenure (${message}); upgrade Tenure or point TENURE_DATABASE_URL at another database`,
        );
      }
      const failed = results?.find((r) => r.status === 'Error');
      throw new StoreSchemaError(`migrating the results store failed${failed ? ` at ${failed.migrationName}` : ''}: ${message}`);
    }
  }

  /** Appends one audit row; writing the same `recordKey` twice keeps the first. Returns true when written. */
  async record(entry: AuditRecord, now: Date = new Date()): Promise<boolean> {
    const result = await this.db
      .insertInto('audit_log')
      .values({
        record_key: entry.recordKey,
        recorded_at: now.toISOString(),
        run_id: entry.runId,
        definition: entry.definition,
        definition_hash: entry.definitionHash,
        event_id: entry.eventId,
        event_type: entry.eventType,
        source: entry.source,
        employee_id: entry.employeeId,
        step_id: entry.stepId,
        action: entry.action,
        target: entry.target,
        outcome: entry.outcome,
        openai_ids: JSON.stringify(entry.openaiIds),
        error_type: entry.errorType ?? null,
        error_message: entry.errorMessage ?? null,
      })
      .onConflict((oc) => oc.column('record_key').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.employeeId !== undefined) q = q.where('employee_id', '=', query.employeeId);
    if (query.runId !== undefined) q = q.where('run_id', '=', query.runId);
    const rows = await q.orderBy('id').execute();
    return rows.map((r) => ({
      id: Number(r.id),
      recordKey: r.record_key,
      recordedAt: r.recorded_at,
      runId: r.run_id,
      definition: r.definition,
      definitionHash: r.definition_hash,
      eventId: r.event_id,
      eventType: r.event_type,
      source: r.source,
      employeeId: r.employee_id,
      stepId: r.step_id,
      action: r.action,
      target: r.target,
      outcome: r.outcome,
      openaiIds: JSON.parse(r.openai_ids) as Record<string, string>,
      errorType: r.error_type,
      errorMessage: r.error_message,
    }));
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
