/**
 * The definition language: schema, loader (YAML with positions, hostile-input guards),
 * type-checked CEL expressions, compiler to a frozen plain-JSON plan, a dry run, and a
 * registry that hot-reloads a folder. Expression evaluation, plan types and time
 * arithmetic are pure, so workflow code may import them; the rest is not.
 *
 *   const { plans, problems } = loadDefinitions(['definitions']);
 *   problems.forEach((p) => console.error(formatProblem(p)));
 *   const { matched } = matchPlans(plans, hrEvent);
 *   const dry = dryRun(plans, hrEvent, { now: Date.now() });   // what would happen, touching nothing
 */
export { loadDefinitions, loadDefinitionFile, loadDefinitionText } from './loader.ts';
export { compile, DEFAULT_MAX_ATTEMPTS, DEFAULT_STEP_TIMEOUT_MS } from './compiler.ts';
export { formatProblem, didYouMean, PROBLEM_CODES, type Problem, type ProblemCode } from './problems.ts';
export { matchPlans } from './matching.ts';
export { evaluate, evaluateCondition, renderTemplate, eventContext, EMPLOYEE_FIELDS, ExpressionError, ExpressionBudgetError, compileRegex, type ExpressionContext } from './expressions.ts';
export { EXPRESSION_BUDGET, expressionCost, measure, type Shape } from './budget.ts';
export { DefinitionTypeChecker } from './typecheck.ts';
export { positiveDuration } from './durations.ts';
export { waitTarget, isTimeZone } from './time.ts';
export { canonicalJson } from './canonical-json.ts';
export { ACTION_NAMES } from '../activities/actions/index.ts';
export {
  STEP_KINDS,
  flattenSteps,
  type ActionName,
  type Plan,
  type PlanStep,
  type ActionStep,
  type WaitStep,
  type IfStep,
  type ApprovalStep,
  type ApprovalOutput,
  type PlanTrigger,
} from './plan.ts';
export { definitionJsonSchema } from './json-schema.ts';
export { dryRun, type DryRun, type DryRunStep } from './dry-run.ts';
export { DefinitionRegistry, type ReloadReport } from './registry.ts';
