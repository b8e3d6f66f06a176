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
export { createActivities, DEFAULT_ACCEPTANCE_POLL_MS, type AcceptanceLook, type Activities } from './activities.ts';
export { createRecordActivities, RECORD_FAILURE_TYPES } from './record.ts';
export { ACTIONS, ACTION_NAMES, type ActionName, type ActionResult, type AuditRowStart, type IdentityChange, type IdentityStatus, type OpenAIIds } from './actions/index.ts';
export { createEnrichmentActivities, type Enricher, type EnrichmentActivities, type EnrichmentFailureType } from './enrichment.ts';
export { connectorEnricher, hrEnrichers, type HrEnricherOptions, type HrEnrichmentFailureType } from './hr-enricher.ts';
export { createReconciliationActivities, storeReconciliation, type ReconciliationFailureType, type ReconciliationSource, type ReconciliationSubject, type ReconciliationActivities } from './reconciliation.ts';
export { AdminClient, type Invite, type OrgUser, type Project, type ProjectUser } from './openai/admin-client.ts';
export {
  OpenAIAuthError,
  OpenAINotFoundError,
  OpenAIInvalidRequestError,
  OpenAIConflictError,
  OpenAIRateLimitError,
  OpenAIUnavailableError,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  ActionRefusedError,
  InviteNotYetAcceptedError,
} from './openai/errors.ts';
export { toApplicationFailure } from './openai/failures.ts';
export { setRole } from './openai/members.ts';
export { addToProject, removeFromProject } from './openai/projects.ts';
export { ScimClient, SCIM_USER_SCHEMA, SCIM_PATCH_SCHEMA, type ScimUser, scimProvision, scimDeactivate, scimReactivate } from './scim/index.ts';
