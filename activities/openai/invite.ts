import type { ActionResult } from '../results.ts';
import type { InviteInput } from '../contract.ts';
import type { AdminClient, Invite, OrgUser } from './admin-client.ts';
import { OpenAIConflictError, OpenAIInvalidRequestError } from './errors.ts';
import { findMember, inviteById, invitesFor, latestExpiredOf, pendingOf, result } from './lookup.ts';

export interface IdempotencyHints {
  /**
   * When an earlier attempt of this same activity began (Unix ms), if this is a retry.
   * A pending invite created since then is the earlier attempt's own work (its answer
   * was lost), so the outcome is `created`, not `noop`.
   */
  retryOfAttemptSince?: number | undefined;
}

/**
 * What the identity map knows of the person: undefined when it has no row for them (Tenure
 * never saw them), `inviteId: null` when it has seen them but holds no invite.
 */
export interface KnownInvite {
  inviteId: string | null;
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
 *
 * The invite list has no filter, so walking it costs a input per hundred invites in the
 * organization. It is walked only when nothing cheaper answers: the invite the identity map
 * holds is read by its id (one input); a person the map knows with no invite is invited at
 * once (OpenAI refuses a second pending invite, and that refusal walks the list); a retry,
 * and a person the map has never seen, walk it.
 */
export async function inviteUser(client: AdminClient, input: InviteInput, hints: IdempotencyHints = {}, known?: KnownInvite): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (member) return ensureRole(client, member, input);
  const retry = hints.retryOfAttemptSince !== undefined;
  if (known && !retry) {
    if (known.inviteId === null) return create(client, input, undefined);
    const held = await inviteById(client, known.inviteId, input.email);
    if (held?.status === 'pending') return pendingResult(input, held, hints);
    if (held?.status === 'expired') return create(client, input, held);
  }
  const invites = await invitesFor(client, input.email);
  const pending = pendingOf(invites);
  if (pending) return pendingResult(input, pending, hints);
  return create(client, input, latestExpiredOf(invites));
}

function pendingResult(input: InviteInput, pending: Invite, hints: IdempotencyHints): ActionResult {
  // Invites have second resolution; a second of slack keeps our own earlier attempt ours.
  const ours = hints.retryOfAttemptSince !== undefined && pending.created_at * 1000 >= hints.retryOfAttemptSince - 1000;
  return result(ours ? 'created' : 'noop', input.email, { inviteId: pending.id }, { status: 'pending', inviteId: pending.id, role: pending.role });
}

async function create(client: AdminClient, input: InviteInput, expired: Invite | undefined): Promise<ActionResult> {
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
