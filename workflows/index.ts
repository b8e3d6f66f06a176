/**
 * Workflow code: deterministic, no I/O. Imports only pure modules (plan types, CEL
 * evaluation, time arithmetic) and activity *types*; a lint rule enforces it.
 *
 *   employeeWorkflow  — one per person (`employee/<source>/<id>`): orders their events, starts
 *                       and supersedes their runs, hands out the per-person OpenAI lease
 *   definitionRun     — one per matching definition and event (`<definition>/<id>/<eventId>`):
 *                       interprets the plan; parks as needs-attention on a step that fails for good
 *   scheduledRun      — one per tick of a definition's Temporal Schedule (`scheduled/<definition>-<time>`)
 *   syncWorkflow      — one per sync or drift report (`sync/…`, `drift/…`): HR vs OpenAI, differences to the entities
 *
 * Signals and queries (approve, reject, retry, skip, abort, status, …) are in messages.ts;
 * code outside workflows imports them, ids and search attributes from shared.ts.
 */
export { employeeWorkflow, type EmployeeWorkflowInput } from './employee.ts';
export { definitionRun, type DefinitionRunInput, type DefinitionRunResult } from './definition-run.ts';
export { awaitAcceptance, type AwaitAcceptanceWorkflowInput } from './acceptance.ts';
export { scheduledRun, type ScheduledRunInput, type ScheduledRunResult } from './scheduled-run.ts';
export * from './messages.ts';
export { syncWorkflow } from './sync.ts';
export * from './sync-messages.ts';
