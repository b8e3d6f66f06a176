/**
 * What expressions read and how they fail, without the expression engine: workflow code
 * needs these on every run (contexts, failure types), while the engine itself (CEL, RE2)
 * is loaded only by runs that evaluate (see workflows/run/modules.ts). `expressions.ts`
 * re-exports all of it.
 */
import type { HrEvent } from '../events/index.ts';
import { EXPRESSION_BUDGET } from './budget.ts';
import type { JsonValue } from './plan.ts';

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

export class ExpressionError extends Error {
  override readonly name: string = 'ExpressionError';
  readonly expression: string;

  constructor(expression: string, message: string) {
    super(`${message} (in \`${expression}\`)`);
    this.expression = expression;
  }
}

/** An expression that would cost more than {@link EXPRESSION_BUDGET} over the values at hand: refused before it runs. */
export class ExpressionBudgetError extends ExpressionError {
  override readonly name = 'ExpressionBudgetError';
  readonly cost: number;

  constructor(expression: string, cost: number) {
    super(expression, `would cost ${Number.isFinite(cost) ? cost.toExponential(1) : 'without bound'} units of work over these values, more than the budget of ${EXPRESSION_BUDGET.toExponential(0)}`);
    this.cost = cost;
  }
}
