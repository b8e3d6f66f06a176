/**
 * CEL evaluation for definitions: `on.if`, `wait.until` and `${{ … }}` templates.
 * Pure and deterministic (no clock, no I/O), so workflow code may import it.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { HrEvent } from '../events/index.ts';
import type { JsonValue, TemplateValue } from './plan.ts';

/** The variables an expression can read. */
export interface ExpressionContext {
  event: { id: string; type: string; occurredAt: string; source: string };
  employee: Record<string, unknown>;
  changes: Record<string, unknown>;
  steps: Record<string, { output: unknown }>;
  vars: Record<string, JsonValue>;
}

export const EXPRESSION_VARIABLES = ['event', 'employee', 'changes', 'steps', 'vars'] as const;

/**
 * Every field of `employee` an expression may read (the HrEvent employee schema's keys;
 * a unit test keeps the two equal). Fields the event leaves out read as null, so
 * `employee.department != null` works instead of failing on a missing key.
 */
export const EMPLOYEE_FIELDS = [
  'id',
  'email',
  'firstName',
  'lastName',
  'department',
  'title',
  'employmentType',
  'startDate',
  'endDate',
  'contractEndDate',
  'timezone',
  'manager',
] as const;

/** The variables a definition's expressions see for `event`, given the outputs of the steps run so far. */
export function eventContext(event: HrEvent, vars: Record<string, JsonValue> = {}, steps: ExpressionContext['steps'] = {}): ExpressionContext {
  const employee: Record<string, unknown> = {};
  for (const field of EMPLOYEE_FIELDS) employee[field] = event.employee[field] ?? null;
  return {
    event: { id: event.id, type: event.type, occurredAt: event.occurredAt, source: event.source },
    employee,
    changes: { ...(event.changes ?? {}) },
    steps,
    vars,
  };
}

const environment = new Environment({ homogeneousAggregateLiterals: false });
for (const name of EXPRESSION_VARIABLES) environment.registerVariable(name, 'map');

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly expression: string;

  constructor(expression: string, message: string) {
    super(`${message} (in \`${expression}\`)`);
    this.expression = expression;
  }
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

export function evaluate(expression: string, context: ExpressionContext): unknown {
  try {
    return toJson(environment.evaluate(expression, context as unknown as Record<string, unknown>));
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
 */
export function renderTemplate(value: TemplateValue, context: ExpressionContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_TEMPLATE.exec(value);
    if (whole?.[1] && !whole[1].includes('}}')) return evaluate(whole[1], context);
    return value.replace(TEMPLATE, (_, expression: string) => {
      const result = evaluate(expression, context);
      return typeof result === 'string' ? result : JSON.stringify(result);
    });
  }
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderTemplate(v, context)]));
  }
  return value;
}
