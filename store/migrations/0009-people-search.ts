import { sql, type Kysely, type Migration } from 'kysely';
import type { Dialect } from './index.ts';

/**
 * The console's People page finds a person by employee id or email, by prefix, among tens
 * of thousands: an index on `employee_id` alone (the primary key starts with `source`) and
 * one on `lower(email)`. On PostgreSQL both are in the "C" collation, so a prefix is a byte
 * range the index can scan whatever the database's collation (store.ts `people` queries the
 * same expressions); SQLite compares bytes already.
 */
export const peopleSearch = (dialect: Dialect): Migration => ({
  async up(db: Kysely<unknown>) {
    if (dialect === 'postgres') {
      await sql`CREATE INDEX identities_employee_id ON identities ((employee_id COLLATE "C"))`.execute(db);
      await sql`CREATE INDEX identities_email_lower ON identities ((lower(email) COLLATE "C"))`.execute(db);
      return;
    }
    await sql`CREATE INDEX identities_employee_id ON identities (employee_id)`.execute(db);
    await sql`CREATE INDEX identities_email_lower ON identities (lower(email))`.execute(db);
  },
});
