/**
 * Workflow code: deterministic, no I/O. Imports only pure modules (plan types, CEL
 * evaluation, time arithmetic) and activity *types*; a lint rule enforces it.
 *
 *   employeeWorkflow  — one per person (`employee/<source>/<id>`), orders their events
 *   definitionRun     — one per matching definition and event (`<definition>/<id>/<eventId>`)
 *   scheduledRun      — one per tick of a definition's Temporal Schedule (`scheduled/<definition>-<time>`)
 */
export { employeeWorkflow, hrEventSignal, employeeStateQuery, type EmployeeEvent, type EmployeeWorkflowInput, type EmployeeState } from './employee.ts';
export { definitionRun, statusQuery, type DefinitionRunInput, type DefinitionRunResult, type StepResult, type RunState } from './definition-run.ts';
export { scheduledRun, type ScheduledRunInput, type ScheduledRunResult, type ScheduledRunFailureType } from './scheduled-run.ts';
