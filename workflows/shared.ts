/**
 * What code outside workflows may import from this folder without pulling workflow
 * functions in: ids, search attributes, signal and query definitions.
 */
export { employeeWorkflowId, runWorkflowId } from './ids.ts';
export { SEARCH_ATTRIBUTES, type RunStatus } from './search-attributes.ts';
