/**
 * Activities: everything with side effects that workflows ask for — OpenAI Admin API
 * calls (idempotent, typed outcomes, one failure taxonomy) and audit recording.
 *
 *   const activities = createActivities({ openai: new AdminClient({ baseUrl, adminKey, timeoutMs }), store });
 *   Worker.create({ activities, … });
 */
export { createActivities, type Activities, type ActivityDependencies } from './activities.ts';
export * from './contract.ts';
export type { ActionResult } from './results.ts';
export { createEnrichmentActivities, type Enricher, type EnrichmentActivities, type EnrichmentFailureType } from './enrichment.ts';
export { createReconciliationActivities, type ReconciliationSource, type ReconciliationSubject, type ReconciliationActivities } from './reconciliation.ts';
export { AdminClient, type AdminClientOptions, type Invite, type OrgUser } from './openai/admin-client.ts';
export * from './openai/errors.ts';
export { FAILURE_TYPES, toApplicationFailure, type OpenAIFailureType } from './openai/failures.ts';
