/** What `loadRunEngine()` loads: see engine.ts. Nothing else in workflow code imports these modules' values. */
export { ACTIONS } from '../../activities/actions/index.ts';
export { evaluate, evaluateCondition, renderTemplate } from '../../dsl/expressions.ts';
