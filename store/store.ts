import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { StoreConfig } from '../config/index.ts';
import { isUnreachable, StoreError, StoreInputError, StoreSchemaError, StoreUnavailableError } from './errors.ts';
import { identityChange, type IdentityChange } from './identity.ts';
import { knownMigrations, migrations, type Dialect } from './migrations/index.ts';
import { LIMITS, OUTCOMES, type Database, type HrStatus, type IdentityStatus, type Outcome } from './schema.ts';
import { openSqlite } from './sqlite.ts';

/** One fact for the audit log: what a step of a run did, to whom, with what result. */
export interface AuditRecord {
  /** Unique per fact; the engine uses `<runId>/<stepId>`. Writing it again adds nothing. */
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
  /** Whom the action was about; for `openai.*` actions the person's email (or SCIM userName). */
  target: string | null;
  outcome: Outcome;
  /** OpenAI ids involved: `userId`, `inviteId`, `scimId`, `projectId`… (ids only, never keys). */
  openaiIds: Record<string, string>;
  errorType?: string | null;
  /** Cut to {@link LIMITS.errorMessage} characters. */
  errorMessage?: string | null;
  /** Who approved or rejected (approval steps). */
  actor?: string | null;
}

export interface AuditEntry extends Required<AuditRecord> {
  id: number;
  /** ISO 8601 UTC. */
  recordedAt: string;
}

export interface AuditQuery {
  employeeId?: string;
  source?: string;
  runId?: string;
  /** Exact action name, e.g. `openai.invite`. */
  action?: string;
  /** Rows recorded at or after this instant. */
  since?: Date;
  /** Rows with an id greater than this (keyset paging). */
  afterId?: number;
  /** At most this many rows. Default: all. */
  limit?: number;
}

/** A person's row in the identity map. */
export interface Identity {
  source: string;
  employeeId: string;
  email: string | null;
  openaiUserId: string | null;
  inviteId: string | null;
  scimId: string | null;
  status: IdentityStatus;
  /** ISO 8601 UTC of the last change. */
  updatedAt: string;
  /** What HR last said (null until Tenure has seen an event for the person). */
  hrStatus: HrStatus | null;
  /** When that HR event happened, ISO 8601 UTC. */
  hrEventAt: string | null;
}

/** One HR event as the identity map notes it. */
export interface HrEventNote {
  source: string;
  employeeId: string;
  /** The email HR gave, when the event carried one (a thin webhook may not). */
  email?: string | null;
  eventId: string;
  eventType: string;
  /** When the event happened (RFC 3339); an older note never overrides a newer one. */
  occurredAt: string;
}

/** What the offboarding activities need: read a person's OpenAI ids by HR identity. */
export type IdentityReader = Pick<Store, 'identity'>;
/** What the recording activity needs. */
export type AuditWriter = Pick<Store, 'record'>;
/** What noting HR events and reconciliation need. */
export type HrNoter = Pick<Store, 'noteHrEvent' | 'departedWithAccess'>;
/** What `tenure audit` and the admin endpoint need. */
export type AuditReader = Pick<Store, 'audit' | 'auditRows'>;

const text = (max: number) => z.string().min(1).max(max);
const auditRecordSchema = z.object({
  recordKey: text(LIMITS.recordKey),
  runId: text(LIMITS.runId),
  definition: text(LIMITS.definition),
  definitionHash: z.string().max(LIMITS.definitionHash),
  eventId: text(LIMITS.eventId),
  eventType: text(LIMITS.eventType),
  source: text(LIMITS.source),
  employeeId: text(LIMITS.employeeId),
  stepId: text(LIMITS.stepId),
  action: text(LIMITS.action),
  target: z.string().max(LIMITS.target).nullable(),
  outcome: z.enum(OUTCOMES),
  openaiIds: z.record(z.string().max(64), z.string().max(LIMITS.openaiId)),
  errorType: z.string().max(LIMITS.errorType).nullish(),
  errorMessage: z.string().nullish(),
  actor: z.string().max(LIMITS.actor).nullish(),
});

function truncate(message: string | null | undefined): string | null {
  if (message === null || message === undefined) return null;
  return message.length <= LIMITS.errorMessage ? message : `${message.slice(0, LIMITS.errorMessage - 1)}…`;
}

/** Where the store is, for messages: a file, or a PostgreSQL URL without credentials. */
export function describeStore(config: StoreConfig): string {
  if (config.kind === 'sqlite') return config.file;
  try {
    const url = new URL(config.url.reveal());
    return `postgres://${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL (TENURE_DATABASE_URL)';
  }
}

/**
 * The results store: the append-only audit log and the identity map, on SQLite or
 * PostgreSQL with the same schema and the same behaviour. It offers no way to change or
 * delete an audit row, and the database refuses one too.
 */
export class Store {
  // Private: a query builder handed out would be an update/delete API for the audit log.
  private readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** Where it is, safe to print. */
  readonly location: string;
  private readonly scrub: (message: string) => string;

  private constructor(db: Kysely<Database>, dialect: Dialect, location: string, scrub: (message: string) => string) {
    this.db = db;
    this.dialect = dialect;
    this.location = location;
    this.scrub = scrub;
  }

  /**
   * Opens the store and brings its schema up to date. Throws {@link StoreSchemaError}
   * (`SCHEMA_TOO_NEW`) when a newer Tenure has migrated it, {@link StoreUnavailableError}
   * when it cannot be reached.
   */
  static async open(config: StoreConfig): Promise<Store> {
    const location = describeStore(config);
    let db: Kysely<Database>;
    let scrub = (message: string) => message;
    if (config.kind === 'postgres') {
      const url = config.url.reveal();
      const password = (() => {
        try {
          return decodeURIComponent(new URL(url).password);
        } catch {
          return '';
        }
      })();
      scrub = (message) => {
        let clean = message.split(url).join(location);
        if (password) clean = clean.split(password).join('[redacted]');
        return clean;
      };
      const pool = new pg.Pool({
        connectionString: url,
        max: 10,
        // Without it a blackholed host hangs a connection attempt for minutes.
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 30_000,
        application_name: 'tenure',
      });
      // A connection the server drops emits 'error' — on the pool while idle, on the
      // client while checked out (Kysely listens for neither). Unhandled, either would
      // crash the worker; the query in flight still fails, and the pool reconnects.
      pool.on('error', () => {});
      pool.on('connect', (client) => client.on('error', () => {}));
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    } else {
      db = new Kysely<Database>({ dialect: new SqliteDialect({ database: openSqlite(config.file) }) });
    }
    const store = new Store(db, config.kind, location, scrub);
    try {
      await store.migrate();
    } catch (error) {
      await db.destroy().catch(() => {});
      throw store.translate(error, 'opening');
    }
    return store;
  }

  /** Turns a driver error into a StoreError whose message names the store and carries no secret. */
  private translate(error: unknown, doing: string): StoreError {
    if (error instanceof StoreError) return error;
    const message = this.scrub((error as Error)?.message || String(error));
    if (isUnreachable(error)) return new StoreUnavailableError(`the results store at ${this.location} is unavailable while ${doing}: ${message}`);
    return new StoreError('STORE_FAILED', `the results store at ${this.location} failed while ${doing}: ${message}`);
  }

  /** PostgreSQL: the schema Tenure's tables live in (the first of search_path); SQLite: none. */
  private async schemaName(): Promise<string | undefined> {
    if (this.dialect !== 'postgres') return undefined;
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(this.db);
    const schema = rows[0]?.schema;
    if (!schema) {
      throw new StoreSchemaError('MIGRATION_FAILED', `the results store at ${this.location} has no schema to write to: search_path names no existing schema; create it or fix the options in TENURE_DATABASE_URL`);
    }
    return schema;
  }

  private async executedMigrations(schema: string | undefined): Promise<string[]> {
    const tables = await this.db.introspection.getTables({ withInternalKyselyTables: true });
    if (!tables.some((t) => t.name === 'kysely_migration' && (schema === undefined || t.schema === schema))) return [];
    const table = schema === undefined ? sql.table('kysely_migration') : sql.id(schema, 'kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(this.db);
    return rows.map((r) => r.name);
  }

  private async refuseNewerSchema(schema: string | undefined): Promise<void> {
    const known = new Set(await knownMigrations(this.dialect));
    const unknown = (await this.executedMigrations(schema)).filter((name) => !known.has(name)).sort();
    if (unknown.length > 0) {
      throw new StoreSchemaError(
        'SCHEMA_TOO_NEW',
        `the results store at ${this.location} has a newer schema than this version of Tenure (unknown migrations: ${unknown.join(', ')}; ` +
          `this version knows up to ${[...known].at(-1)}). A newer Tenure has upgraded it: run that version or newer here, ` +
          'or point TENURE_DATABASE_URL at another database. Nothing was changed.',
      );
    }
  }

  private async migrate(): Promise<void> {
    const schema = await this.schemaName();
    await this.refuseNewerSchema(schema);
    // On PostgreSQL the migration table is looked up in our schema only: Kysely otherwise
    // takes a `kysely_migration` in any other schema of the database for ours.
    const migrator = new Migrator({ db: this.db, provider: migrations(this.dialect), ...(schema ? { migrationTableSchema: schema } : {}) });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      // A newer Tenure may have migrated between our check and our lock.
      await this.refuseNewerSchema(schema);
      if (isUnreachable(error)) throw error;
      const failed = results?.find((r) => r.status === 'Error');
      throw new StoreSchemaError(
        'MIGRATION_FAILED',
        `migrating the results store at ${this.location} failed${failed ? ` at ${failed.migrationName}` : ''}: ${this.scrub((error as Error).message ?? String(error))}`,
      );
    }
  }

  /** Runs `fn`, turning driver errors into StoreErrors. */
  private async guard<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error, doing);
    }
  }

  /**
   * Appends one audit row and applies what it says to the identity map, in one
   * transaction. Writing the same `recordKey` again changes nothing and returns false.
   * Throws {@link StoreInputError} for a record the store refuses (the same on both
   * backends), {@link StoreUnavailableError} when the database cannot be reached.
   */
  async record(entry: AuditRecord, now: Date = new Date()): Promise<boolean> {
    const parsed = auditRecordSchema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.') || 'record';
      throw new StoreInputError(field, `audit record refused: ${field}: ${issue.message}`);
    }
    const recordedAt = now.toISOString();
    const change = identityChange(entry);
    return this.guard('recording', () =>
      this.transaction(async (trx) => {
        const inserted = await trx
          .insertInto('audit_log')
          .values({
            record_key: entry.recordKey,
            recorded_at: recordedAt,
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
            error_message: truncate(entry.errorMessage),
            actor: entry.actor ?? null,
          })
          .onConflict((oc) => oc.column('record_key').doNothing())
          .executeTakeFirst();
        // A retry of a write that did commit: the identity change was applied with it.
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
        if (change) await applyIdentityChange(trx, entry.source, entry.employeeId, change, recordedAt);
        return true;
      }),
    );
  }

  /**
   * Runs `fn` in one transaction. On SQLite it takes the write lock at BEGIN (IMMEDIATE):
   * a deferred transaction that reads before it writes can fail at once with
   * SQLITE_BUSY when another process wrote in between, instead of waiting its turn.
   * Within one process, use one Store per SQLite file: node:sqlite waits synchronously,
   * so a second connection would block the very thread that holds the lock.
   */
  private async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.dialect === 'postgres') return this.db.transaction().execute(fn);
    return this.db.connection().execute(async (connection) => {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await fn(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => {});
        throw error;
      }
    });
  }

  /**
   * The identity map's row for a person, or undefined when Tenure has not acted on them.
   * Offboarding reads `openaiUserId` / `inviteId` here and falls back to a lookup by email
   * at OpenAI when there is no row (people provisioned before Tenure, or by hand).
   */
  async identity(source: string, employeeId: string): Promise<Identity | undefined> {
    const row = await this.guard('reading the identity map', () =>
      this.db.selectFrom('identities').selectAll().where('source', '=', source).where('employee_id', '=', employeeId).executeTakeFirst(),
    );
    if (!row) return undefined;
    return {
      source: row.source,
      employeeId: row.employee_id,
      email: row.email,
      openaiUserId: row.openai_user_id,
      inviteId: row.invite_id,
      scimId: row.scim_id,
      status: row.status,
      updatedAt: row.updated_at,
      hrStatus: row.hr_status ?? null,
      hrEventAt: row.hr_event_at ?? null,
    };
  }

  /**
   * Notes what an HR event says about a person (employed, or departed) in the identity
   * map, creating the row if Tenure has not acted on them yet. Events apply in
   * `occurredAt` order: a late, older event changes nothing. Returns true when applied.
   */
  async noteHrEvent(note: HrEventNote, now: Date = new Date()): Promise<boolean> {
    const occurred = new Date(note.occurredAt);
    if (Number.isNaN(occurred.getTime())) throw new StoreInputError('occurredAt', `occurredAt '${note.occurredAt}' is not a time`);
    for (const [field, value, limit] of [['source', note.source, LIMITS.source], ['employeeId', note.employeeId, LIMITS.employeeId], ['eventId', note.eventId, LIMITS.eventId]] as const) {
      if (!value || value.length > limit) throw new StoreInputError(field, `${field} must be 1 to ${limit} characters`);
    }
    const at = occurred.toISOString();
    const hr: HrStatus = note.eventType === 'employee.departed' ? 'departed' : 'employed';
    return this.guard('noting an HR event', () =>
      this.transaction(async (trx) => {
        const row = await trx
          .selectFrom('identities')
          .select(['hr_event_at'])
          .where('source', '=', note.source)
          .where('employee_id', '=', note.employeeId)
          .executeTakeFirst();
        if (row?.hr_event_at && row.hr_event_at > at) return false;
        // Only a hire (or renewal) and a departure change whether someone is employed: an update
        // for someone who has left must not bring them back.
        if (row && note.eventType === 'employee.updated') {
          if (note.email) await trx.updateTable('identities').set({ email: note.email }).where('source', '=', note.source).where('employee_id', '=', note.employeeId).execute();
          return true;
        }
        const hrFields = { hr_status: hr, hr_event_id: note.eventId, hr_event_at: at, ...(note.email ? { email: note.email } : {}) };
        if (row) {
          await trx.updateTable('identities').set(hrFields).where('source', '=', note.source).where('employee_id', '=', note.employeeId).execute();
        } else {
          await trx
            .insertInto('identities')
            .values({ source: note.source, employee_id: note.employeeId, status: 'none', updated_at: now.toISOString(), email: null, openai_user_id: null, invite_id: null, scim_id: null, ...hrFields })
            .execute();
        }
        return true;
      }),
    );
  }

  /** People HR says have left who, as far as Tenure's own actions tell, still hold access (invited or active). */
  async departedWithAccess(): Promise<Identity[]> {
    const rows = await this.guard('reading the identity map', () =>
      this.db.selectFrom('identities').select(['source', 'employee_id']).where('hr_status', '=', 'departed').where('status', 'in', ['invited', 'active']).orderBy('source').orderBy('employee_id').execute(),
    );
    const found: Identity[] = [];
    for (const row of rows) {
      const identity = await this.identity(row.source, row.employee_id);
      if (identity) found.push(identity);
    }
    return found;
  }

  /** Audit rows matching `query`, oldest first. */
  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (query.since !== undefined && Number.isNaN(query.since.getTime())) throw new StoreInputError('since', 'since is not a valid date');
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.employeeId !== undefined) q = q.where('employee_id', '=', query.employeeId);
    if (query.source !== undefined) q = q.where('source', '=', query.source);
    if (query.runId !== undefined) q = q.where('run_id', '=', query.runId);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.since !== undefined) q = q.where('recorded_at', '>=', query.since.toISOString());
    if (query.afterId !== undefined) q = q.where('id', '>', query.afterId);
    q = q.orderBy('id');
    if (query.limit !== undefined) q = q.limit(query.limit);
    const rows = await this.guard('reading the audit log', () => q.execute());
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
      actor: r.actor ?? null,
    }));
  }

  /** Every matching audit row, oldest first, read in pages so a long log never sits in memory at once. */
  async *auditRows(query: Omit<AuditQuery, 'afterId' | 'limit'> = {}, pageSize = 500): AsyncGenerator<AuditEntry> {
    let afterId: number | undefined;
    for (;;) {
      const page = await this.audit({ ...query, ...(afterId !== undefined ? { afterId } : {}), limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      afterId = page.at(-1)!.id;
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

async function applyIdentityChange(trx: Kysely<Database>, source: string, employeeId: string, change: IdentityChange, at: string): Promise<void> {
  const update = {
    status: change.status,
    updated_at: at,
    ...(change.email !== undefined ? { email: change.email } : {}),
    ...(change.openaiUserId !== undefined ? { openai_user_id: change.openaiUserId } : {}),
    ...(change.inviteId !== undefined ? { invite_id: change.inviteId } : {}),
    ...(change.scimId !== undefined ? { scim_id: change.scimId } : {}),
  };
  await trx
    .insertInto('identities')
    .values({
      source,
      employee_id: employeeId,
      email: change.email ?? null,
      openai_user_id: change.openaiUserId ?? null,
      invite_id: change.inviteId ?? null,
      scim_id: change.scimId ?? null,
      status: change.status,
      updated_at: at,
    })
    .onConflict((oc) => oc.columns(['source', 'employee_id']).doUpdateSet(update))
    .execute();
}
