import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './index.ts';

/**
 * The audit log's `actor` column (who approved or rejected), an index for `--since`, and
 * a guard in the database itself: UPDATE, DELETE (and on PostgreSQL TRUNCATE) of
 * audit_log fail. The store has no such API; the guard catches a stray script or a
 * hand-typed statement. It does not stop someone who can drop triggers.
 */
export const auditAppendOnly = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('audit_log').addColumn('actor', 'varchar(256)').execute();
    await db.schema.createIndex('audit_log_recorded_at').on('audit_log').column('recorded_at').execute();
    if (dialect === 'sqlite') {
      for (const op of ['UPDATE', 'DELETE']) {
        await sql
          .raw(`CREATE TRIGGER audit_log_no_${op.toLowerCase()} BEFORE ${op} ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: ${op} is not allowed'); END`)
          .execute(db);
      }
      return;
    }
    await sql
      .raw(
        `CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
         END $$`,
      )
      .execute(db);
    await sql.raw('CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()').execute(db);
    await sql.raw('CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()').execute(db);
  },
});
