/**
 * Type-checks CEL expressions at load time against what a run will really hold: the
 * event's fields (`event`, `employee`, `changes`), the definition's `vars`, and the
 * outputs of the steps that have run by then (`steps.<id>.output`). Evaluation inside
 * workflows stays on the untyped environment in expressions.ts; this only finds
 * mistakes early (unknown variables and fields, unknown or later step ids, wrong types).
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { EXPRESSION_BUDGET, expressionCost, measure, recordShape, unknownShape, type Shape } from './budget.ts';
import { compileRegex, EMPLOYEE_FIELDS } from './expressions.ts';
import type { StepKind } from './plan.ts';
import { didYouMean, type ProblemCode } from './problems.ts';

/** A problem in one expression; `offset` is where in the expression text it is. */
export interface ExpressionIssue {
  message: string;
  offset: number;
  hint?: string;
  /** Default `BAD_EXPRESSION`. */
  code?: Extract<ProblemCode, 'BAD_EXPRESSION' | 'BAD_REGEX' | 'EXPRESSION_BUDGET'>;
}

/** Largest sizes at load: what the event schema lets in (events/hr-event.ts), and an assumption for step outputs. */
const LOAD_SIZES = { field: 320, changeValue: 2000, changedFields: 100, unknown: 100 } as const;

const EVENT_SHAPE = recordShape({ id: { size: 200 }, type: { size: 32 }, occurredAt: { size: 64 }, source: { size: 64 } });
const EMPLOYEE_SHAPE = recordShape(
  Object.fromEntries(EMPLOYEE_FIELDS.map((field) => [field, field === 'manager' ? recordShape({ id: { size: LOAD_SIZES.field }, email: { size: LOAD_SIZES.field } }) : { size: LOAD_SIZES.field }])),
);
const CHANGES_SHAPE: Shape = { size: LOAD_SIZES.changedFields, item: { size: 2, item: { size: LOAD_SIZES.changeValue, item: { size: LOAD_SIZES.changeValue } } } };

/** What an expression's value must be. */
export type ExpectedType = 'bool' | 'string' | 'any';

export interface StepInfo {
  id: string;
  kind: StepKind;
}

const ENVIRONMENT_OPTIONS = { homogeneousAggregateLiterals: false } as const;

/** Fields that a source may leave out are null at run time, so comparing them with null must type-check. */
function allowNullComparisons(env: Environment, types: readonly string[]): void {
  // Registering `T == null` also registers `null == T` and both `!=` forms.
  for (const type of types) env.registerOperator(`${type} == null`, (a: unknown) => a === null);
}

const EMPLOYEE_SCHEMA: Record<string, string> = Object.fromEntries(
  EMPLOYEE_FIELDS.map((field) => [field, field === 'manager' ? 'Manager' : 'string']),
);
const EVENT_SCHEMA = { id: 'string', type: 'string', occurredAt: 'string', source: 'string' };

/** Step outputs by kind; actions' outputs are maps whose keys depend on the action. */
const OUTPUT_SCHEMAS: Record<StepKind, Record<string, string> | 'map'> = {
  action: 'map',
  wait: { until: 'string' },
  if: { branch: 'string', result: 'bool' },
  approval: { approved: 'bool', by: 'string', reason: 'string', timedOut: 'bool' },
};

const STEP_TYPES: Record<StepKind, string> = { action: 'ActionStep', wait: 'WaitStep', if: 'IfStep', approval: 'ApprovalStep' };

function baseEnvironment(trigger: 'event' | 'schedule'): Environment {
  const env = new Environment(ENVIRONMENT_OPTIONS);
  env.registerVariable({ name: 'event', schema: EVENT_SCHEMA });
  // Scheduled runs are each about one person too (the schedule's `for` selects them), but not about a change.
  env.registerType('Manager', { fields: { id: 'string', email: 'string' } });
  env.registerVariable({ name: 'employee', schema: EMPLOYEE_SCHEMA });
  if (trigger === 'event') {
    env.registerType('Change', { fields: { from: 'dyn', to: 'dyn' } });
    env.registerVariable({ name: 'changes', schema: Object.fromEntries(EMPLOYEE_FIELDS.map((field) => [field, 'Change'])) });
  }
  allowNullComparisons(env, ['string', 'Manager']);
  // One type per step kind, registered once: a definition's `steps` then only names them.
  for (const kind of Object.keys(OUTPUT_SCHEMAS) as StepKind[]) {
    const output = OUTPUT_SCHEMAS[kind];
    if (output !== 'map') env.registerType(`${STEP_TYPES[kind]}Output`, { fields: output });
    env.registerType(STEP_TYPES[kind], { fields: { output: output === 'map' ? 'map' : `${STEP_TYPES[kind]}Output` } });
  }
  return env;
}

// Built once: cloning is cheap, building is not. A cloned parent can register no more.
const BASES = { event: baseEnvironment('event'), schedule: baseEnvironment('schedule') };

const VARIABLES = { event: ['event', 'employee', 'changes', 'steps', 'vars'], schedule: ['event', 'employee', 'steps', 'vars'] } as const;

const KNOWN_FIELDS = [...EMPLOYEE_FIELDS, ...Object.keys(EVENT_SCHEMA), 'from', 'to', 'output', ...Object.keys(OUTPUT_SCHEMAS.approval), 'until', 'branch', 'result'];

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Visits every node of a CEL AST in source order (CEL bounds the depth when parsing). */
function walk(node: ASTNode, visit: (node: ASTNode, parent: ASTNode | undefined) => void, parent?: ASTNode): void {
  visit(node, parent);
  const children = (item: unknown): void => {
    if (isNode(item)) walk(item, visit, node);
    else if (Array.isArray(item)) item.forEach(children);
  };
  children(node.args);
}

/** The key of a `steps.<key>` or `steps["<key>"]` access, else undefined. */
function stepKey(node: ASTNode): string | undefined {
  return accessOf(node, 'steps');
}

/** For `<variable>.<key>` or `<variable>["<key>"]`, the key; else undefined. */
function accessOf(node: ASTNode, variable: string): string | undefined {
  if (node.op !== '.' && node.op !== '[]') return undefined;
  const [target, accessor] = node.args as [ASTNode, string | ASTNode];
  if (target.op !== 'id' || target.args !== variable) return undefined;
  if (typeof accessor === 'string') return accessor;
  return accessor.op === 'value' && typeof accessor.args === 'string' ? accessor.args : undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

const MAX_CACHED_CHECKERS = 256;
/** Least recently used first. */
const CHECKERS = new Map<string, DefinitionTypeChecker>();

/**
 * Checks the expressions of one definition. Create one per definition: it knows the
 * definition's trigger, step ids and vars.
 */
export class DefinitionTypeChecker {
  private readonly env: Environment;
  private readonly steps: readonly StepInfo[];
  private readonly trigger: 'event' | 'schedule';
  private readonly varNames: readonly string[];
  /** The largest values each variable can hold when the definition runs. */
  private readonly shapes: ReadonlyMap<string, Shape>;

  /** `varValues`: the definition's `vars`, whose sizes count toward the cost of expressions that read them. */
  constructor(options: { trigger: 'event' | 'schedule'; steps: readonly StepInfo[]; vars: readonly string[]; varValues?: Record<string, unknown> }) {
    this.trigger = options.trigger;
    this.steps = options.steps;
    this.varNames = options.vars;
    this.shapes = new Map<string, Shape>([
      ['event', EVENT_SHAPE],
      ['employee', EMPLOYEE_SHAPE],
      ['changes', CHANGES_SHAPE],
      ['vars', measure(options.varValues ?? {})],
      ['steps', recordShape(Object.fromEntries(options.steps.map((step) => [step.id, recordShape({ output: unknownShape(LOAD_SIZES.unknown) })])))],
    ]);
    this.env = BASES[options.trigger].clone();
    const steps: Record<string, string> = {};
    for (const step of options.steps) steps[step.id] = STEP_TYPES[step.kind];
    this.env.registerVariable({ name: 'steps', schema: steps });
    this.env.registerVariable({ name: 'vars', schema: Object.fromEntries(options.vars.map((name) => [name, 'dyn'])) });
  }

  /**
   * The checker for a definition of this shape: definitions with the same trigger, step ids
   * and kinds, and vars share one (building its environment costs more than checking a few
   * expressions). A few hundred shapes are kept.
   */
  static forDefinition(options: { trigger: 'event' | 'schedule'; steps: readonly StepInfo[]; vars: readonly string[]; varValues?: Record<string, unknown> }): DefinitionTypeChecker {
    // The vars' values are part of the shape: their sizes bound the cost of the expressions that read them.
    const key = JSON.stringify([options.trigger, options.steps.map((s) => [s.id, s.kind]), options.vars, options.varValues ?? {}]);
    let checker = CHECKERS.get(key);
    if (checker) {
      CHECKERS.delete(key);
    } else {
      checker = new DefinitionTypeChecker(options);
      if (CHECKERS.size >= MAX_CACHED_CHECKERS) CHECKERS.delete(CHECKERS.keys().next().value as string);
    }
    CHECKERS.set(key, checker);
    return checker;
  }

  /**
   * Checks `expression` as it would run where only the steps in `visible` have run.
   * Returns the first problem, or undefined when it is sound.
   */
  check(expression: string, visible: ReadonlySet<string>, expected: ExpectedType): ExpressionIssue | undefined {
    if (/^\s*\$\{\{/.test(expression)) {
      return { message: 'a condition is CEL already; it is not a ${{ … }} template', offset: 0, hint: `write ${expression.replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, '')}` };
    }
    let ast: ASTNode;
    try {
      ast = this.env.parse(expression).ast;
    } catch (error) {
      return this.issueFrom(error);
    }
    const reference = this.checkReferences(ast, visible);
    if (reference) return reference;
    let result;
    try {
      result = this.env.check(expression);
    } catch (error) {
      return this.issueFrom(error);
    }
    if (!result.valid) return this.issueFrom(result.error);
    const regex = this.checkRegexes(ast);
    if (regex) return regex;
    const cost = expressionCost(ast, this.shapes);
    if (!(cost <= EXPRESSION_BUDGET)) {
      return {
        code: 'EXPRESSION_BUDGET',
        message: `could cost ${Number.isFinite(cost) ? cost.toExponential(1) : 'without bound'} units of work, more than the budget of ${EXPRESSION_BUDGET.toExponential(0)}`,
        offset: 0,
        hint: 'nested map/filter/exists multiply: range over fewer or smaller lists, or split the work into steps',
      };
    }
    const type = String(result.type);
    if (expected !== 'any' && type !== expected && type !== 'dyn') {
      const wanted = expected === 'bool' ? 'true or false' : 'a string';
      return { message: `must give ${wanted}, but gives a value of type ${type}`, offset: 0 };
    }
    return undefined;
  }

  /** Literal patterns of `matches` must compile with RE2, which has no look-arounds and no back-references. */
  private checkRegexes(ast: ASTNode): ExpressionIssue | undefined {
    let issue: ExpressionIssue | undefined;
    walk(ast, (node) => {
      if (issue || (node.op !== 'call' && node.op !== 'rcall') || node.args[0] !== 'matches') return;
      const args = node.op === 'call' ? node.args[1] : node.args[2];
      const pattern = args.at(-1);
      if (pattern?.op !== 'value' || typeof pattern.args !== 'string') return;
      try {
        compileRegex(pattern.args);
      } catch (error) {
        issue = {
          code: 'BAD_REGEX',
          message: `RE2 cannot compile this pattern: ${firstLine((error as Error).message)}`,
          offset: pattern.range?.start ?? 0,
          hint: 'matches takes RE2 syntax (no look-arounds, no back-references); see docs/definitions.md',
        };
      }
    });
    return issue;
  }

  /** The step ids `expression` reads (`steps.<id>` or `steps["<id>"]`); none when it does not parse. */
  stepReferences(expression: string): string[] {
    const ids: string[] = [];
    try {
      walk(this.env.parse(expression).ast, (node) => {
        const key = stepKey(node);
        if (key !== undefined) ids.push(key);
      });
    } catch {
      // A parse error is reported by check().
    }
    return ids;
  }

  /** Step ids must name a step that has run by then; vars must exist. Friendlier than the type checker's "No such key". */
  private checkReferences(ast: ASTNode, visible: ReadonlySet<string>): ExpressionIssue | undefined {
    let issue: ExpressionIssue | undefined;
    const ids = this.steps.map((s) => s.id);
    walk(ast, (node, parent) => {
      if (issue) return;
      const stepId = accessOf(node, 'steps');
      const varKey = accessOf(node, 'vars');
      const key = stepId ?? varKey;
      if (key === undefined) return;
      const offset = node.range?.start ?? 0;
      if (stepId !== undefined) {
        if (!ids.includes(key)) {
          const dashed = ids.find((id) => id.startsWith(`${key}-`));
          const hint =
            dashed && parent?.op === '-'
              ? `a step id with dashes is read as steps["${dashed}"]`
              : (() => {
                  const guess = didYouMean(key, ids);
                  return guess ? `did you mean ${guess}?` : undefined;
                })();
          issue = { message: `unknown step '${key}'; steps are ${ids.join(', ') || 'none'}`, offset, ...(hint ? { hint } : {}) };
        } else if (!visible.has(key)) {
          const readable = ids.filter((id) => visible.has(id));
          issue = {
            message: `step '${key}' has not run yet at this point; only the output of a step that runs before this one can be read (${readable.join(', ') || 'none yet'})`,
            offset,
          };
        }
      } else if (!this.varNames.includes(key)) {
        const guess = didYouMean(key, this.varNames);
        issue = {
          message: `unknown var '${key}'; ${this.varNames.length ? `vars are ${this.varNames.join(', ')}` : 'this definition has no vars'}`,
          offset,
          ...(guess ? { hint: `did you mean ${guess}?` } : {}),
        };
      }
    });
    return issue;
  }

  private issueFrom(error: unknown): ExpressionIssue {
    const e = error as { summary?: string; message?: string; range?: { start: number } };
    const message = firstLine(e.summary ?? e.message ?? 'invalid expression');
    const offset = e.range?.start ?? 0;
    const variable = /^Unknown variable: (\w+)/.exec(message)?.[1];
    if (variable) {
      const names = VARIABLES[this.trigger];
      const guess = didYouMean(variable, names);
      const scheduleNote =
        this.trigger === 'schedule' && variable === 'changes' ? '; a scheduled run is not about a change: it has no changes' : '';
      return { message: `unknown variable '${variable}'${scheduleNote}`, offset, hint: guess ? `did you mean ${guess}?` : `expressions can read ${names.join(', ')}` };
    }
    const key = /^No such key: (\w+)/.exec(message)?.[1];
    if (key) {
      const guess = didYouMean(key, KNOWN_FIELDS);
      return { message: `unknown field '${key}'`, offset, ...(guess ? { hint: `did you mean ${guess}?` } : {}) };
    }
    return { message, offset };
  }
}
