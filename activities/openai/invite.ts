import type { ActionResult } from '../results.ts';
import type { InviteInput } from '../contract.ts';
import type { AdminClient } from './admin-client.ts';
import { OpenAIInvalidRequestError } from './errors.ts';

async function findMember(client: AdminClient, email: string) {
  const lower = email.toLowerCase();
  for await (const user of client.listUsers({ emails: [email] })) {
    if (user.email?.toLowerCase() === lower) return user;
  }
  return undefined;
}

async function findPendingInvite(client: AdminClient, email: string) {
  const lower = email.toLowerCase();
  for await (const invite of client.listInvites()) {
    if (invite.status === 'pending' && invite.email.toLowerCase() === lower) return invite;
  }
  return undefined;
}

/**
 * Invites `email` unless it is already a member or has a pending invite (both `noop`).
 * Looking up before creating makes a retry, or a rerun after a crash between the call
 * and its completion, leave exactly one invite.
 */
export async function inviteUser(client: AdminClient, input: InviteInput): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  if (member) return { outcome: 'noop', target: input.email, openaiIds: { userId: member.id }, output: { status: 'member', userId: member.id } };
  const pending = await findPendingInvite(client, input.email);
  if (pending) return { outcome: 'noop', target: input.email, openaiIds: { inviteId: pending.id }, output: { status: 'pending', inviteId: pending.id } };
  try {
    const invite = await client.createInvite({ email: input.email, role: input.role, ...(input.projects ? { projects: input.projects } : {}) });
    return { outcome: 'created', target: input.email, openaiIds: { inviteId: invite.id }, output: { status: invite.status, inviteId: invite.id } };
  } catch (error) {
    // Another worker may have created it between our lookup and our create.
    if (error instanceof OpenAIInvalidRequestError) {
      const raced = await findPendingInvite(client, input.email);
      if (raced) return { outcome: 'noop', target: input.email, openaiIds: { inviteId: raced.id }, output: { status: 'pending', inviteId: raced.id } };
    }
    throw error;
  }
}
