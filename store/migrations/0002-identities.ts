import type { Kysely, Migration } from 'kysely';

/** The identity map: HR (source, employee id) → the person's OpenAI ids and status. */
export const identities = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('identities')
      .addColumn('source', 'varchar(64)', (c) => c.notNull())
      .addColumn('employee_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('email', 'varchar(512)')
      .addColumn('openai_user_id', 'varchar(256)')
      .addColumn('invite_id', 'varchar(256)')
      .addColumn('scim_id', 'varchar(256)')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('updated_at', 'varchar(32)', (c) => c.notNull())
      .addPrimaryKeyConstraint('identities_pk', ['source', 'employee_id'])
      .execute();
  },
});
