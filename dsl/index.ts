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
export { loadDefinitions, loadDefinitionFile, loadDefinitionText, definitionFiles, MAX_DEFINITION_BYTES, type LoadResult } from './loader.ts';
export { compile, DEFAULT_MAX_ATTEMPTS, DEFAULT_STEP_TIMEOUT_MS } from './compiler.ts';
export { formatProblem, didYouMean, PROBLEM_CODES, type Problem, type ProblemCode } from './problems.ts';
export { matchPlans, expressionContext } from './matching.ts';
export { evaluate, evaluateCondition, renderTemplate, eventContext, EMPLOYEE_FIELDS, ExpressionError, type ExpressionContext } from './expressions.ts';
export { DefinitionTypeChecker } from './typecheck.ts';
export { parseDuration, positiveDuration } from './durations.ts';
export { waitTarget, localDateTimeToEpochMs, isTimeZone } from './time.ts';
export { canonicalJson } from './canonical-json.ts';
export {
  ACTION_NAMES,
  STEP_KINDS,
  flattenSteps,
  type ActionName,
  type StepKind,
  type Plan,
  type PlanStep,
  type ActionStep,
  type WaitStep,
  type IfStep,
  type ApprovalStep,
  type ApprovalOutput,
  type TemplateValue,
  type JsonValue,
  type PlanTrigger,
} from './plan.ts';
export { definitionSchema, ACTION_INPUTS } from './schema.ts';
export { definitionJsonSchema } from './json-schema.ts';
export { dryRun, type DryRun, type DryRunPlan, type DryRunStep, type DryRunOptions } from './dry-run.ts';
export { DefinitionRegistry, type RegistryOptions, type ReloadReport } from './registry.ts';
