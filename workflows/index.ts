/**
 * Workflow code: deterministic, no I/O. Imports only pure modules (plan types, CEL
 * evaluation, time arithmetic) and activity *types*; a lint rule enforces it.
 *
 *   employeeWorkflow  — one per person (`employee/<source>/<id>`): orders their events, starts
 *                       and supersedes their runs, hands out the per-person OpenAI lease
 *   definitionRun     — one per matching definition and event (`<definition>/<id>/<eventId>`):
 *                       interprets the plan; parks as needs-attention on a step that fails for good
 *   scheduledRun      — one per tick of a definition's Temporal Schedule (`scheduled/<definition>-<time>`)
 *
 * Signals and queries (approve, reject, retry, skip, abort, status, …) are in messages.ts;
 * code outside workflows imports them, ids and search attributes from shared.ts.
 */
export { employeeWorkflow, type EmployeeWorkflowInput, type EmployeeMemory } from './employee.ts';
export { definitionRun, type DefinitionRunInput, type DefinitionRunResult, type EngineFailureType } from './definition-run.ts';
export { scheduledRun, type ScheduledRunInput, type ScheduledRunResult, type ScheduledRunFailureType } from './scheduled-run.ts';
export * from './messages.ts';
