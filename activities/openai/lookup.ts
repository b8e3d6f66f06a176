import type { ActionResult, OpenAIIds } from '../results.ts';
import type { AdminClient, Invite, OrgUser } from './admin-client.ts';
import { OpenAINotFoundError } from './errors.ts';

const same = (a: string | null | undefined, b: string) => typeof a === 'string' && a.toLowerCase() === b.toLowerCase();

/**
 * The member with this email, compared without case. The server-side `emails` filter narrows
 * the list, but its case rules are undocumented (and it has been reported to miss users),
 * so the comparison is ours.
 */
export async function findMember(client: AdminClient, email: string): Promise<OrgUser | undefined> {
  for await (const user of client.listUsers({ emails: [email] })) {
    if (same(user.email, email)) return user;
  }
  return undefined;
}

/** Every invite for this email (any status), oldest first. The invites list has no filter, so it is walked to its end. */
export async function invitesFor(client: AdminClient, email: string): Promise<Invite[]> {
  const found: Invite[] = [];
  for await (const invite of client.listInvites()) {
    if (same(invite.email, email)) found.push(invite);
  }
  return found.sort((a, b) => a.created_at - b.created_at);
}

/** The invite with this id, if it still exists and is for this email (one request). */
export async function inviteById(client: AdminClient, inviteId: string, email: string): Promise<Invite | undefined> {
  try {
    const invite = await client.retrieveInvite(inviteId);
    return same(invite.email, email) ? invite : undefined;
  } catch (error) {
    if (error instanceof OpenAINotFoundError) return undefined;
    throw error;
  }
}

export const pendingOf = (invites: Invite[]) => invites.find((i) => i.status === 'pending');
export const latestExpiredOf = (invites: Invite[]) => invites.filter((i) => i.status === 'expired').at(-1);

export function result(outcome: ActionResult['outcome'], target: string, openaiIds: OpenAIIds, output: Record<string, unknown>): ActionResult {
  return { outcome, target, openaiIds, output };
}
