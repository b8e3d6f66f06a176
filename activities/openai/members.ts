import type { ActionResult, OpenAIIds } from '../results.ts';
import type { RemoveInput, SetRoleInput } from '../contract.ts';
import type { AdminClient } from './admin-client.ts';
import { ActionRefusedError, OpenAINotFoundError } from './errors.ts';
import type { IdempotencyHints } from './invite.ts';
import { findMember, invitesFor, pendingOf, result } from './lookup.ts';

/** `openai.setRole`: `updated` when the role changed, `noop` when it already was; refused for a non-member. */
export async function setRole(client: AdminClient, input: SetRoleInput): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (!member) {
    const pending = pendingOf(await invitesFor(client, input.email));
    throw new ActionRefusedError(
      'OPENAI_NOT_A_MEMBER',
      pending
        ? `${input.email} has not accepted invite ${pending.id} yet, so has no role to set: put an openai.awaitAcceptance step before openai.setRole`
        : `${input.email} is not a member of the OpenAI organization: invite them first (openai.invite)`,
    );
  }
  if (member.role === input.role) return result('noop', input.email, { userId: member.id }, { userId: member.id, role: member.role });
  await client.modifyUserRole(member.id, input.role);
  return result('updated', input.email, { userId: member.id }, { userId: member.id, role: input.role, previousRole: member.role ?? null });
}

/** OpenAI ids the identity map holds for the person. */
export interface KnownIds {
  userId?: string | null;
  inviteId?: string | null;
}

/**
 * `openai.remove`: a member is deleted, a pending invite revoked (both, if both exist);
 * `removed` if anything went, `noop` if there was nothing to remove. A 404 on delete means
 * someone else removed it first, which is the same end state — except on a retry: when
 * what the identity map knew is gone and an earlier attempt of this action may have
 * deleted it (its answer lost), the outcome is `removed`, with those ids, because the
 * audit log must say the removal happened.
 */
export async function removeMember(client: AdminClient, input: RemoveInput, known: KnownIds = {}, hints: IdempotencyHints = {}): Promise<ActionResult> {
  const ids: OpenAIIds = {};
  const goneKnown: OpenAIIds = {};
  // The identity map knows the user even when their email changed since the invite.
  if (known.userId) {
    if (await ignoreNotFound(() => client.deleteUser(known.userId as string))) ids.userId = known.userId;
    else goneKnown.userId = known.userId;
  }
  if (known.inviteId) {
    const invite = await ignoreNotFound(() => client.retrieveInvite(known.inviteId as string));
    if (invite?.status === 'pending' && (await ignoreNotFound(() => client.deleteInvite(invite.id)))) ids.inviteId = invite.id;
    else if (!invite) goneKnown.inviteId = known.inviteId;
  }
  const member = await findMember(client, input.email);
  if (member) {
    await ignoreNotFound(() => client.deleteUser(member.id));
    ids.userId = member.id;
  }
  for (const invite of (await invitesFor(client, input.email)).filter((i) => i.status === 'pending')) {
    await ignoreNotFound(() => client.deleteInvite(invite.id));
    ids.inviteId = invite.id;
  }
  if (Object.keys(ids).length === 0) {
    if (hints.retryOfAttemptSince !== undefined && Object.keys(goneKnown).length > 0) {
      return result('removed', input.email, goneKnown, { status: 'removed', byEarlierAttempt: true, ...goneKnown });
    }
    return result('noop', input.email, {}, { status: 'absent' });
  }
  return result('removed', input.email, ids, { status: 'removed', ...ids });
}

export async function ignoreNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OpenAINotFoundError) return undefined;
    throw error;
  }
}
