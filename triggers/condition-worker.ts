/**
 * The worker thread that evaluates definitions' conditions for the trigger server (see
 * conditions.ts): whatever one event's conditions cost, the server's own thread stays free.
 */
import { parentPort } from 'node:worker_threads';
import { matchPlans, type Plan } from '../dsl/index.ts';
import type { HrEvent } from '../events/index.ts';

/** Of each plan, only what its condition reads: its name, trigger and vars (not its steps). */
export type ConditionPlan = Pick<Plan, 'name' | 'trigger' | 'vars'>;

export interface ConditionRequest {
  id: number;
  plans: readonly ConditionPlan[];
  event: HrEvent;
}

export interface ConditionAnswer {
  id: number;
  /** Names of the plans that match. */
  matched: string[];
  errors: { definition: string; error: string }[];
}

// Load and run the expression engine once before saying ready, so the first event's
// deadline is not spent on compiling the engine's own code.
matchPlans(
  [{ name: 'warm-up', vars: {}, trigger: { event: 'hire', if: 'employee.department == "x" || employee.title.matches("^a") || size(employee.email) > 0' } } as unknown as Plan],
  { id: 'warm-up', type: 'hire', source: 'generic', occurredAt: '2026-01-01T00:00:00Z', employee: { id: 'warm-up', email: 'warm-up@example.com', firstName: 'W', lastName: 'U' } } as unknown as HrEvent,
);
parentPort?.postMessage({ ready: true });
parentPort?.on('message', ({ id, plans, event }: ConditionRequest) => {
  const { matched, errors } = matchPlans(plans as readonly Plan[], event);
  const answer: ConditionAnswer = { id, matched: matched.map((plan) => plan.name), errors: errors.map((e) => ({ definition: e.plan.name, error: e.error ?? '' })) };
  parentPort?.postMessage(answer);
});
