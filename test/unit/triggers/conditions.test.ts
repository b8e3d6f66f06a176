// Conditions evaluated in a worker thread with a deadline: the same answers as on the
// server's thread, and an event whose conditions run too long is answered as not judged
// (the server refuses it with 503, never as unmatched), not waited for.
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Plan } from '../../../dsl/index.ts';
import type { HrEvent } from '../../../events/index.ts';
import { ConditionEvaluator } from '../../../triggers/conditions.ts';

const plan = (name: string, condition?: string): Plan =>
  ({ name, hash: name, version: name, source: `${name}.yaml`, trigger: { event: 'employee.hired', ...(condition ? { if: condition } : {}) }, steps: [], vars: {} }) as unknown as Plan;

const hire = (title: string): HrEvent => ({ id: 'evt_1', type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id: 'E-1', email: 'ada@example.com', title } });

const HANGING = new URL('../../fixtures/workers/hanging-condition-worker.ts', import.meta.url);

describe('ConditionEvaluator', () => {
  let evaluator: ConditionEvaluator | undefined;
  afterEach(async () => evaluator?.close());

  it('matches as matchPlans does: type, condition, and failures reported per definition', async () => {
    evaluator = new ConditionEvaluator();
    const plans = [plan('plain'), plan('engineer', 'employee.title.matches("Engineer")'), plan('broken', 'employee.title.size() / 0 > 1'), plan('redos', 'employee.title.matches("^(a+)+$")')];
    const result = await evaluator.match(plans, hire(`${'a'.repeat(30)}!`));
    expect(result.matched.map((p) => p.name)).toEqual(['plain']);
    expect(result.errors.map((e) => e.definition)).toEqual(['broken']);
    expect(result.unjudged).toEqual([]);
    expect((await evaluator.match(plans, hire('Senior Engineer'))).matched.map((p) => p.name)).toEqual(['plain', 'engineer']);
  });

  it('stops conditions that run past the deadline, reports them as not judged (not failed), and serves the next event on a fresh thread', async () => {
    evaluator = new ConditionEvaluator({ deadlineMs: 200, workerUrl: HANGING });
    const started = performance.now();
    const [stuck, queued] = await Promise.all([
      evaluator.match([plan('stuck', 'employee.title != ""'), plan('plain')], hire('hang')),
      evaluator.match([plan('quick', 'employee.title == "x"')], hire('x')),
    ]);
    expect(stuck.matched.map((p) => p.name)).toEqual(['plain']);
    expect(stuck.errors).toEqual([]);
    expect(stuck.unjudged).toEqual([{ definition: 'stuck', error: expect.stringMatching(/longer than 200 ms/) }]);
    // The event queued behind it was served by a fresh thread.
    expect(queued).toMatchObject({ matched: [{ name: 'quick' }], errors: [], unjudged: [] });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
