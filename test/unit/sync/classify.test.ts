// The sync's classifier: a pure function from HR people, OpenAI members and invites and the
// identity map to missed-hire / missed-departure / unmanaged / expired-invite / in-sync.
import { describe, expect, it } from '@jest/globals';
import type { HrPerson } from '../../../hris/index.ts';
import { classify, hasLeft, syncEventId, type ClassifyInput, type HrRecord, type KnownIdentity, type OpenAIInvite, type OpenAIMember } from '../../../sync/index.ts';

const now = new Date('2026-12-01T10:00:00Z');

function person(id: string, fields: Partial<HrPerson> & { email?: string | null; startDate?: string } = {}): HrRecord {
  const { email, startDate, ...rest } = fields;
  return {
    source: 'hibob',
    person: {
      vendor: 'hibob',
      id,
      employee: { id, ...(email === null ? {} : { email: email ?? `${id.toLowerCase()}@example.com` }), ...(startDate ? { startDate } : {}) },
      employment: 'active',
      ...rest,
    },
  };
}

const identity = (employeeId: string, fields: Partial<KnownIdentity> = {}): KnownIdentity => ({
  source: 'hibob',
  employeeId,
  email: `${employeeId.toLowerCase()}@example.com`,
  openaiUserId: null,
  inviteId: null,
  status: 'none',
  hrStatus: null,
  ...fields,
});

function run(input: Partial<ClassifyInput> & { people?: HrRecord[]; members?: OpenAIMember[]; invites?: OpenAIInvite[]; identities?: KnownIdentity[] }) {
  return classify({ people: [], members: [], invites: [], identities: [], wantsAccess: () => true, now, ...input });
}

describe('classify', () => {
  it('a terminated person whose date has passed and who is still invited is a missed departure, with a deterministic event', () => {
    const input = { people: [person('E1', { employment: 'terminated', terminationDate: '2026-11-20' })], invites: [{ id: 'invite-1', email: 'e1@example.com', status: 'pending' as const }] };
    const { entries, counts } = run(input);
    expect(counts['missed-departure']).toBe(1);
    expect(entries[0]).toMatchObject({ kind: 'missed-departure', source: 'hibob', employeeId: 'E1', email: 'e1@example.com', openai: { inviteId: 'invite-1' } });
    expect(entries[0]!.event).toMatchObject({ type: 'employee.departed', source: 'hibob', employee: { id: 'E1', email: 'e1@example.com', endDate: '2026-11-20' }, occurredAt: now.toISOString() });
    expect(entries[0]!.event!.id).toBe(syncEventId('departed', 'hibob', 'E1', '2026-11-20'));
    expect(entries[0]!.event!.id).toMatch(/^sync\.departed\.[0-9a-f]{24}$/);
    // The same HR state gives the same id, whenever the sync runs.
    expect(run({ ...input, now: new Date('2026-12-02T00:00:00Z') }).entries[0]!.event!.id).toBe(entries[0]!.event!.id);
  });

  it('a member found through the identity map is a missed departure even when HR changed the email', () => {
    const { entries } = run({
      people: [person('E1', { employment: 'terminated', terminationDate: '2026-11-01', email: 'new@example.com' })],
      members: [{ id: 'user-1', email: 'old@example.com' }],
      identities: [identity('E1', { openaiUserId: 'user-1', status: 'active', email: 'old@example.com' })],
    });
    expect(entries).toEqual([expect.objectContaining({ kind: 'missed-departure', openai: { userId: 'user-1' } })]);
  });

  it('a termination dated today or later is not acted on yet; without a date the explicit status is enough', () => {
    expect(hasLeft(person('E', { employment: 'terminated', terminationDate: '2026-12-01' }).person, '2026-12-01')).toBe(false);
    expect(hasLeft(person('E', { employment: 'terminated', terminationDate: '2026-11-30' }).person, '2026-12-01')).toBe(true);
    expect(hasLeft(person('E', { employment: 'terminated' }).person, '2026-12-01')).toBe(true);
    expect(hasLeft(person('E', { employment: 'active', terminationDate: '2026-01-01' }).person, '2026-12-01')).toBe(false);
    const { counts } = run({
      people: [person('E1', { employment: 'terminated', terminationDate: '2026-12-15' })],
      members: [{ id: 'user-1', email: 'e1@example.com' }],
    });
    expect(counts).toMatchObject({ 'in-sync': 1, 'missed-departure': 0, unmanaged: 0 });
  });

  it('a terminated person with no access is in sync', () => {
    expect(run({ people: [person('E1', { employment: 'terminated', terminationDate: '2026-11-01' })] }).counts['in-sync']).toBe(1);
    expect(run({ people: [person('E1', { employment: 'terminated', terminationDate: '2026-11-01' })], identities: [identity('E1', { hrStatus: 'departed', status: 'removed' })] }).counts['in-sync']).toBe(1);
  });

  it('a departure Tenure never heard of is missed even before any access exists: a waiting onboarding must not invite them', () => {
    const { entries } = run({ people: [person('E1', { employment: 'terminated', terminationDate: '2026-11-01' })], identities: [identity('E1', { hrStatus: 'employed', status: 'none' })] });
    expect(entries).toEqual([expect.objectContaining({ kind: 'missed-departure', openai: {}, reason: expect.stringMatching(/never heard of the departure/) })]);
  });

  it('an active person some definition acts on, absent from OpenAI and unknown to Tenure, is a missed hire', () => {
    const { entries } = run({ people: [person('E2', { startDate: '2026-12-10' })] });
    expect(entries).toEqual([expect.objectContaining({ kind: 'missed-hire', employeeId: 'E2' })]);
    expect(entries[0]!.event).toMatchObject({ type: 'employee.hired', employee: { id: 'E2', email: 'e2@example.com', startDate: '2026-12-10' } });
    expect(entries[0]!.event!.id).toMatch(/^sync\.hired\./);
  });

  it('no missed hire when no definition wants the person, or the identity map knows the hire (a run owns it)', () => {
    expect(run({ people: [person('E2')], wantsAccess: () => false }).counts['in-sync']).toBe(1);
    expect(run({ people: [person('E2')], identities: [identity('E2', { hrStatus: 'employed' })] }).counts['in-sync']).toBe(1);
    // A rehire: Tenure last heard of a departure, HR now says active.
    expect(run({ people: [person('E2')], identities: [identity('E2', { hrStatus: 'departed', status: 'removed' })] }).counts['missed-hire']).toBe(1);
  });

  it('the synthetic hire is what wantsAccess judges (a definition condition on the record)', () => {
    const seen: string[] = [];
    run({ people: [person('E3')], wantsAccess: (e) => (seen.push(`${e.type} ${e.employee.email}`), false) });
    expect(seen).toEqual(['employee.hired e3@example.com']);
  });

  it('pending and unknown employment: pending is hired, unknown is never acted on', () => {
    expect(run({ people: [person('E4', { employment: 'pending' })] }).counts['missed-hire']).toBe(1);
    expect(run({ people: [person('E5', { employment: 'unknown' })] }).counts['in-sync']).toBe(1);
  });

  it('an active person without an email cannot be invited: in sync, not an error', () => {
    const { counts } = run({ people: [person('E6', { email: null })] });
    expect(counts).toMatchObject({ 'in-sync': 1, 'missed-hire': 0 });
  });

  it('an expired invite for someone who should have access is expired-invite, keyed on the invite', () => {
    const { entries } = run({ people: [person('E7')], invites: [{ id: 'invite-7', email: 'E7@Example.com', status: 'expired' }] });
    expect(entries).toEqual([expect.objectContaining({ kind: 'expired-invite', openai: { inviteId: 'invite-7', inviteStatus: 'expired' } })]);
    expect(entries[0]!.event!.id).toBe(syncEventId('reinvite', 'hibob', 'E7', 'invite-7'));
    expect(entries[0]!.event!.type).toBe('employee.hired');
  });

  it('an expired invite next to a pending one or a membership is nothing to do', () => {
    const invites: OpenAIInvite[] = [{ id: 'invite-old', email: 'e7@example.com', status: 'expired' }, { id: 'invite-new', email: 'e7@example.com', status: 'pending' }];
    expect(run({ people: [person('E7')], invites }).counts['in-sync']).toBe(1);
  });

  it('members and pending invites no HR person matches are unmanaged; HR matches emails case-insensitively', () => {
    const { entries, counts } = run({
      people: [person('E8', { email: 'Ada.Lovelace@Example.com' })],
      members: [{ id: 'user-8', email: 'ada.lovelace@example.COM' }, { id: 'user-x', email: 'stranger@example.com' }],
      invites: [{ id: 'invite-x', email: 'someone@example.com', status: 'pending' }, { id: 'invite-gone', email: 'old@example.com', status: 'expired' }],
    });
    expect(counts).toMatchObject({ 'in-sync': 1, unmanaged: 2 });
    expect(entries.map((e) => [e.kind, e.email, e.openai])).toEqual([
      ['unmanaged', 'stranger@example.com', { userId: 'user-x' }],
      ['unmanaged', 'someone@example.com', { inviteId: 'invite-x', inviteStatus: 'pending' }],
    ]);
  });

  it('absence is never departure: a member whose HR person is no longer listed is unmanaged, and says whose it was', () => {
    const { entries, counts } = run({
      people: [person('OTHER')],
      members: [{ id: 'user-9', email: 'e9@example.com' }, { id: 'user-other', email: 'other@example.com' }],
      identities: [identity('E9', { openaiUserId: 'user-9', status: 'active', hrStatus: 'employed' })],
    });
    expect(counts['missed-departure']).toBe(0);
    expect(entries).toEqual([expect.objectContaining({ kind: 'unmanaged', source: 'hibob', employeeId: 'E9', reason: expect.stringMatching(/no longer lists/) })]);
  });

  it('adopts members matched by email only, not those the identity map already holds', () => {
    const { adoptions, counts } = run({
      people: [person('A1'), person('A2'), person('A3')],
      members: [{ id: 'user-a1', email: 'a1@example.com' }, { id: 'user-a2', email: 'a2@example.com' }],
      invites: [{ id: 'invite-a3', email: 'a3@example.com', status: 'pending' }],
      identities: [identity('A2', { openaiUserId: 'user-a2', status: 'active' })],
    });
    expect(counts['in-sync']).toBe(3);
    expect(adoptions.map((a) => [a.employeeId, a.openai])).toEqual([
      ['A1', { userId: 'user-a1' }],
      ['A3', { inviteId: 'invite-a3', inviteStatus: 'pending' }],
    ]);
  });

  it('two HR sources: each person is keyed by source and id; one email claims one member', () => {
    const bob = person('1', { email: 'x@example.com' });
    const merge: HrRecord = { source: 'merge', person: { ...person('1', { email: 'y@example.com' }).person, vendor: 'merge' } };
    const { counts, adoptions } = run({ people: [bob, merge], members: [{ id: 'u-x', email: 'x@example.com' }, { id: 'u-y', email: 'y@example.com' }] });
    expect(counts['in-sync']).toBe(2);
    expect(adoptions.map((a) => `${a.source}/${a.employeeId}=${a.openai.userId}`)).toEqual(['hibob/1=u-x', 'merge/1=u-y']);
  });

  it('one person in two HR systems: an active record anywhere keeps access; one hire event, not two', () => {
    const left = person('1', { employment: 'terminated', terminationDate: '2026-11-01', email: 'same@example.com' });
    const active: HrRecord = { source: 'merge', person: { ...person('M-1', { email: 'Same@example.com' }).person, vendor: 'merge' } };
    const kept = run({ people: [left, active], members: [{ id: 'u-same', email: 'same@example.com' }] });
    expect(kept.counts).toMatchObject({ 'missed-departure': 0, 'in-sync': 2 });
    expect(kept.entries).toEqual([]);
    const twice = run({ people: [person('1', { email: 'twice@example.com' }), { source: 'merge', person: { ...person('M-2', { email: 'twice@example.com' }).person, vendor: 'merge' } }] });
    expect(twice.counts).toMatchObject({ 'missed-hire': 1, 'in-sync': 1 });
    expect(twice.entries.map((e) => `${e.source}/${e.employeeId}`)).toEqual(['hibob/1']);
  });

  it('counts every person and member exactly once', () => {
    const people = Array.from({ length: 50 }, (_, i) => person(`P${i}`, i % 5 === 0 ? { employment: 'terminated', terminationDate: '2026-10-01' } : {}));
    const members = Array.from({ length: 60 }, (_, i) => ({ id: `user-${i}`, email: `p${i}@example.com` }));
    const { counts } = run({ people, members });
    // 10 terminated members, 40 active members, 10 members beyond HR.
    expect(counts).toEqual({ 'missed-departure': 10, 'in-sync': 40, unmanaged: 10, 'missed-hire': 0, 'expired-invite': 0 });
  });
});
