/**
 * What code outside workflows may import from this folder without pulling workflow
 * functions in: ids, search attributes, signal and query definitions and their shapes.
 */
export { employeeWorkflowId, runWorkflowId, openaiTaskQueueFor } from './ids.ts';
export { SEARCH_ATTRIBUTES, RUN_STATUSES, type RunStatus } from './search-attributes.ts';
export * from './messages.ts';
export * from './sync-messages.ts';
