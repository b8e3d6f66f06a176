import type { Kysely, Migration } from 'kysely';

/**
 * When the action that last changed a person's identity row saw OpenAI in that state. The
 * store applies an identity change only if it is not older than this, so a recording that
 * arrives late (retried after a worker crashed) cannot undo a later action's change.
 */
export const identityObservedAt = (): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identities').addColumn('observed_at', 'varchar(32)').execute();
  },
});
