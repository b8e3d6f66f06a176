import type { Migration, MigrationProvider } from 'kysely';
import { auditLog } from './0001-audit-log.ts';
import { identities } from './0002-identities.ts';
import { auditAppendOnly } from './0003-audit-append-only.ts';
import { hrStatus } from './0004-hr-status.ts';
import { decisionReason } from './0006-decision-reason.ts';
import { syncRuns } from './0007-sync-runs.ts';
import { acceptedEvents } from './0008-accepted-events.ts';
import { peopleSearch } from './0009-people-search.ts';
import { identityObservedAt } from './0010-identity-observed-at.ts';

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
        '0006-decision-reason': decisionReason(),
        '0007-sync-runs': syncRuns(),
        '0008-accepted-events': acceptedEvents(),
        '0009-people-search': peopleSearch(dialect),
        '0010-identity-observed-at': identityObservedAt(),
      };
    },
  };
}

/** Names of the migrations this version knows, in order. */
export async function knownMigrations(dialect: Dialect): Promise<string[]> {
  return Object.keys(await migrations(dialect).getMigrations()).sort();
}
