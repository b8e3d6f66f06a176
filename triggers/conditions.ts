import { Worker } from 'node:worker_threads';
import type { Plan } from '../dsl/index.ts';
import type { HrEvent } from '../events/index.ts';
import type { ConditionAnswer, ConditionRequest } from './condition-worker.ts';

/**
 * Which plans an event matches, the conditions that failed to evaluate (those plans do not
 * match), and those the evaluator could not judge at all (past the deadline, the thread
 * stopped): whether those plans match is unknown, so the event must not be answered as if not.
 */
export interface ConditionResult {
  matched: Plan[];
  errors: { definition: string; error: string }[];
  unjudged: { definition: string; error: string }[];
}

type Answer = ConditionAnswer & { unjudged?: { definition: string; error: string }[] };

export interface ConditionEvaluatorOptions {
  /** Longest time one event's conditions may take, milliseconds; past it they count as failed. Default 1,000. */
  deadlineMs?: number;
  /** The worker script. Default: condition-worker.ts (tests substitute one that hangs). */
  workerUrl?: URL;
}

interface Pending {
  request: ConditionRequest;
  resolve: (answer: Answer) => void;
}

/**
 * Evaluates definitions' conditions (`on.if`) in a worker thread, one event at a time, each
 * with a deadline. An event whose conditions take longer has them reported as unjudged (the
 * trigger server refuses it with 503, so the sender retries), and the thread is replaced; other requests
 * the server is serving meanwhile are never held up. Expressions are also bounded by their
 * cost budget (dsl/budget.ts): the deadline is the guard behind that guard.
 */
export class ConditionEvaluator {
  private readonly deadlineMs: number;
  private readonly workerUrl: URL;
  private worker: Worker | undefined;
  /** The worker has loaded and can evaluate: the deadline counts from here, not from its start-up. */
  private ready = false;
  private readonly queue: Pending[] = [];
  private current: { pending: Pending; timer: NodeJS.Timeout } | undefined;
  private nextId = 1;
  private closed = false;

  constructor(options: ConditionEvaluatorOptions = {}) {
    this.deadlineMs = options.deadlineMs ?? 1_000;
    this.workerUrl = options.workerUrl ?? new URL('./condition-worker.ts', import.meta.url);
  }

  /** The plans among `plans` whose trigger matches `event` (type and condition). */
  async match(plans: readonly Plan[], event: HrEvent): Promise<ConditionResult> {
    const candidates = plans.filter((plan) => 'event' in plan.trigger && plan.trigger.event === event.type);
    // Nothing to evaluate: no thread hop.
    if (candidates.every((plan) => 'event' in plan.trigger && plan.trigger.if === undefined)) return { matched: candidates, errors: [], unjudged: [] };
    if (this.closed) throw new Error('the condition evaluator is closed');
    const answer = await new Promise<Answer>((resolve) => {
      // Only what conditions read crosses to the thread (copying whole plans, steps and all, cost more than judging them).
      const plans = candidates.map(({ name, trigger, vars }) => ({ name, trigger, vars }));
      this.queue.push({ request: { id: this.nextId++, plans, event }, resolve });
      this.pump();
    });
    const names = new Set(answer.matched);
    return { matched: candidates.filter((plan) => names.has(plan.name)), errors: answer.errors, unjudged: answer.unjudged ?? [] };
  }

  /** Starts the thread now rather than at the first event that needs it (it takes a moment to load). */
  start(): void {
    if (this.closed || this.worker) return;
    this.ready = false;
    this.worker = this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (this.current) this.timedOut();
    for (const pending of this.queue.splice(0)) pending.resolve(this.failed(pending.request, 'the server is shutting down'));
    await worker?.terminate();
  }

  /** The answer for a request the thread did not answer: its conditions were not judged (not failed). */
  private failed(request: ConditionRequest, why: string): Answer {
    const unjudged = request.plans.filter((plan) => 'event' in plan.trigger && plan.trigger.if !== undefined).map((plan) => ({ definition: plan.name, error: why }));
    const names = new Set(unjudged.map((e) => e.definition));
    return { id: request.id, matched: request.plans.filter((plan) => !names.has(plan.name)).map((plan) => plan.name), errors: [], unjudged };
  }

  private spawn(): Worker {
    const worker = new Worker(this.workerUrl);
    worker.unref();
    worker.on('message', (answer: ConditionAnswer | { ready: true }) => {
      if (this.worker !== worker) return;
      if ('ready' in answer) {
        this.ready = true;
        return this.pump();
      }
      if (this.current?.pending.request.id !== answer.id) return;
      clearTimeout(this.current.timer);
      const { pending } = this.current;
      this.current = undefined;
      pending.resolve(answer);
      this.pump();
    });
    worker.on('error', () => this.replace(worker, 'the condition evaluator failed'));
    worker.on('exit', () => this.replace(worker, 'the condition evaluator stopped'));
    return worker;
  }

  private replace(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (this.current) {
      clearTimeout(this.current.timer);
      const { pending } = this.current;
      this.current = undefined;
      pending.resolve(this.failed(pending.request, why));
    }
    // A thread that never became ready would fail again: answer what waits instead of looping.
    if (!this.ready) for (const pending of this.queue.splice(0)) pending.resolve(this.failed(pending.request, why));
    this.pump();
  }

  private timedOut(): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = undefined;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
    current.pending.resolve(this.failed(current.pending.request, `conditions took longer than ${this.deadlineMs} ms and were stopped`));
    this.pump();
  }

  private pump(): void {
    if (this.current || this.closed || this.queue.length === 0) return;
    this.start();
    if (!this.ready || !this.worker) return;
    const pending = this.queue.shift();
    if (!pending) return;
    this.current = { pending, timer: setTimeout(() => this.timedOut(), this.deadlineMs) };
    this.worker.postMessage(pending.request);
  }
}
