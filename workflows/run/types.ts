import { ExpressionBudgetError, type ExpressionError } from '../../dsl/expression-context.ts';
import type { Plan, PlanStep } from '../../dsl/plan.ts';
import type { DeliveredEvent } from '../../events/index.ts';
import type { LeaseSource } from '../lease.ts';
import type { StepResult, Supersession } from '../messages.ts';
import type { RunStatus } from '../search-attributes.ts';

export interface DefinitionRunInput {
  plan: Plan;
  /** A thin event (with `enrichment`) is completed from the HR system before any step runs. */
  event: DeliveredEvent;
  /** The person's entity workflow, when it started this run: OpenAI actions then take its per-person lease. */
  entity?: LeaseSource;
  /** Task queue of the OpenAI actions (the rate-limited one). Default: the run's own task queue. */
  openaiTaskQueue?: string;
}

export interface DefinitionRunResult {
  workflowId: string;
  definition: string;
  version: string;
  /** `failed` runs end as failed workflows instead of returning. */
  status: Extract<RunStatus, 'done' | 'superseded'>;
  steps: StepResult[];
  /** Why nothing ran: the enriched record did not match the definition's trigger. */
  skipped?: string;
  /** The newer event that made the run moot. */
  supersededBy?: Supersession;
}

/**
 * Stable codes the engine writes (audit `errorType`, failure `type`): a run aborted by an
 * operator, a template or condition that failed on the event's data, a wait whose date
 * is not a date, a run superseded by a newer event (or an event older than one already
 * applied), a run cancelled from outside, an expression that would cost more than its
 * budget over the run's values (refused before it runs: counted, never timed).
 */
export type EngineFailureType = 'RUN_ABORTED' | 'EXPRESSION_FAILED' | 'EXPRESSION_BUDGET' | 'BAD_EXPRESSION' | 'BAD_WAIT_TARGET' | 'SUPERSEDED' | 'STALE_EVENT' | 'CANCELLED';

/** The failure type of a step whose expression failed: `EXPRESSION_BUDGET` when it was over budget. */
export function expressionFailureType(error: ExpressionError, otherwise: Extract<EngineFailureType, 'EXPRESSION_FAILED' | 'BAD_EXPRESSION'> = 'EXPRESSION_FAILED'): EngineFailureType {
  return error instanceof ExpressionBudgetError ? 'EXPRESSION_BUDGET' : otherwise;
}

/** What a step runner returns: the step's result, and the branch to run next (an `if`). */
export interface StepRun {
  result: StepResult;
  branch?: readonly PlanStep[];
}
