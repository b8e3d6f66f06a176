import type { Kysely, Migration } from 'kysely';

/**
 * What HR last said about each person (employed or departed, and when), next to what
 * Tenure did at OpenAI: reconciliation looks for people HR says have left who still
 * hold access.
 */
export const hrStatus = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identities').addColumn('hr_status', 'varchar(16)').execute();
    await db.schema.alterTable('identities').addColumn('hr_event_id', 'varchar(256)').execute();
    await db.schema.alterTable('identities').addColumn('hr_event_at', 'varchar(32)').execute();
    await db.schema.createIndex('identities_hr_status').on('identities').columns(['hr_status', 'status']).execute();
  },
});
