import type { Kysely, Migration } from 'kysely';

/**
 * Operator decisions (approve, reject, retry, skip, abort) record why, next to who
 * (`actor`): a column of its own, so an auditor can filter and export it.
 */
export const decisionReason = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('audit_log').addColumn('reason', 'varchar(1000)').execute();
  },
});
