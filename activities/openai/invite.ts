import type { ActionResult } from '../results.ts';
import type { InviteInput } from '../contract.ts';
import type { AdminClient, OrgUser } from './admin-client.ts';
import { OpenAIConflictError, OpenAIInvalidRequestError } from './errors.ts';
import { findMember, invitesFor, latestExpiredOf, pendingOf, result } from './lookup.ts';

export interface IdempotencyHints {
  /**
   * When an earlier attempt of this same activity began (Unix ms), if this is a retry.
   * A pending invite created since then is the earlier attempt's own work (its answer
   * was lost), so the outcome is `created`, not `noop`.
   */
  retryOfAttemptSince?: number | undefined;
}

async function ensureRole(client: AdminClient, member: OrgUser, input: InviteInput): Promise<ActionResult> {
  if (member.role === input.role) {
    return result('noop', input.email, { userId: member.id }, { status: 'member', userId: member.id, role: member.role });
  }
  await client.modifyUserRole(member.id, input.role);
  return result('updated', input.email, { userId: member.id }, { status: 'member', userId: member.id, role: input.role, previousRole: member.role ?? null });
}

/**
 * `openai.invite`, idempotently: a member → `noop`, with the role made what was asked
 * (`updated` if it changed); a pending invite → `noop`; an expired one → a fresh invite
 * (`created`, `resent: true`); otherwise a new invite. Looking up before creating makes a
 * retry, or a rerun after a crash between the call and its completion, leave exactly one
 * invite.
 */
export async function inviteUser(client: AdminClient, input: InviteInput, hints: IdempotencyHints = {}): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (member) return ensureRole(client, member, input);
  const invites = await invitesFor(client, input.email);
  const pending = pendingOf(invites);
  if (pending) {
    // Invites have second resolution; a second of slack keeps our own earlier attempt ours.
    const ours = hints.retryOfAttemptSince !== undefined && pending.created_at * 1000 >= hints.retryOfAttemptSince - 1000;
    return result(ours ? 'created' : 'noop', input.email, { inviteId: pending.id }, { status: 'pending', inviteId: pending.id, role: pending.role });
  }
  const expired = latestExpiredOf(invites);
  try {
    const invite = await client.createInvite({ email: input.email, role: input.role, ...(input.projects ? { projects: input.projects } : {}) });
    return result(
      'created',
      input.email,
      { inviteId: invite.id },
      { status: invite.status, inviteId: invite.id, role: invite.role, ...(expired ? { resent: true, expiredInviteId: expired.id } : {}) },
    );
  } catch (error) {
    // Another worker (or a person) may have acted between our look-up and our create.
    if (error instanceof OpenAIInvalidRequestError || error instanceof OpenAIConflictError) {
      const raced = await findMember(client, input.email);
      if (raced) return ensureRole(client, raced, input);
      const racedInvite = pendingOf(await invitesFor(client, input.email));
      if (racedInvite) return result('noop', input.email, { inviteId: racedInvite.id }, { status: 'pending', inviteId: racedInvite.id, role: racedInvite.role });
    }
    throw error;
  }
}
