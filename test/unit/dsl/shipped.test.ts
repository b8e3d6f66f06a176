// The shipped definitions, run through the dry run with realistic events: what each one
// would do, call by call. (test/integration/thin-path.test.ts runs onboarding for real.)
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dryRun, loadDefinitions, type DryRunStep } from '../../../dsl/index.ts';
import { Organization, SANDBOX_PROJECTS } from '../../../emulator/index.ts';
import type { HrEvent } from '../../../events/index.ts';

const { plans, problems } = loadDefinitions(['definitions']);
const NOW = Date.parse('2026-11-20T10:00:00Z');

function event(type: HrEvent['type'], employee: Partial<HrEvent['employee']>, changes?: HrEvent['changes']): HrEvent {
  return {
    id: `evt_${type}`,
    type,
    occurredAt: '2026-11-20T10:00:00Z',
    source: 'generic',
    employee: { id: 'E-1001', email: 'ada@example.com', timezone: 'Europe/London', employmentType: 'full_time', ...employee },
    ...(changes ? { changes } : {}),
  };
}

/** Each step as `id: what`, in the order the run would take them. */
function trace(e: HrEvent): string[] {
  const result = dryRun(plans, e, { now: NOW });
  return result.matched.flatMap((plan) =>
    plan.steps.map((s: DryRunStep) => {
      const what =
        s.kind === 'action' ? `${s.action} ${JSON.stringify(s.input)}` : s.kind === 'wait' ? `until ${s.until}${s.immediate ? ' (passed)' : ''}` : s.kind === 'if' ? s.branch : s.assumed;
      return `${plan.name}/${s.id}: ${what}`;
    }),
  );
}

describe('shipped definitions', () => {
  it('name only projects the sandbox emulator holds, through a reset too', () => {
    const named = new Set(readdirSync('definitions').flatMap((file) => readFileSync(`definitions/${file}`, 'utf8').match(/\bproj_[A-Za-z0-9_]+/g) ?? []));
    expect(named.size).toBeGreaterThan(0);
    const organization = new Organization();
    organization.seedProjects(SANDBOX_PROJECTS);
    organization.reset();
    const held = organization.listProjects().map((p) => p.id);
    expect([...named].filter((id) => !held.includes(id))).toEqual([]);
  });

  it('are all valid and start with the yaml-language-server schema comment', () => {
    expect(problems).toEqual([]);
    expect(plans.map((p) => p.name).sort()).toEqual(['move-department', 'offboard-openai', 'onboard-openai', 'reconcile-departed', 'renew-contract']);
    for (const file of readdirSync('definitions')) {
      expect(readFileSync(`definitions/${file}`, 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../tenure.schema.json');
    }
  });

  it('onboarding waits until 08:00 local the day before the start, then invites into the department project, and announces an invite it sent', () => {
    expect(trace(event('employee.hired', { department: 'Research', startDate: '2026-12-01', timezone: 'America/New_York' }))).toEqual([
      'onboard-openai/before-start: then',
      'onboard-openai/wait-for-start: until 2026-11-30T13:00:00.000Z',
      'onboard-openai/by-department: then',
      'onboard-openai/invite-to-project: openai.invite {"email":"ada@example.com","role":"reader","projects":[{"id":"proj_research","role":"member"}]}',
      'onboard-openai/announce: undecided',
      'onboard-openai/tell-it: notify {"channel":"it-onboarding","text":"Invited ada@example.com (Research) to OpenAI"}',
    ]);
  });

  it('onboarding invites at once when the start date has passed, to the default project outside the listed departments', () => {
    expect(trace(event('employee.hired', { department: 'Engineering', startDate: '2026-01-05' }))).toEqual([
      'onboard-openai/before-start: then',
      'onboard-openai/wait-for-start: until 2026-01-04T08:00:00.000Z (passed)',
      'onboard-openai/by-department: else',
      'onboard-openai/invite: openai.invite {"email":"ada@example.com","role":"reader"}',
      'onboard-openai/announce: undecided',
      'onboard-openai/tell-it: notify {"channel":"it-onboarding","text":"Invited ada@example.com (Engineering) to OpenAI"}',
    ]);
  });

  it('onboarding leaves interns out', () => {
    expect(trace(event('employee.hired', { employmentType: 'intern', startDate: '2026-12-01' }))).toEqual([]);
  });

  it('offboarding removes at the end of the last day when the departure is ahead', () => {
    expect(trace(event('employee.departed', { endDate: '2026-12-18' }))).toEqual([
      'offboard-openai/until-last-day-ends: then',
      'offboard-openai/wait-for-end-of-last-day: until 2026-12-18T23:59:00.000Z',
      'offboard-openai/remove: openai.remove {"email":"ada@example.com"}',
      'offboard-openai/tell-it: notify {"channel":"it-offboarding","text":"Removed ada@example.com from OpenAI (last day 2026-12-18)"}',
    ]);
  });

  it('offboarding removes at once when the departure is effective now (involuntary) or has no end date', () => {
    for (const endDate of ['2026-11-20', null]) {
      expect(trace(event('employee.departed', { endDate })).slice(0, 2)).toEqual([
        'offboard-openai/until-last-day-ends: else',
        'offboard-openai/remove: openai.remove {"email":"ada@example.com"}',
      ]);
    }
  });

  it('renewal keeps or restores access and records the new end date', () => {
    expect(trace(event('contract.renewed', { employmentType: 'contractor', contractEndDate: '2027-06-30' }))).toEqual([
      'renew-contract/keep-access: openai.invite {"email":"ada@example.com","role":"reader"}',
      // Whether access was restored depends on what the invite finds: known only in a real run.
      'renew-contract/was-restored: undecided',
      'renew-contract/tell-it-restored: notify {"channel":"it-onboarding","text":"Re-invited ada@example.com: contract renewed until 2027-06-30"}',
      'renew-contract/extend: record {"note":"Contract of ada@example.com extended to 2027-06-30"}',
    ]);
  });

  it('a department change moves project membership once the invite is accepted', () => {
    expect(trace(event('employee.updated', { department: 'Research' }, { department: { from: 'Sales', to: 'Research' } }))).toEqual([
      'move-department/until-accepted: then',
      'move-department/wait-for-acceptance: openai.awaitAcceptance {"email":"ada@example.com","timeout":"14d","resendExpired":true}',
      'move-department/leave-old: then',
      'move-department/remove-from-old-project: openai.removeFromProject {"email":"ada@example.com","projectId":"proj_sales"}',
      'move-department/join-new: then',
      'move-department/add-to-new-project: openai.addToProject {"email":"ada@example.com","projectId":"proj_research","role":"member"}',
      'move-department/tell-it: notify {"channel":"it-onboarding","text":"ada@example.com moved from Sales to Research"}',
    ]);
    expect(trace(event('employee.updated', { title: 'Lead' }, { title: { from: 'Engineer', to: 'Lead' } }))).toEqual([]);
  });
});
