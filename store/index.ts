/**
 * The results store: what outlives Temporal's retention. An append-only audit log of
 * every action and outcome (the identity map joins it). SQLite file under `.tenure/`
 * by default (Node's built-in `node:sqlite`), PostgreSQL when TENURE_DATABASE_URL says so;
 * the same Kysely migrations run on both.
 *
 *   const store = await Store.open(config.store);
 *   await store.record({ recordKey, runId, … outcome: 'created' });
 *   await store.audit({ employeeId: 'E-1001' });
 */
export { Store, StoreSchemaError, type AuditRecord, type AuditEntry, type AuditQuery } from './store.ts';
export { OUTCOMES, type Outcome } from './schema.ts';
