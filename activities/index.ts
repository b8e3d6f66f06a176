/**
 * Activities: everything with side effects that workflows ask for — OpenAI Admin API and
 * SCIM calls (idempotent, typed outcomes, one failure taxonomy), audit recording, reading
 * thin HR events' records from the vendor (enrichment) and finding whom a scheduled
 * reconciliation acts on. The admin key and SCIM token live in the clients only; no input,
 * result or error carries them.
 *
 *   const openai = new AdminClient({ baseUrl, adminKey, timeoutMs });
 *   const scim = new ScimClient({ baseUrl: scimBaseUrl, token: scimToken, timeoutMs });
 *   const activities = createActivities({ openai, scim, store });
 *   Worker.create({ activities, … });
 */
export { createNotifyActivities, NOTIFY_FAILURE_TYPES } from './notify.ts';
export { createActivities, DEFAULT_ACCEPTANCE_POLL_MS, type Activities, type ActivityDependencies } from './activities.ts';
export * from './contract.ts';
export { createRecordActivities, RECORD_FAILURE_TYPES, type RecordActivities, type RecordDependencies } from './record.ts';
export type { ActionResult } from './results.ts';
export { createEnrichmentActivities, type Enricher, type EnrichmentActivities, type EnrichmentFailureType } from './enrichment.ts';
export { createReconciliationActivities, storeReconciliation, type ReconciliationFailureType, type ReconciliationSource, type ReconciliationSubject, type ReconciliationActivities } from './reconciliation.ts';
export {
  AdminClient,
  type AdminClientOptions,
  type Invite,
  type OrgUser,
  type Project,
  type ProjectUser,
  type ListPage,
  type Deleted,
} from './openai/admin-client.ts';
export * from './openai/errors.ts';
export { FAILURE_TYPES, isRetryable, toApplicationFailure, atOpenAIBoundary, type OpenAIFailureType } from './openai/failures.ts';
export { inviteUser } from './openai/invite.ts';
export { checkAcceptance } from './openai/acceptance.ts';
export { setRole, removeMember } from './openai/members.ts';
export { addToProject, removeFromProject } from './openai/projects.ts';
export * from './scim/index.ts';
