/**
 * The trigger server: HR webhooks in, Temporal signals out. Each source verifies a
 * delivery's signature against the exact bytes and normalizes it to events (a thin
 * vendor payload becomes a PendingEvent that runs enrich); the server answers 2xx only
 * once Temporal has accepted the work (503 when it cannot). Schedules: definitions with
 * `on: { schedule }` are synced into Temporal Schedules.
 *
 *   const sources = buildSources(config.sources, config.webhookSecret);
 *   const app = buildTriggerServer({ client, taskQueue, sources, plans: () => plans, logger });
 *   await app.listen({ port: 3000 });
 *   await syncSchedules(client, plans, { taskQueue, maxUsers: config.scheduleMaxUsers });
 */
export { buildTriggerServer, isTemporalUnavailable, type TriggerServerOptions } from './server.ts';
export { dispatch, plansFor, type Dispatched, type DispatchOutcome, type DispatchOptions } from './dispatch.ts';
export { syncSchedules, followSchedules, scheduleId, SCHEDULE_ID_PREFIX, type ScheduleSyncOptions, type ScheduleSyncReport } from './schedules.ts';
export { buildSources, signAs } from './sources/registry.ts';
export { genericSource, signGeneric } from './sources/generic.ts';
export { bamboohrSource, signBambooHr, BAMBOOHR_FIELDS, type BambooHrOptions } from './sources/bamboohr.ts';
export { hibobSource, signHiBob, type HiBobOptions } from './sources/hibob.ts';
export { stableEventId } from './sources/common.ts';
export { codecEndpoint } from './admin/codec.ts';
export {
  explainRun,
  overviewRuns,
  temporalUiLink,
  fixesFor,
  waitingOf,
  type RunExplanation,
  type RunOverview,
  type ExplainedStep,
  type ExplainOptions,
  type OverviewOptions,
  type Waiting,
  type Fix,
} from './admin/explain.ts';
export { operatorConsole, SESSION_COOKIE, type ConsoleOptions } from './console/index.ts';
export { mapRecord, type DefaultMappings, type MappedRecord } from './sources/mapping.ts';
export { operatorAuthenticator, ADMIN_OPERATOR, type OperatorAuthenticator } from './admin/auth.ts';
export { listRuns, describeRun, lookUpRun, decide, runsQuery, RunOperationError, DECISIONS, RUNS_PAGE, type RunSummary, type RunFilter, type RunDetails, type Decision, type DecisionInput, type RunOperationCode } from './admin/operations.ts';
export {
  DeliveryRejected,
  type Source,
  type Delivery,
  type Accepted,
  type IgnoredEvent,
  type RejectionCode,
  type FieldProblem,
  type SignatureFailure,
} from './sources/types.ts';
