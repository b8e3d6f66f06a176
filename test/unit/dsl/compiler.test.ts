import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_ATTEMPTS, DEFAULT_STEP_TIMEOUT_MS, flattenSteps, loadDefinitionText, type Plan } from '../../../dsl/index.ts';

function compile(text: string): Plan {
  const { plan, problems } = loadDefinitionText(text, 'test.yaml');
  expect(problems).toEqual([]);
  return plan as Plan;
}

const DEFINITION = `
name: compiled
on: { event: employee.hired, if: 'employee.department != null' }
vars: { projects: { Research: proj_r } }
steps:
  - id: pause
    wait: 1h30m
  - id: until-start
    wait: { until: employee.startDate, offset: -1d, at: "08:00" }
  - id: invite
    name: Invite
    action: openai.invite
    with: { email: "\${{ employee.email }}" }
  - id: ask
    approval: { approvers: ["\${{ employee.manager.email }}"] }
  - id: decide
    if: steps.ask.output.approved
    then:
      - id: owner
        action: openai.setRole
        with: { email: "\${{ employee.email }}", role: owner }
        timeout: 30s
        retry: { maxAttempts: 3 }
        continueOnError: true
`;

describe('the compiler', () => {
  it('turns every step kind into plain JSON, with defaults applied', () => {
    const plan = compile(DEFINITION);
    expect(plan).toMatchObject({
      name: 'compiled',
      source: 'test.yaml',
      trigger: { event: 'employee.hired', if: 'employee.department != null' },
      vars: { projects: { Research: 'proj_r' } },
    });
    expect(plan.steps).toEqual([
      { kind: 'wait', id: 'pause', durationMs: 5_400_000 },
      { kind: 'wait', id: 'until-start', until: 'employee.startDate', offsetMs: -86_400_000, at: '08:00' },
      {
        kind: 'action',
        id: 'invite',
        name: 'Invite',
        action: 'openai.invite',
        with: { email: '${{ employee.email }}', role: 'reader' },
        timeoutMs: DEFAULT_STEP_TIMEOUT_MS,
        retry: { maximumAttempts: DEFAULT_MAX_ATTEMPTS },
        continueOnError: false,
      },
      { kind: 'approval', id: 'ask', approvers: ['${{ employee.manager.email }}'], timeoutMs: 7 * 86_400_000, onTimeout: 'reject' },
      {
        kind: 'if',
        id: 'decide',
        condition: 'steps.ask.output.approved',
        then: [
          {
            kind: 'action',
            id: 'owner',
            action: 'openai.setRole',
            with: { email: '${{ employee.email }}', role: 'owner' },
            timeoutMs: 30_000,
            retry: { maximumAttempts: 3 },
            continueOnError: true,
          },
        ],
        else: [],
      },
    ]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    expect(flattenSteps(plan.steps).map((s) => s.id)).toEqual(['pause', 'until-start', 'invite', 'ask', 'decide', 'owner']);
  });

  it('hashes content, not layout: key order and comments do not change the version', () => {
    const a = compile(DEFINITION);
    const reordered = compile(`# a comment\n${DEFINITION.replace("on: { event: employee.hired, if: 'employee.department != null' }", "on: { if: 'employee.department != null', event: employee.hired }")}`);
    expect(reordered.hash).toBe(a.hash);
    expect(a.version).toBe(a.hash.slice(0, 7));
    const changed = compile(DEFINITION.replace('wait: 1h30m', 'wait: 2h'));
    expect(changed.hash).not.toBe(a.hash);
  });

  it('compiles a schedule trigger into the shape Temporal Schedules are built from', () => {
    const plan = compile('name: nightly\non: { schedule: { cron: "0 2 * * *" }, for: departed-with-access }\nsteps:\n  - id: note\n    action: record\n');
    expect(plan.trigger).toEqual({ schedule: { cron: '0 2 * * *', timezone: 'UTC' }, for: 'departed-with-access' });
    expect(plan.steps[0]).toMatchObject({ kind: 'action', action: 'record', with: {} });
  });
});
