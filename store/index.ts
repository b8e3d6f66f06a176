/**
 * The results store: what outlives Temporal's retention. An append-only audit log of
 * every action and outcome, and the identity map (HR source + employee id → email,
 * OpenAI user id, invite id, SCIM id, status), updated in the same transaction as the
 * audit row that changes it. SQLite file under `.tenure/` by default (Node's built-in
 * `node:sqlite`), PostgreSQL when TENURE_DATABASE_URL says so; the same Kysely
 * migrations and the same tests run on both.
 *
 *   const store = await Store.open(config.store);          // refuses a schema newer than this code
 *   await store.record({ recordKey: `${runId}/${stepId}`, runId, … outcome: 'created', openaiIds: { inviteId }, identity: { status: 'invited', inviteId } });
 *   await store.identity('generic', 'E-1001');             // { status: 'invited', inviteId, openaiUserId, … }
 *   for await (const row of store.auditRows({ employeeId: 'E-1001' })) …
 *
 * Offboarding reads `identity(source, employeeId)` for the OpenAI user id or invite id
 * to remove, and falls back to a lookup by email at OpenAI when there is no row.
 */
export {
  Store,
  type AuditRecord,
  type AuditEntry,
  type AuditQuery,
  type Identity,
  type AuditWriter,
  type AuditReader,
  type EmailReader,
  type ConsoleReader,
  type PeopleQuery,
  type PeoplePage,
  type HrEventNote,
  type HrNoter,
  type SyncRun,
  type SyncStore,
  type EventMemory,
} from './store.ts';
export { StoreError, StoreSchemaError, StoreUnavailableError, StoreInputError } from './errors.ts';
export type { IdentityChange } from './identity.ts';
export { auditCsv, auditJson, formatOpenAIIds, AUDIT_CSV_COLUMNS } from './export.ts';
export { parseSince } from './since.ts';
export { LIMITS, OUTCOMES, type Outcome, type IdentityStatus } from './schema.ts';
