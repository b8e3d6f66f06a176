import type { Kysely, Migration } from 'kysely';
import type { Dialect } from './index.ts';

export const auditLog = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('record_key', 'varchar(512)', (c) => c.notNull().unique())
      .addColumn('recorded_at', 'varchar(32)', (c) => c.notNull())
      .addColumn('run_id', 'varchar(512)', (c) => c.notNull())
      .addColumn('definition', 'varchar(128)', (c) => c.notNull())
      .addColumn('definition_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('event_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('event_type', 'varchar(64)', (c) => c.notNull())
      .addColumn('source', 'varchar(64)', (c) => c.notNull())
      .addColumn('employee_id', 'varchar(256)', (c) => c.notNull())
      .addColumn('step_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('action', 'varchar(64)', (c) => c.notNull())
      .addColumn('target', 'varchar(512)')
      .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
      .addColumn('openai_ids', 'text', (c) => c.notNull())
      .addColumn('error_type', 'varchar(128)')
      .addColumn('error_message', 'text')
      .execute();
    await db.schema.createIndex('audit_log_employee').on('audit_log').columns(['source', 'employee_id']).execute();
    await db.schema.createIndex('audit_log_run').on('audit_log').column('run_id').execute();
  },
});
