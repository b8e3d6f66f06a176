import { createHash } from 'node:crypto';
import type { EventType, HrEvent } from '../events/index.ts';
import type { HrPerson } from '../hris/index.ts';

/** How one person stands between HR and the OpenAI organization. */
export const DRIFT_KINDS = ['missed-hire', 'missed-departure', 'unmanaged', 'expired-invite', 'in-sync'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** The kinds a sync acts on (through the person's entity workflow); `unmanaged` is only reported. */
export const ACTIONABLE_KINDS: readonly DriftKind[] = ['missed-hire', 'missed-departure', 'expired-invite'];

/** An HR person as the classifier needs them: the connector's record and the source their entity lives under. */
export interface HrRecord {
  source: string;
  person: HrPerson;
}

/** An OpenAI organization member, as listed by the Admin API. */
export interface OpenAIMember {
  id: string;
  email?: string | null;
}

/** An OpenAI invite, as listed by the Admin API (accepted invites are ignored: the member is listed). */
export interface OpenAIInvite {
  id: string;
  email: string;
  status: 'pending' | 'accepted' | 'expired';
}

/** What the identity map holds for a person (store `identities` row, the fields the classifier reads). */
export interface KnownIdentity {
  source: string;
  employeeId: string;
  email: string | null;
  openaiUserId: string | null;
  inviteId: string | null;
  /** What Tenure did at OpenAI: `none` when HR told Tenure of the person but nothing was given yet. */
  status: 'none' | 'invited' | 'active' | 'deactivated' | 'removed';
  /** What HR last told Tenure through an event. */
  hrStatus: 'employed' | 'departed' | null;
}

/** One classified person (or one unmatched OpenAI member or invite). */
export interface DriftEntry {
  kind: DriftKind;
  /** HR source and employee id; null for an `unmanaged` member that matches nobody in HR. */
  source: string | null;
  employeeId: string | null;
  /** The email the action is about: HR's, else the one at OpenAI. */
  email: string | null;
  /** What was found at OpenAI. */
  openai: { userId?: string; inviteId?: string; inviteStatus?: 'pending' | 'expired' };
  /** Why, in a sentence a person can act on. */
  reason: string;
  /** Record the OpenAI ids in the identity map (a member matched to an HR person by email only). */
  adopt?: boolean;
  /** The event delivered to the person's entity workflow (actionable kinds only). */
  event?: HrEvent;
}

export interface ClassifyInput {
  people: Iterable<HrRecord>;
  members: Iterable<OpenAIMember>;
  invites: Iterable<OpenAIInvite>;
  identities: Iterable<KnownIdentity>;
  /** Whether some definition acts on this hire (the synthetic `employee.hired` event matches a plan). */
  wantsAccess: (event: HrEvent) => boolean;
  /** Now: decides whether a termination date has passed, and is the synthetic events' occurredAt. */
  now: Date;
}

export interface Classification {
  /** Every entry except `in-sync` ones that need nothing (those are only counted). */
  entries: DriftEntry[];
  counts: Record<DriftKind, number>;
  /** In-sync members matched by email only, whose OpenAI ids the identity map does not hold yet. */
  adoptions: DriftEntry[];
}

const lower = (email: string | null | undefined) => (email ? email.trim().toLowerCase() : undefined);
const key = (source: string, id: string) => `${source}\u0000${id}`;

/**
 * A deterministic event id per person and HR state (`sync.<kind>.<hash>`): a second sync
 * over the same HR state delivers the same id, which the entity drops and whose runs exist.
 */
export function syncEventId(kind: 'hired' | 'departed' | 'reinvite', source: string, employeeId: string, state: string): string {
  const hash = createHash('sha256').update(JSON.stringify([kind, source, employeeId, state])).digest('hex').slice(0, 24);
  return `sync.${kind}.${hash}`;
}

function syntheticEvent(type: EventType, id: string, record: HrRecord, email: string, now: Date, extra: Partial<HrEvent['employee']> = {}): HrEvent {
  const { person } = record;
  // Only the fields the event model knows, without nulls an optional field does not take.
  const employee = Object.fromEntries(Object.entries({ ...person.employee, ...extra }).filter(([, v]) => v !== undefined)) as HrEvent['employee'];
  return { id, type, occurredAt: now.toISOString(), source: record.source, employee: { ...employee, id: person.id, email } };
}

/** Whether HR states the person has left: an explicit terminated status, with a date (if HR gives one) that has passed. */
export function hasLeft(person: HrPerson, today: string): boolean {
  if (person.employment !== 'terminated') return false;
  return !person.terminationDate || person.terminationDate < today;
}

/**
 * Classifies every HR person and every OpenAI member and pending invite. Pure: the
 * same input gives the same output, and nothing is read or written.
 *
 * A person is matched to OpenAI by the ids the identity map holds, else by email (case
 * insensitive). Rules, per HR person:
 * - terminated in HR (explicitly, with a date that has passed), still a member or
 *   invitee, or still employed as far as the identity map knows (a run may yet invite
 *   them) → `missed-departure` (a synthetic `employee.departed`);
 * - active or pending in HR, some definition acts on their hire, nothing at OpenAI and
 *   the identity map has no hire for them (so no run owns it) → `missed-hire`;
 * - the same, but their only invite expired → `expired-invite` (a synthetic `employee.hired`
 *   whose invite step resends it);
 * - otherwise `in-sync` (and adopted when matched by email only).
 * A member or pending invite no HR person claims is `unmanaged`: reported, never acted on.
 * A person HR no longer lists is never treated as departed.
 */
export function classify(input: ClassifyInput): Classification {
  const today = input.now.toISOString().slice(0, 10);
  const counts = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as Record<DriftKind, number>;
  const entries: DriftEntry[] = [];
  const adoptions: DriftEntry[] = [];
  const add = (entry: DriftEntry) => {
    counts[entry.kind]++;
    if (entry.kind !== 'in-sync') entries.push(entry);
  };

  const members = new Map<string, OpenAIMember>();
  const membersByEmail = new Map<string, OpenAIMember>();
  for (const m of input.members) {
    members.set(m.id, m);
    const email = lower(m.email);
    if (email && !membersByEmail.has(email)) membersByEmail.set(email, m);
  }
  const invites = new Map<string, OpenAIInvite>();
  const pendingByEmail = new Map<string, OpenAIInvite>();
  const expiredByEmail = new Map<string, OpenAIInvite>();
  for (const i of input.invites) {
    invites.set(i.id, i);
    const email = lower(i.email);
    if (!email) continue;
    if (i.status === 'pending' && !pendingByEmail.has(email)) pendingByEmail.set(email, i);
    if (i.status === 'expired' && !expiredByEmail.has(email)) expiredByEmail.set(email, i);
  }
  const known = new Map<string, KnownIdentity>();
  for (const identity of input.identities) known.set(key(identity.source, identity.employeeId), identity);

  const claimedMembers = new Set<string>();
  const claimedInvites = new Set<string>();
  // One person in several HR systems (a second vendor, a sister company): an active record
  // anywhere keeps their access, and only the first record asks for a hire.
  const people = [...input.people];
  const activeByEmail = new Map<string, HrRecord>();
  for (const record of people) {
    const email = lower(record.person.employee.email);
    if (email && (record.person.employment === 'active' || record.person.employment === 'pending') && !activeByEmail.has(email)) activeByEmail.set(email, record);
  }
  const hiredEmails = new Map<string, HrRecord>();

  for (const record of people) {
    const { person, source } = record;
    const identity = known.get(key(source, person.id));
    const hrEmail = lower(person.employee.email);
    const email = hrEmail ?? lower(identity?.email);

    // The identity map's ids first: they hold even when the email changed since.
    const byId = identity?.openaiUserId ? members.get(identity.openaiUserId) : undefined;
    const member = byId ?? (email ? membersByEmail.get(email) : undefined);
    const knownInvite = identity?.inviteId ? invites.get(identity.inviteId) : undefined;
    const pendingById = knownInvite?.status === 'pending' ? knownInvite : undefined;
    const pending = pendingById ?? (email ? pendingByEmail.get(email) : undefined);
    const expired = email ? expiredByEmail.get(email) : undefined;
    if (member) claimedMembers.add(member.id);
    if (pending) claimedInvites.add(pending.id);

    const openai: DriftEntry['openai'] = {
      ...(member ? { userId: member.id } : {}),
      ...(pending ? { inviteId: pending.id, inviteStatus: 'pending' as const } : !member && expired ? { inviteId: expired.id, inviteStatus: 'expired' as const } : {}),
    };
    const targetEmail = email ?? lower(member?.email) ?? lower(pending?.email) ?? null;
    const base = { source, employeeId: person.id, email: targetEmail, openai };
    const access = member ? `member ${member.id}` : pending ? `pending invite ${pending.id}` : undefined;

    if (person.employment === 'terminated') {
      const activeElsewhere = email ? activeByEmail.get(email) : undefined;
      if (activeElsewhere) {
        add({ ...base, kind: 'in-sync', reason: `left in ${source}, but ${activeElsewhere.source}/${activeElsewhere.person.id} with the same email is ${activeElsewhere.person.employment}` });
      } else if (!hasLeft(person, today)) {
        add({ ...base, kind: 'in-sync', reason: `leaves on ${person.terminationDate} (not passed yet)` });
      } else if ((access || identity?.hrStatus === 'employed') && targetEmail) {
        // Without access yet, Tenure may still hold a run that will give it (an onboarding
        // waiting for the start date): the departure supersedes it.
        const when = person.terminationDate ? `on ${person.terminationDate}` : '(no date given)';
        const id = syncEventId('departed', source, person.id, person.terminationDate ?? 'terminated');
        add({
          ...base,
          kind: 'missed-departure',
          reason: access
            ? `${source} says ${person.id} left ${when}, but they are still a ${access}`
            : `${source} says ${person.id} left ${when}, but Tenure never heard of the departure (a run may still act on the hire)`,
          event: syntheticEvent('employee.departed', id, record, targetEmail, input.now, { endDate: person.terminationDate ?? null }),
        });
      } else {
        add({ ...base, kind: 'in-sync', reason: 'left, and holds no access' });
      }
      continue;
    }

    if (access) {
      const matchedById = Boolean(byId || pendingById);
      const entry: DriftEntry = { ...base, kind: 'in-sync', reason: `${person.employment} in ${source}; ${access}` };
      add(entry);
      // Matched by email only: the identity map learns the ids, nothing changes at OpenAI.
      const alreadyKnown = (member && identity?.openaiUserId === member.id) || (!member && pending && identity?.inviteId === pending.id);
      if (!matchedById && !alreadyKnown) adoptions.push({ ...entry, adopt: true, reason: `matched by email to ${source}/${person.id} (${person.employment}); ${access}` });
      continue;
    }

    if (person.employment !== 'active' && person.employment !== 'pending') {
      add({ ...base, kind: 'in-sync', reason: `${source} gives no clear employment status; nothing is done` });
      continue;
    }
    if (!targetEmail) {
      add({ ...base, kind: 'in-sync', reason: `${source} has no email for ${person.id}; nothing can be done at OpenAI` });
      continue;
    }
    const hire = syntheticEvent('employee.hired', 'probe', record, targetEmail, input.now);
    if (!input.wantsAccess(hire)) {
      add({ ...base, kind: 'in-sync', reason: 'no definition gives this person access' });
      continue;
    }
    const sameHire = hiredEmails.get(targetEmail);
    if (sameHire) {
      add({ ...base, kind: 'in-sync', reason: `${sameHire.source}/${sameHire.person.id} has the same email; its event gives access` });
      continue;
    }
    hiredEmails.set(targetEmail, record);
    if (expired) {
      const id = syncEventId('reinvite', source, person.id, expired.id);
      add({ ...base, kind: 'expired-invite', reason: `invite ${expired.id} expired before ${targetEmail} accepted it`, event: { ...hire, id } });
      continue;
    }
    // The identity map knows of the hire: a run owns it (waiting for the start date, or parked).
    if (identity?.hrStatus === 'employed') {
      add({ ...base, kind: 'in-sync', reason: identity.status === 'none' ? 'hire known to Tenure; its run has not invited yet' : `Tenure recorded ${identity.status}, but OpenAI has nothing (changed outside Tenure)` });
      continue;
    }
    const id = syncEventId('hired', source, person.id, `${person.employee.startDate ?? ''}|${identity?.hrStatus ?? ''}`);
    add({ ...base, kind: 'missed-hire', reason: `${person.employment} in ${source}, matched by a definition, but nothing at OpenAI and no hire event was ever received`, event: { ...hire, id } });
  }

  // Absence is never departure: a member the identity map ties to someone HR no longer lists is reported.
  const mappedUser = new Map<string, KnownIdentity>();
  const mappedInvite = new Map<string, KnownIdentity>();
  for (const identity of known.values()) {
    if (identity.openaiUserId) mappedUser.set(identity.openaiUserId, identity);
    if (identity.inviteId) mappedInvite.set(identity.inviteId, identity);
  }
  const unlisted = (identity: KnownIdentity | undefined, what: string) =>
    identity ? `${what} the identity map ties to ${identity.source}/${identity.employeeId}, whom HR no longer lists` : `${what} no HR person matches`;
  for (const m of members.values()) {
    if (claimedMembers.has(m.id)) continue;
    const identity = mappedUser.get(m.id);
    add({ kind: 'unmanaged', source: identity?.source ?? null, employeeId: identity?.employeeId ?? null, email: lower(m.email) ?? null, openai: { userId: m.id }, reason: unlisted(identity, 'a member') });
  }
  for (const i of invites.values()) {
    if (i.status !== 'pending' || claimedInvites.has(i.id)) continue;
    const identity = mappedInvite.get(i.id);
    add({ kind: 'unmanaged', source: identity?.source ?? null, employeeId: identity?.employeeId ?? null, email: lower(i.email) ?? null, openai: { inviteId: i.id, inviteStatus: 'pending' }, reason: unlisted(identity, 'a pending invite') });
  }
  return { entries, counts, adoptions };
}
