/**
 * Type-checks CEL expressions at load time against what a run will really hold: the
 * event's fields (`event`, `employee`, `changes`), the definition's `vars`, and the
 * outputs of the steps that have run by then (`steps.<id>.output`). Evaluation inside
 * workflows stays on the untyped environment in expressions.ts; this only finds
 * mistakes early (unknown variables and fields, unknown or later step ids, wrong types).
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { EMPLOYEE_FIELDS } from './expressions.ts';
import type { StepKind } from './plan.ts';
import { didYouMean } from './problems.ts';

/** A problem in one expression; `offset` is where in the expression text it is. */
export interface ExpressionIssue {
  message: string;
  offset: number;
  hint?: string;
}

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

/**
 * Checks the expressions of one definition. Create one per definition: it knows the
 * definition's trigger, step ids and vars.
 */
export class DefinitionTypeChecker {
  private readonly env: Environment;
  private readonly steps: readonly StepInfo[];
  private readonly trigger: 'event' | 'schedule';
  private readonly varNames: readonly string[];

  constructor(options: { trigger: 'event' | 'schedule'; steps: readonly StepInfo[]; vars: readonly string[] }) {
    this.trigger = options.trigger;
    this.steps = options.steps;
    this.varNames = options.vars;
    this.env = BASES[options.trigger].clone();
    const steps: Record<string, unknown> = {};
    for (const step of options.steps) steps[step.id] = { output: OUTPUT_SCHEMAS[step.kind] };
    this.env.registerVariable({ name: 'steps', schema: steps as never });
    this.env.registerVariable({ name: 'vars', schema: Object.fromEntries(options.vars.map((name) => [name, 'dyn'])) });
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
    const type = String(result.type);
    if (expected !== 'any' && type !== expected && type !== 'dyn') {
      const wanted = expected === 'bool' ? 'true or false' : 'a string';
      return { message: `must give ${wanted}, but gives a value of type ${type}`, offset: 0 };
    }
    return undefined;
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
