import type { Migration, MigrationProvider } from 'kysely';
import { auditLog } from './0001-audit-log.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Every migration, in order. Names sort lexically; never rename or edit one that has
 * shipped: add a new one.
 */
export function migrations(dialect: Dialect): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001-audit-log': auditLog(dialect),
      };
    },
  };
}
