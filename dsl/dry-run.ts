/**
 * `tenure plan`: what the definitions would do for one event, computed from the plans
 * alone — which match, each step in order, every OpenAI call with its rendered
 * arguments, and when each wait would end. Pure: no HTTP, no Temporal, no store.
 */
import type { HrEvent } from '../events/index.ts';
import { evaluate, evaluateCondition, renderTemplate, type ExpressionContext } from './expressions.ts';
import { expressionContext } from './matching.ts';
import type { ActionName, ApprovalOutput, Plan, PlanStep, StepKind } from './plan.ts';
import { waitTarget } from './time.ts';
// ids.ts alone: shared.ts would also load the Temporal workflow library, which a dry run never needs.
import { runWorkflowId } from '../workflows/ids.ts';

export interface DryRunOptions {
  /** The moment the run would start, epoch milliseconds. */
  now: number;
  /** What approval steps are assumed to decide. Default `approve`. */
  approvals?: 'approve' | 'reject';
}

export interface DryRunStep {
  id: string;
  kind: StepKind;
  /** Nesting under `if` branches, 0 at the top. */
  depth: number;
  /** Set when an enclosing `if` could not be decided before the run: the step may or may not run. */
  conditional?: boolean;
  action?: ActionName;
  /** The action's input, templates rendered: exactly what the activity would receive. */
  input?: Record<string, unknown>;
  /** When a wait would end (ISO 8601), and whether it has already passed. */
  until?: string;
  immediate?: boolean;
  zone?: string;
  condition?: string;
  /** Which branch an `if` takes; `undecided` when it reads outputs only a real run has. */
  branch?: 'then' | 'else' | 'undecided';
  approvers?: unknown[];
  /** The outcome assumed for an approval, and when it would time out. */
  assumed?: 'approved' | 'rejected';
  timeoutAt?: string;
  onTimeout?: 'approve' | 'reject';
  /** An expression that failed to evaluate for this event. */
  error?: string;
}

export interface DryRunPlan {
  name: string;
  version: string;
  source: string;
  runId: string;
  steps: DryRunStep[];
}

export interface DryRun {
  event: { id: string; type: string; employeeId: string; email: string; occurredAt: string };
  now: string;
  matched: DryRunPlan[];
  /** Definitions that did not match, and why. */
  notMatched: { name: string; reason: string }[];
}

interface Simulation {
  event: HrEvent;
  plan: Plan;
  outputs: ExpressionContext['steps'];
  /** When the run would reach the current step, epoch ms (waits move it on). */
  clock: number;
  approvals: 'approve' | 'reject';
  steps: DryRunStep[];
}

function message(error: unknown): string {
  return (error as Error).message;
}

function simulate(sim: Simulation, steps: readonly PlanStep[], depth: number, conditional: boolean): void {
  const context = () => expressionContext(sim.event, sim.plan, sim.outputs);
  for (const step of steps) {
    const base: DryRunStep = { id: step.id, kind: step.kind, depth, ...(conditional ? { conditional } : {}) };
    if (step.kind === 'action') {
      try {
        sim.steps.push({ ...base, action: step.action, input: renderTemplate(step.with, context()) as Record<string, unknown> });
      } catch (error) {
        sim.steps.push({ ...base, action: step.action, input: step.with, error: message(error) });
      }
    } else if (step.kind === 'wait') {
      const zone = step.timezone ?? sim.event.employee.timezone ?? 'UTC';
      try {
        let target: number;
        if (step.durationMs !== undefined) target = sim.clock + step.durationMs;
        else {
          const until = evaluate(step.until as string, context());
          if (typeof until !== 'string') throw new Error(`until gave ${JSON.stringify(until)}, not a date`);
          target = waitTarget(until, { zone, ...(step.offsetMs !== undefined ? { offsetMs: step.offsetMs } : {}), ...(step.at !== undefined ? { at: step.at } : {}) });
        }
        const immediate = target <= sim.clock;
        sim.clock = Math.max(sim.clock, target);
        sim.outputs[step.id] = { output: { until: new Date(sim.clock).toISOString() } };
        sim.steps.push({ ...base, until: new Date(target).toISOString(), immediate, zone });
      } catch (error) {
        sim.steps.push({ ...base, zone, error: message(error) });
      }
    } else if (step.kind === 'approval') {
      const approved = sim.approvals === 'approve';
      const output: ApprovalOutput = { approved, by: '(dry run)', reason: null, timedOut: false };
      sim.outputs[step.id] = { output };
      let approvers: unknown[] = step.approvers;
      try {
        approvers = step.approvers.map((a) => renderTemplate(a, context()));
      } catch {
        // Shown unrendered.
      }
      sim.steps.push({
        ...base,
        approvers,
        assumed: approved ? 'approved' : 'rejected',
        timeoutAt: new Date(sim.clock + step.timeoutMs).toISOString(),
        onTimeout: step.onTimeout,
      });
    } else {
      let branch: DryRunStep['branch'];
      let error: string | undefined;
      try {
        branch = evaluateCondition(step.condition, context()) ? 'then' : 'else';
        sim.outputs[step.id] = { output: { branch, result: branch === 'then' } };
      } catch (e) {
        // It reads an action's output, known only once a real run has made the call.
        branch = 'undecided';
        error = message(e);
      }
      sim.steps.push({ ...base, condition: step.condition, branch, ...(error ? { error } : {}) });
      if (branch !== 'else') simulate(sim, step.then, depth + 1, conditional || branch === 'undecided');
      if (branch !== 'then') simulate(sim, step.else, depth + 1, conditional || branch === 'undecided');
    }
  }
}

/** What `plans` would do for `event`, started at `options.now`. Touches nothing. */
export function dryRun(plans: readonly Plan[], event: HrEvent, options: DryRunOptions): DryRun {
  const matched: DryRunPlan[] = [];
  const notMatched: DryRun['notMatched'] = [];
  for (const plan of plans) {
    if (!('event' in plan.trigger)) {
      notMatched.push({ name: plan.name, reason: `runs on a schedule (${plan.trigger.schedule.cron}, ${plan.trigger.schedule.timezone})` });
      continue;
    }
    if (plan.trigger.event !== event.type) {
      notMatched.push({ name: plan.name, reason: `listens to ${plan.trigger.event}` });
      continue;
    }
    if (plan.trigger.if !== undefined) {
      try {
        if (!evaluateCondition(plan.trigger.if, expressionContext(event, plan))) {
          notMatched.push({ name: plan.name, reason: `on.if is false: ${plan.trigger.if}` });
          continue;
        }
      } catch (error) {
        notMatched.push({ name: plan.name, reason: `on.if failed to evaluate: ${message(error)}` });
        continue;
      }
    }
    const sim: Simulation = { event, plan, outputs: {}, clock: options.now, approvals: options.approvals ?? 'approve', steps: [] };
    simulate(sim, plan.steps, 0, false);
    matched.push({ name: plan.name, version: plan.version, source: plan.source, runId: runWorkflowId(plan.name, event.employee.id, event.id), steps: sim.steps });
  }
  return {
    event: { id: event.id, type: event.type, employeeId: event.employee.id, email: event.employee.email, occurredAt: event.occurredAt },
    now: new Date(options.now).toISOString(),
    matched,
    notMatched,
  };
}
