import type { Kysely, Migration } from 'kysely';

/**
 * Event ids the trigger server has handed to Temporal, remembered for longer than
 * Temporal keeps the runs they started, so a redelivery after retention is a duplicate.
 */
export const acceptedEvents = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('accepted_events')
      .addColumn('source', 'varchar(64)', (c) => c.notNull())
      .addColumn('event_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('employee_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('accepted_at', 'varchar(32)', (c) => c.notNull())
      .addPrimaryKeyConstraint('accepted_events_pk', ['source', 'event_id'])
      .execute();
  },
});
