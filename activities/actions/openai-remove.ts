import { z } from 'zod';
import { declareAction, email, identityBecomes } from './declare.ts';

/**
 * `openai.remove`: removes a member, revokes a pending invite. Offboarding finds the person
 * by HR identity first (their email may have changed), then by email.
 */
export const openaiRemove = declareAction({
  name: 'openai.remove',
  input: z.strictObject({
    email: email('Who to remove: a member is removed, a pending invite revoked'),
  }),
  activity: 'openaiRemove',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  subject: true,
  // Removed, or noop because there was nothing left: either way the person has no access.
  identity: identityBecomes('removed'),
});
