import type { Migration, MigrationProvider } from 'kysely';
import { auditLog } from './0001-audit-log.ts';
import { identities } from './0002-identities.ts';
import { auditAppendOnly } from './0003-audit-append-only.ts';
import { hrStatus } from './0004-hr-status.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Every migration, in order. Names sort lexically; never rename or edit one that has
 * shipped: add a new one. A database that has run a migration not listed here was
 * upgraded by a newer Tenure, and this version refuses to start on it.
 */
export function migrations(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-audit-log': auditLog(dialect),
        '0002-identities': identities(),
        '0003-audit-append-only': auditAppendOnly(dialect),
        '0004-hr-status': hrStatus(),
      };
    },
  };
}

/** Names of the migrations this version knows, in order. */
export async function knownMigrations(dialect: Dialect): Promise<string[]> {
  return Object.keys(await migrations(dialect).getMigrations()).sort();
}
