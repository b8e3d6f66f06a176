/**
 * CEL evaluation for definitions: `on.if`, `wait.until` and `${{ … }}` templates.
 * Pure and deterministic (no clock, no I/O), so workflow code may import it; runs load it
 * through workflows/run/modules.ts, so that workflows that evaluate nothing do not carry it.
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { EXPRESSION_BUDGET, expressionCost, measure, type Shape } from './budget.ts';
import { EXPRESSION_VARIABLES, ExpressionBudgetError, ExpressionError, type ExpressionContext } from './expression-context.ts';
import type { TemplateValue } from './plan.ts';

export { EMPLOYEE_FIELDS, EXPRESSION_VARIABLES, eventContext, ExpressionBudgetError, ExpressionError, type ExpressionContext } from './expression-context.ts';

const environment = new Environment({ homogeneousAggregateLiterals: false });
for (const name of EXPRESSION_VARIABLES) environment.registerVariable(name, 'map');

/**
 * CEL's `matches` takes RE2 syntax and runs in linear time. cel-js implements it with
 * JavaScript's backtracking RegExp (one pattern such as `^(a+)+$` can take minutes) and
 * refuses a second overload of it, so parsed calls are re-pointed at this RE2 version.
 */
const RE2_MATCHES = 're2_matches';
environment.registerFunction(`string.${RE2_MATCHES}(string): bool`, (text: string, pattern: string) => compileRegex(pattern).matcher(text).find());
environment.registerFunction(`${RE2_MATCHES}(string, string): bool`, (text: string, pattern: string) => compileRegex(pattern).matcher(text).find());

const compiledPatterns = new Map<string, RE2JS>();

/** An RE2 pattern, compiled once; throws when RE2 cannot compile it (e.g. look-arounds, back-references). */
export function compileRegex(pattern: string): RE2JS {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (compiledPatterns.size >= 256) compiledPatterns.clear();
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function visitNodes(node: unknown, visit: (node: ASTNode) => void): void {
  if (Array.isArray(node)) for (const item of node) visitNodes(item, visit);
  else if (typeof node === 'object' && node !== null && 'op' in node && 'args' in node) {
    visit(node as ASTNode);
    visitNodes((node as ASTNode).args, visit);
  }
}

interface Program {
  run: (context: Record<string, unknown>) => unknown;
  ast: ASTNode;
}

const programs = new Map<string, Program>();

function program(expression: string): Program {
  let found = programs.get(expression);
  if (!found) {
    const run = environment.parse(expression);
    visitNodes(run.ast, (node) => {
      if ((node.op === 'call' || node.op === 'rcall') && node.args[0] === 'matches') (node.args as unknown[])[0] = RE2_MATCHES;
    });
    found = { run, ast: run.ast };
    if (programs.size >= 1024) programs.clear();
    programs.set(expression, found);
  }
  return found;
}

/** CEL integers arrive as bigint; workflow inputs and outputs are JSON. */
function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toJson(v)]));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  }
  return value;
}

/**
 * Evaluates `expression`. Throws {@link ExpressionBudgetError} without evaluating when it
 * would cost more than the budget over these values, {@link ExpressionError} when it fails.
 */
export function evaluate(expression: string, context: ExpressionContext): unknown {
  let compiled: Program;
  try {
    compiled = program(expression);
  } catch (error) {
    throw new ExpressionError(expression, (error as Error).message.split('\n')[0] ?? 'does not parse');
  }
  const scope = new Map<string, Shape>(EXPRESSION_VARIABLES.map((name) => [name, measure(context[name])]));
  const cost = expressionCost(compiled.ast, scope);
  if (!(cost <= EXPRESSION_BUDGET)) throw new ExpressionBudgetError(expression, cost);
  try {
    return toJson(compiled.run(context as unknown as Record<string, unknown>));
  } catch (error) {
    throw new ExpressionError(expression, (error as Error).message.split('\n')[0] ?? 'evaluation failed');
  }
}

export function evaluateCondition(expression: string, context: ExpressionContext): boolean {
  const value = evaluate(expression, context);
  if (typeof value !== 'boolean') throw new ExpressionError(expression, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

const TEMPLATE = /\$\{\{\s*(.+?)\s*\}\}/gs;
const WHOLE_TEMPLATE = /^\$\{\{\s*(.+?)\s*\}\}$/s;

/** One `${{ … }}` in a string: its expression and where that expression starts in the string. */
export interface TemplatePart {
  expression: string;
  index: number;
  /** True when the template is the whole string, so the value replaces it. */
  whole: boolean;
}

/** The `${{ … }}` templates of a string, in order. */
export function templateParts(text: string): TemplatePart[] {
  const whole = WHOLE_TEMPLATE.test(text) && !(WHOLE_TEMPLATE.exec(text)?.[1] ?? '').includes('}}');
  return [...text.matchAll(TEMPLATE)].map((m) => ({
    expression: m[1] as string,
    index: (m.index ?? 0) + m[0].indexOf(m[1] as string),
    whole,
  }));
}

/** The expressions inside a string's `${{ … }}` templates. */
export function templateExpressions(text: string): string[] {
  return templateParts(text).map((part) => part.expression);
}

/**
 * Renders `${{ … }}` templates. A string that is exactly one template takes the
 * expression's value (list, number…); otherwise values are interpolated as text.
 * `escape`, when given, is applied to every value an expression produces as text (never
 * to the literal text around it).
 */
export function renderTemplate(value: TemplateValue, context: ExpressionContext, escape?: (text: string) => string): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_TEMPLATE.exec(value);
    if (whole?.[1] && !whole[1].includes('}}')) {
      const result = evaluate(whole[1], context);
      return escape && typeof result === 'string' ? escape(result) : result;
    }
    return value.replace(TEMPLATE, (_, expression: string) => {
      const result = evaluate(expression, context);
      const text = typeof result === 'string' ? result : JSON.stringify(result);
      return escape ? escape(text) : text;
    });
  }
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, context, escape));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, context, escape)]));
  }
  return value;
}
