import type { HrEvent } from '../events/index.ts';
import { evaluateCondition, expressionContext } from './expressions.ts';
import type { Plan } from './plan.ts';

export interface Match {
  plan: Plan;
  /** Why a plan did not match (its condition failed to evaluate), when it did not. */
  error?: string;
}

/** The plans whose trigger matches `event`; a condition that fails to evaluate does not match and says why. */
export function matchPlans(plans: readonly Plan[], event: HrEvent): { matched: Plan[]; errors: Match[] } {
  const matched: Plan[] = [];
  const errors: Match[] = [];
  const context = expressionContext(event);
  for (const plan of plans) {
    if (!('event' in plan.trigger) || plan.trigger.event !== event.type) continue;
    if (plan.trigger.if === undefined) {
      matched.push(plan);
      continue;
    }
    try {
      if (evaluateCondition(plan.trigger.if, context)) matched.push(plan);
    } catch (error) {
      errors.push({ plan, error: (error as Error).message });
    }
  }
  return { matched, errors };
}
