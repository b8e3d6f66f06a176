/**
 * Sync: converge OpenAI access on what the HR system of record says, whatever webhooks
 * were missed. Reads every HR directory (through `hris/` connectors), the OpenAI
 * organization and the identity map; classifies each person (missed-hire,
 * missed-departure, unmanaged, expired-invite, in-sync); delivers each actionable
 * difference to the person's entity workflow as an event, so definitions decide.
 *
 *   const { entries, counts } = classify({ people, members, invites, identities, wantsAccess, now });
 *   const activities = createSyncActivities({ connectors, openai, store, client, taskQueue });
 *   await startSync(client, { taskQueue, plans, maxChanges: 25, mode: 'sync' });   // the workflow, now
 */
export { classify, syncEventId, hasLeft, DRIFT_KINDS, ACTIONABLE_KINDS, type DriftKind, type DriftEntry, type Classification, type ClassifyInput, type HrRecord, type KnownIdentity, type OpenAIInvite, type OpenAIMember } from './classify.ts';
export { readAndClassify, SyncStoppedError, type SyncStopType, type DirectoryReaders, type DirectoryReading, type ReadOptions } from './read.ts';
export { createSyncActivities, SYNC_AUDIT_CODES, type SyncActivities, type SyncDependencies } from './activities.ts';
export { startSync, decideSync, syncState, syncScheduleOptions, ensureSyncSchedule, followSyncSchedule, type StartSyncOptions, type SyncScheduleOptions } from './client.ts';
