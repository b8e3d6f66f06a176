import type { ActionResult } from '../results.ts';
import type { RemoveInput, SetRoleInput } from '../contract.ts';
import type { AdminClient } from './admin-client.ts';
import { ActionRefusedError, OpenAINotFoundError } from './errors.ts';
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

/**
 * `openai.remove`: a member is deleted, a pending invite revoked (both, if both exist);
 * `removed` if anything went, `noop` if there was nothing to remove. A 404 on delete means
 * someone else removed it first, which is the same end state.
 */
export async function removeMember(client: AdminClient, input: RemoveInput): Promise<ActionResult> {
  const ids: Record<string, string> = {};
  const member = await findMember(client, input.email);
  if (member) {
    await ignoreNotFound(() => client.deleteUser(member.id));
    ids.userId = member.id;
  }
  for (const invite of (await invitesFor(client, input.email)).filter((i) => i.status === 'pending')) {
    await ignoreNotFound(() => client.deleteInvite(invite.id));
    ids.inviteId = invite.id;
  }
  if (Object.keys(ids).length === 0) return result('noop', input.email, {}, { status: 'absent' });
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
