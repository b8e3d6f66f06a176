import type { IdentityStatus, Outcome } from './schema.ts';

/** What one recorded outcome changes in a person's identity row. */
export interface IdentityChange {
  status: IdentityStatus;
  email?: string;
  /** `undefined` keeps the stored value; `null` clears it. */
  openaiUserId?: string | null;
  inviteId?: string | null;
  scimId?: string | null;
}

/** The fields of an audit record the identity map is derived from. */
export interface IdentityFacts {
  action: string;
  outcome: Outcome;
  target: string | null;
  openaiIds: Readonly<Record<string, string>>;
}

const SUCCESS: ReadonlySet<Outcome> = new Set(['created', 'updated', 'removed', 'noop']);

/**
 * How an action's outcome moves the identity map, or null when it does not (a failure,
 * an approval, a notification). Reads the OpenAI ids the activities return under these
 * keys: `userId` (user-…), `inviteId` (invite-…), `scimId` (the SCIM resource id).
 * For `openai.*` actions the target is the person's email (or SCIM userName).
 *
 * - `openai.remove` (removed, or noop because there was nothing left) → removed.
 * - `openai.scim.deactivate` → deactivated; `openai.scim.provision|reactivate` → active.
 * - otherwise a user id means active, an invite id alone means invited; a fresh invite
 *   clears a user id left from an earlier employment (the invite was only sent because
 *   the person was not a member).
 */
export function identityChange(facts: IdentityFacts): IdentityChange | null {
  const { action, outcome, openaiIds } = facts;
  if (!action.startsWith('openai.') || !SUCCESS.has(outcome)) return null;
  const ids = {
    ...(openaiIds.userId !== undefined ? { openaiUserId: openaiIds.userId } : {}),
    ...(openaiIds.inviteId !== undefined ? { inviteId: openaiIds.inviteId } : {}),
    // `scimUserId` is accepted too, so a differently named key does not silently drop the id.
    ...((openaiIds.scimId ?? openaiIds.scimUserId) !== undefined ? { scimId: openaiIds.scimId ?? openaiIds.scimUserId } : {}),
    ...(facts.target ? { email: facts.target } : {}),
  };
  switch (action) {
    case 'openai.remove':
      return { status: 'removed', ...ids };
    case 'openai.scim.deactivate':
      return { status: 'deactivated', ...ids };
    case 'openai.scim.provision':
    case 'openai.scim.reactivate':
      return { status: 'active', ...ids };
  }
  if (ids.openaiUserId !== undefined) return { status: 'active', ...ids };
  if (ids.inviteId !== undefined) {
    const freshInvite = action === 'openai.invite' && (outcome === 'created' || outcome === 'updated');
    return { status: 'invited', ...ids, ...(freshInvite ? { openaiUserId: null } : {}) };
  }
  return null;
}
