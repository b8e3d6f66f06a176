import type { ActionResult } from '../results.ts';
import type { AwaitAcceptanceInput } from '../contract.ts';
import type { AdminClient } from './admin-client.ts';
import { ActionRefusedError, InviteNotYetAcceptedError, OpenAIConflictError, OpenAIInvalidRequestError } from './errors.ts';
import { findMember, invitesFor, latestExpiredOf, pendingOf, result } from './lookup.ts';

export interface AcceptanceClock {
  /** Now, Unix ms. */
  nowMs: number;
  /** When the wait gives up, Unix ms (the step's first attempt plus `timeout`). */
  deadlineMs: number;
  /** How long to wait before looking again, ms. */
  pollMs: number;
}

/**
 * One look for `openai.awaitAcceptance`. The person is a member → done (`noop`: Tenure
 * changed nothing; `output.status` is `active` and `openaiIds.userId` feeds the identity
 * map). Still pending → {@link InviteNotYetAcceptedError}, which the activity boundary
 * turns into a retryable failure with a fixed next-retry delay, so the wait holds no
 * worker slot between looks. Expired → resent (when `resendExpired`), then keep waiting.
 * Past the deadline → OPENAI_ACCEPTANCE_TIMEOUT, never retried.
 */
export async function checkAcceptance(client: AdminClient, input: AwaitAcceptanceInput, clock: AcceptanceClock): Promise<ActionResult> {
  const member = await findMember(client, input.email);
  const invites = await invitesFor(client, input.email);
  if (member) {
    const accepted = invites.filter((i) => i.status === 'accepted').at(-1);
    const ids = { userId: member.id, ...(accepted ? { inviteId: accepted.id } : {}) };
    return result('noop', input.email, ids, { status: 'active', ...ids, role: member.role ?? null, acceptedAt: accepted?.accepted_at ?? null });
  }
  const late = clock.nowMs >= clock.deadlineMs;
  const wait = Math.max(1, Math.min(clock.pollMs, clock.deadlineMs - clock.nowMs));
  const pending = pendingOf(invites);
  if (pending) {
    if (late) throw new ActionRefusedError('OPENAI_ACCEPTANCE_TIMEOUT', `${input.email} did not accept invite ${pending.id} within ${input.timeout}`);
    throw new InviteNotYetAcceptedError(`waiting for ${input.email} to accept invite ${pending.id}`, pending.id, wait, (pending.invited_at ?? pending.created_at) * 1000);
  }
  const expired = latestExpiredOf(invites);
  if (expired) {
    if (late) throw new ActionRefusedError('OPENAI_ACCEPTANCE_TIMEOUT', `${input.email} did not accept an invite within ${input.timeout} (the last one, ${expired.id}, expired)`);
    if (!input.resendExpired) {
      throw new ActionRefusedError('OPENAI_INVITE_EXPIRED', `the invite ${expired.id} for ${input.email} expired before it was accepted (resendExpired is false)`);
    }
    try {
      const fresh = await client.createInvite({ email: input.email, role: expired.role, projects: expired.projects });
      throw new InviteNotYetAcceptedError(`invite ${expired.id} for ${input.email} expired; resent as ${fresh.id}; waiting for acceptance`, fresh.id, wait, fresh.created_at * 1000);
    } catch (error) {
      // Someone invited them (or they joined) between our look and our resend: look again soon.
      if (error instanceof OpenAIInvalidRequestError || error instanceof OpenAIConflictError) {
        throw new InviteNotYetAcceptedError(`an invite for ${input.email} appeared while resending; looking again`, expired.id, Math.min(wait, 1000));
      }
      throw error;
    }
  }
  const accepted = invites.find((i) => i.status === 'accepted');
  throw new ActionRefusedError(
    accepted ? 'OPENAI_NOT_A_MEMBER' : 'OPENAI_NO_INVITE',
    accepted
      ? `${input.email} accepted invite ${accepted.id} but is no longer a member of the organization`
      : `there is no invite for ${input.email} to wait for: put an openai.invite step first`,
  );
}
