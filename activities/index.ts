/**
 * Activities: everything with side effects that workflows ask for — OpenAI Admin API
 * calls (idempotent, typed outcomes, one failure taxonomy), audit recording, reading thin
 * HR events' records from the vendor (enrichment) and finding whom a scheduled
 * reconciliation acts on.
 *
 *   const activities = createActivities({ openai: new AdminClient({ baseUrl, adminKey, timeoutMs }), store });
 *   Worker.create({ activities, … });
 */
export { createActivities, type Activities, type ActivityDependencies } from './activities.ts';
export * from './contract.ts';
export type { ActionResult } from './results.ts';
export { createEnrichmentActivities, type Enricher, type EnrichmentActivities, type EnrichmentFailureType } from './enrichment.ts';
export { createReconciliationActivities, type ReconciliationFailureType, type ReconciliationSource, type ReconciliationSubject, type ReconciliationActivities } from './reconciliation.ts';
export { AdminClient, type AdminClientOptions, type Invite, type OrgUser } from './openai/admin-client.ts';
export * from './openai/errors.ts';
export { FAILURE_TYPES, toApplicationFailure, type OpenAIFailureType } from './openai/failures.ts';
