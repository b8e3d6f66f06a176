import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import type { StoreConfig } from '../config/index.ts';
import { isUnreachable, StoreError, StoreInputError, StoreSchemaError, StoreUnavailableError } from './errors.ts';
import type { AuditRowStart, OpenAIIds } from '../activities/index.ts';
import { applyIdentityChange, identityChangeSchema, type IdentityChange } from './identity.ts';
import { knownMigrations, migrations, type Dialect } from './migrations/index.ts';
import { utf8Length } from '../events/index.ts';
import { LIMITS, OUTCOMES, type Database, type HrStatus, type IdentitiesTable, type IdentityStatus, type Outcome } from './schema.ts';
import { openSqlite, TenureSqliteDialect } from './sqlite.ts';

/** One fact for the audit log: what a step of a run did, to whom, with what result. */
export interface AuditRecord extends AuditRowStart {
  /** Whom the action was about; for `openai.*` actions the person's email (or SCIM userName). */
  target: string | null;
  outcome: Outcome;
  /** OpenAI ids involved (ids only, never keys). */
  openaiIds: OpenAIIds;
  /** What the outcome changes in the person's identity-map row (as the action declares it); none when absent. */
  identity?: IdentityChange | null;
  errorType?: string | null;
  /** Cut to {@link LIMITS.errorMessage} characters. */
  errorMessage?: string | null;
  /** Who decided: the approver, or the operator who retried, skipped or aborted. */
  actor?: string | null;
  /** Why they decided. */
  reason?: string | null;
}

export interface AuditEntry extends Required<Omit<AuditRecord, 'identity'>> {
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
  /** Exact outcome, e.g. `failed`. */
  outcome?: Outcome;
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

/** One sync that read HR, as the store keeps it. */
export interface SyncRun {
  syncId: string;
  /** ISO 8601 UTC. */
  recordedAt: string;
  /** How it ended: `done`, `rejected`, `needs-attention`… */
  status: string;
  /** HR source → people it listed. */
  hrCounts: Record<string, number>;
  summary: Record<string, unknown>;
}

/** What a sync needs from the store. */
export type SyncStore = Pick<Store, 'identities' | 'record' | 'recordSyncRun' | 'lastSyncRun'>;

/** What the offboarding activities need: read a person's OpenAI ids by HR identity. */
export type IdentityReader = Pick<Store, 'identity'>;
/** What the recording activity needs. */
export type AuditWriter = Pick<Store, 'record'>;
/** What noting HR events and reconciliation need. */
export type HrNoter = Pick<Store, 'noteHrEvent' | 'departedWithAccess'>;
/** What the trigger server needs to answer a redelivery after Temporal's retention as a duplicate, and to note what an event says of a person before handing it over. */
export type EventMemory = Pick<Store, 'rememberEvent' | 'wasAccepted'> & Partial<Pick<Store, 'noteHrEvent'>>;
/** What `tenure runs` needs: people's emails, to show them masked. */
export type EmailReader = Pick<Store, 'emailsOf'>;
/** A page of the identity map, for the console's People page. */
export interface PeopleQuery {
  /** An employee id or an email, or the start of one (emails compared without case). */
  search?: string;
  /** People after this one, in (source, employee id) order: the previous page's `next`. */
  after?: { source: string; employeeId: string };
  /** At most this many. Default 50, at most 500. */
  limit?: number;
}

export interface PeoplePage {
  people: Identity[];
  /** Where the next page starts; null on the last page. */
  next: { source: string; employeeId: string } | null;
}

/** What the operator console reads. */
export type ConsoleReader = Pick<Store, 'audit' | 'auditRows' | 'people' | 'lastSyncRun'>;

/** What `tenure audit` and the admin endpoint need. */
export type AuditReader = Pick<Store, 'audit' | 'auditRows'>;

const within = (max: number) => (value: string) => utf8Length(value) <= max;
const text = (max: number) => z.string().min(1).refine(within(max), `may be at most ${max} bytes long (UTF-8)`);
const optionalText = (max: number) => z.string().refine(within(max), `may be at most ${max} bytes long (UTF-8)`);
const auditRecordSchema = z.object({
  recordKey: text(LIMITS.recordKey),
  runId: text(LIMITS.runId),
  definition: text(LIMITS.definition),
  definitionHash: optionalText(LIMITS.definitionHash),
  eventId: text(LIMITS.eventId),
  eventType: text(LIMITS.eventType),
  source: text(LIMITS.source),
  employeeId: text(LIMITS.employeeId),
  stepId: text(LIMITS.stepId),
  action: text(LIMITS.action),
  target: optionalText(LIMITS.target).nullable(),
  outcome: z.enum(OUTCOMES),
  openaiIds: z.record(optionalText(64), optionalText(LIMITS.openaiId)),
  errorType: optionalText(LIMITS.errorType).nullish(),
  errorMessage: z.string().nullish(),
  actor: optionalText(LIMITS.actor).nullish(),
  reason: optionalText(LIMITS.reason).nullish(),
  identity: identityChangeSchema.nullish(),
});

function truncate(message: string | null | undefined): string | null {
  if (message === null || message === undefined) return null;
  return message.length <= LIMITS.errorMessage ? message : `${message.slice(0, LIMITS.errorMessage - 1)}…`;
}

/** An identity map row as the store's callers see it. */
function toIdentity(row: IdentitiesTable): Identity {
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
      return Store.openSqlite(config.file, location);
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

  /**
   * SQLite: several processes opening one fresh file at once can meet SQLite's locks where
   * its busy timeout does not apply (switching a new file to WAL, a read that must become a
   * write); the loser is told `database is locked` at once. Opening is idempotent, so it is
   * tried again a few times, a little later each time, before the error is reported.
   */
  private static async openSqlite(file: string, location: string): Promise<Store> {
    const attempts = 5;
    for (let attempt = 1; ; attempt++) {
      let db: Kysely<Database> | undefined;
      try {
        db = new Kysely<Database>({ dialect: new TenureSqliteDialect({ database: openSqlite(file) }) });
        const store = new Store(db, 'sqlite', location, (message) => message);
        await store.migrate();
        return store;
      } catch (error) {
        await db?.destroy().catch(() => {});
        const locked = /database is locked/i.test((error as Error)?.message ?? '');
        if (!locked || attempt === attempts) throw translateError(error, location, (message) => message, 'opening');
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt + Math.floor(Math.random() * 100)));
      }
    }
  }

  /** Turns a driver error into a StoreError whose message names the store and carries no secret. */
  private translate(error: unknown, doing: string): StoreError {
    return translateError(error, this.location, this.scrub, doing);
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
    const change = parsed.data.identity ?? null;
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
            reason: entry.reason ?? null,
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
    return toIdentity(row);
  }

  /**
   * The identity map's emails of several people at once (a query per 200 of them), keyed
   * `<source>/<employeeId>`; a person without a row, or whose row has no email, is absent.
   */
  async emailsOf(people: readonly { source: string; employeeId: string }[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const unique = [...new Map(people.map((p) => [`${p.source}/${p.employeeId}`, p])).values()];
    for (let i = 0; i < unique.length; i += 200) {
      const batch = unique.slice(i, i + 200);
      const rows = await this.guard('reading the identity map', () =>
        this.db
          .selectFrom('identities')
          .select(['source', 'employee_id', 'email'])
          .where((eb) => eb.or(batch.map((p) => eb.and([eb('source', '=', p.source), eb('employee_id', '=', p.employeeId)]))))
          .execute(),
      );
      for (const row of rows) if (row.email) found.set(`${row.source}/${row.employee_id}`, row.email);
    }
    return found;
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
      if (!value || utf8Length(value) > limit) throw new StoreInputError(field, `${field} must be 1 to ${limit} bytes long (UTF-8)`);
    }
    const at = occurred.toISOString();
    const hr: HrStatus = note.eventType === 'employee.departed' ? 'departed' : 'employed';
    return this.guard('noting an HR event', () =>
      this.transaction(async (trx) => {
        const row = await trx
          .selectFrom('identities')
          .select(['hr_event_at', 'hr_status'])
          .where('source', '=', note.source)
          .where('employee_id', '=', note.employeeId)
          .executeTakeFirst();
        if (row?.hr_event_at && row.hr_event_at > at) return false;
        // At the same instant a departure is the newer event (no access is the safe side), as in the entity workflow.
        if (row?.hr_event_at === at && row.hr_status === 'departed' && hr === 'employed' && note.eventType !== 'employee.updated') return false;
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

  /**
   * Remembers that an event was handed to Temporal. Idempotent: remembering it again
   * changes nothing. Throws {@link StoreInputError} for ids longer than the store's limits.
   */
  async rememberEvent(event: { source: string; eventId: string; employeeId: string }, now: Date = new Date()): Promise<void> {
    for (const [field, value, limit] of [['source', event.source, LIMITS.source], ['eventId', event.eventId, LIMITS.eventId], ['employeeId', event.employeeId, LIMITS.employeeId]] as const) {
      if (!value || utf8Length(value) > limit) throw new StoreInputError(field, `${field} must be 1 to ${limit} bytes long (UTF-8)`);
    }
    await this.guard('remembering an event', () =>
      this.db
        .insertInto('accepted_events')
        .values({ source: event.source, event_id: event.eventId, employee_id: event.employeeId, accepted_at: now.toISOString() })
        .onConflict((oc) => oc.columns(['source', 'event_id']).doNothing())
        .execute(),
    );
  }

  /** True when an event with this id from this source was handed to Temporal before (however long ago). */
  async wasAccepted(source: string, eventId: string): Promise<boolean> {
    const row = await this.guard('reading accepted events', () =>
      this.db.selectFrom('accepted_events').select('event_id').where('source', '=', source).where('event_id', '=', eventId).executeTakeFirst(),
    );
    return row !== undefined;
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

  /** Every row of the identity map, read in pages (a sync compares them all with HR and OpenAI). */
  async *identities(pageSize = 1000): AsyncGenerator<Identity> {
    let after: { source: string; employeeId: string } | undefined;
    for (;;) {
      let q = this.db.selectFrom('identities').selectAll();
      if (after) {
        const { source, employeeId } = after;
        q = q.where((eb) => eb.or([eb('source', '>', source), eb.and([eb('source', '=', source), eb('employee_id', '>', employeeId)])]));
      }
      const rows = await this.guard('reading the identity map', () => q.orderBy('source').orderBy('employee_id').limit(pageSize).execute());
      for (const row of rows) {
        yield toIdentity(row);
      }
      if (rows.length < pageSize) return;
      const last = rows.at(-1)!;
      after = { source: last.source, employeeId: last.employee_id };
    }
  }

  /**
   * A page of people, in (source, employee id) order, optionally only those whose employee
   * id or email starts with `search`. Both are prefix ranges over indexes (migration 0009),
   * so a page costs the same with ten people or a hundred thousand.
   */
  async people(query: PeopleQuery = {}): Promise<PeoplePage> {
    const limit = query.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new StoreInputError('limit', 'limit must be a whole number from 1 to 500');
    const search = query.search?.trim();
    if (search !== undefined && utf8Length(search) > LIMITS.target) throw new StoreInputError('search', `search may be at most ${LIMITS.target} bytes long`);
    // A prefix as a byte range: [prefix, prefix + the highest code point). PostgreSQL compares
    // these expressions in the "C" collation, as its indexes are built (0009).
    const collate = this.dialect === 'postgres' ? sql.raw(' COLLATE "C"') : sql.raw('');
    let q = this.db.selectFrom('identities').selectAll();
    if (search) {
      const [low, high] = [search, `${search}\u{10FFFF}`];
      const [lowEmail, highEmail] = [search.toLowerCase(), `${search.toLowerCase()}\u{10FFFF}`];
      q = q.where((eb) =>
        eb.or([
          eb.and([eb(sql`employee_id${collate}`, '>=', low), eb(sql`employee_id${collate}`, '<', high)]),
          eb.and([eb(sql`lower(email)${collate}`, '>=', lowEmail), eb(sql`lower(email)${collate}`, '<', highEmail)]),
        ]),
      );
    }
    if (query.after) {
      const { source, employeeId } = query.after;
      q = q.where((eb) => eb.or([eb('source', '>', source), eb.and([eb('source', '=', source), eb('employee_id', '>', employeeId)])]));
    }
    const rows = await this.guard('reading the identity map', () => q.orderBy('source').orderBy('employee_id').limit(limit + 1).execute());
    const people = rows.slice(0, limit).map(toIdentity);
    const last = people.at(-1);
    return { people, next: rows.length > limit && last ? { source: last.source, employeeId: last.employeeId } : null };
  }

  /** Keeps what a sync that read HR found (once per sync id: writing it again changes nothing). */
  async recordSyncRun(run: Omit<SyncRun, 'recordedAt'>, now: Date = new Date()): Promise<void> {
    if (!run.syncId || run.syncId.length > 512) throw new StoreInputError('syncId', 'syncId must be 1 to 512 characters');
    await this.guard('recording a sync', () =>
      this.db
        .insertInto('sync_runs')
        .values({ sync_id: run.syncId, recorded_at: now.toISOString(), status: run.status.slice(0, 32), hr_counts: JSON.stringify(run.hrCounts), summary: JSON.stringify(run.summary) })
        .onConflict((oc) => oc.column('sync_id').doNothing())
        .execute(),
    );
  }

  /** The newest sync that read HR, or undefined before the first. */
  async lastSyncRun(): Promise<SyncRun | undefined> {
    const row = await this.guard('reading syncs', () => this.db.selectFrom('sync_runs').selectAll().orderBy('recorded_at', 'desc').orderBy('sync_id', 'desc').limit(1).executeTakeFirst());
    if (!row) return undefined;
    return { syncId: row.sync_id, recordedAt: row.recorded_at, status: row.status, hrCounts: JSON.parse(row.hr_counts) as Record<string, number>, summary: JSON.parse(row.summary) as Record<string, unknown> };
  }

  /** Audit rows matching `query`, oldest first. */
  async audit(query: AuditQuery = {}): Promise<AuditEntry[]> {
    if (query.since !== undefined && Number.isNaN(query.since.getTime())) throw new StoreInputError('since', 'since is not a valid date');
    let q = this.db.selectFrom('audit_log').selectAll();
    if (query.employeeId !== undefined) q = q.where('employee_id', '=', query.employeeId);
    if (query.source !== undefined) q = q.where('source', '=', query.source);
    if (query.runId !== undefined) q = q.where('run_id', '=', query.runId);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.outcome !== undefined) q = q.where('outcome', '=', query.outcome);
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
      openaiIds: JSON.parse(r.openai_ids) as OpenAIIds,
      errorType: r.error_type,
      errorMessage: r.error_message,
      actor: r.actor ?? null,
      reason: r.reason ?? null,
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

/** A driver error as a StoreError whose message names the store and carries no secret. */
function translateError(error: unknown, location: string, scrub: (message: string) => string, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = scrub((error as Error)?.message || String(error));
  if (isUnreachable(error)) return new StoreUnavailableError(`the results store at ${location} is unavailable while ${doing}: ${message}`);
  return new StoreError('STORE_FAILED', `the results store at ${location} failed while ${doing}: ${message}`);
}
