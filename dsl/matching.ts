import type { HrEvent } from '../events/index.ts';
import { evaluateCondition, eventContext, type ExpressionContext } from './expressions.ts';
import type { Plan } from './plan.ts';

/** The variables a plan's expressions see for `event`, before any step has run. */
export function expressionContext(event: HrEvent, plan?: Pick<Plan, 'vars'>, steps: ExpressionContext['steps'] = {}): ExpressionContext {
  return eventContext(event, plan?.vars ?? {}, steps);
}

export interface Match {
  plan: Plan;
  /** Why a plan did not match (its condition failed to evaluate), when it did not. */
  error?: string;
}

/** The plans whose trigger matches `event`; a condition that fails to evaluate does not match and says why. */
export function matchPlans(plans: readonly Plan[], event: HrEvent): { matched: Plan[]; errors: Match[] } {
  const matched: Plan[] = [];
  const errors: Match[] = [];
  for (const plan of plans) {
    if (!('event' in plan.trigger) || plan.trigger.event !== event.type) continue;
    if (plan.trigger.if === undefined) {
      matched.push(plan);
      continue;
    }
    try {
      if (evaluateCondition(plan.trigger.if, expressionContext(event, plan))) matched.push(plan);
    } catch (error) {
      errors.push({ plan, error: (error as Error).message });
    }
  }
  return { matched, errors };
}
