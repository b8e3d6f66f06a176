import type { Kysely, Migration } from 'kysely';

/**
 * One row per sync that read HR: how many people each HR source listed, so the next sync
 * can refuse a directory that shrank implausibly, and what the sync found and did.
 */
export const syncRuns = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('sync_runs')
      .addColumn('sync_id', 'varchar(512)', (c) => c.primaryKey())
      .addColumn('recorded_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('status', 'varchar(32)', (c) => c.notNull())
      .addColumn('hr_counts', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sync_runs_recorded_at').on('sync_runs').column('recorded_at').execute();
  },
});
