/**
 * Activities: everything with side effects that workflows ask for — OpenAI Admin API
 * calls (idempotent, typed outcomes, one failure taxonomy) and audit recording.
 *
 *   const activities = createActivities({ openai: new AdminClient({ baseUrl, adminKey, timeoutMs }), store });
 *   Worker.create({ activities, … });
 */
export { createActivities, type Activities, type ActivityDependencies } from './activities.ts';
export * from './contract.ts';
export { createRecordActivities, RECORD_FAILURE_TYPES, type RecordActivities, type RecordDependencies } from './record.ts';
export type { ActionResult } from './results.ts';
export { AdminClient, type AdminClientOptions, type Invite, type OrgUser } from './openai/admin-client.ts';
export * from './openai/errors.ts';
export { FAILURE_TYPES, toApplicationFailure, type OpenAIFailureType } from './openai/failures.ts';
