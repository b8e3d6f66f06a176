/**
 * The definition language: schema, loader (YAML with positions), compiler to a frozen
 * plain-JSON plan, and CEL expression evaluation. Expression evaluation, plan types and
 * time arithmetic are pure, so workflow code may import them; the loader is not.
 *
 *   const { plans, problems } = loadDefinitions(['definitions']);
 *   problems.forEach((p) => console.error(formatProblem(p)));
 *   const { matched } = matchPlans(plans, hrEvent);
 */
export { loadDefinitions, loadDefinitionFile, loadDefinitionText, definitionFiles, MAX_DEFINITION_BYTES, type LoadResult } from './loader.ts';
export { compile, DEFAULT_MAX_ATTEMPTS, DEFAULT_STEP_TIMEOUT_MS } from './compiler.ts';
export { formatProblem, didYouMean, type Problem, type ProblemCode } from './problems.ts';
export { matchPlans } from './matching.ts';
export { evaluate, evaluateCondition, renderTemplate, checkExpression, expressionContext, ExpressionError, EMPLOYEE_FIELDS, type ExpressionContext } from './expressions.ts';
export { parseDuration, positiveDuration } from './durations.ts';
export { waitTarget, localDateTimeToEpochMs } from './time.ts';
export { ACTION_NAMES, type ActionName, type Plan, type PlanStep, type ActionStep, type WaitStep, type TemplateValue, type PlanTrigger } from './plan.ts';
export { definitionSchema, ACTION_INPUTS } from './schema.ts';
