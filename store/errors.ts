/** Stable codes of the results store's errors. Tests and callers branch on these, never on wording. */
export type StoreErrorCode =
  /** The database has migrations this version of Tenure does not know: a newer Tenure upgraded it. */
  | 'SCHEMA_TOO_NEW'
  /** Bringing the schema up to date failed. */
  | 'MIGRATION_FAILED'
  /** The database could not be reached or is busy; trying again later may work. */
  | 'STORE_UNAVAILABLE'
  /** Any other database error (disk full, a serialization failure…): worth retrying, worth a look. */
  | 'STORE_FAILED'
  /** A record or query the store refuses (a value too long, an unknown outcome, a bad date). */
  | 'INVALID_INPUT';

export class StoreError extends Error {
  override readonly name: string = 'StoreError';
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** The schema cannot be used by this version: refuse to start. */
export class StoreSchemaError extends StoreError {
  override readonly name = 'StoreSchemaError';
}

/** The database is unreachable or busy: retry later; nothing was written. */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: ErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
  }
}

/** The store refuses this input; retrying the same input fails the same way. */
export class StoreInputError extends StoreError {
  override readonly name = 'StoreInputError';
  /** The offending field, e.g. `stepId` or `since`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super('INVALID_INPUT', message);
    this.field = field;
  }
}

// Node socket errors, PostgreSQL connection-class SQLSTATEs (08…, shutdown 57P0x, too many
// connections 53300) and SQLite's busy/locked result codes.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', '57P01', '57P02', '57P03', '53300']);
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;

/** True when `error` says the database could not be reached (or was busy), not that the request was wrong. */
export function isUnreachable(error: unknown): boolean {
  const e = error as { code?: unknown; errcode?: unknown; message?: unknown; errors?: unknown[] } | undefined;
  if (!e) return false;
  if (typeof e.code === 'string' && (UNREACHABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  if (e.errcode === SQLITE_BUSY || e.errcode === SQLITE_LOCKED) return true;
  if (Array.isArray(e.errors) && e.errors.some(isUnreachable)) return true;
  // node-postgres reports a dropped or timed-out connection by message only.
  return typeof e.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|not queryable|Cannot use a pool after calling end/i.test(e.message);
}
