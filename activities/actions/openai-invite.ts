import { z } from 'zod';
import { declareAction, email, identityIds, orgRole, projectId, projectRole, type ActionFacts, type IdentityChange } from './declare.ts';

const projectGrant = z.strictObject({
  id: projectId,
  role: projectRole.default('member').describe('Project role'),
});

/** `openai.invite`: invite unless already a member (role ensured) or invited; resend an expired invite. */
export const openaiInvite = declareAction({
  name: 'openai.invite',
  input: z.strictObject({
    email: email('Who to invite'),
    role: orgRole.default('reader').describe('Organization role'),
    projects: z.array(projectGrant).optional().describe('Projects joined on acceptance; omitted = the default project, [] = none'),
  }),
  activity: 'openaiInvite',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  // The invite the identity map holds is read by its id instead of walking OpenAI's invite list.
  subject: true,
  /** A member is active; a fresh invite clears a user id left from an earlier employment (it was sent because the person was not a member). */
  identity(facts: ActionFacts): IdentityChange | null {
    const ids = identityIds(facts);
    if (ids.openaiUserId !== undefined) return { status: 'active', ...ids };
    if (ids.inviteId === undefined) return null;
    const fresh = facts.outcome === 'created' || facts.outcome === 'updated';
    return { status: 'invited', ...ids, ...(fresh ? { openaiUserId: null } : {}) };
  },
});
