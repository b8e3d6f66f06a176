import { z } from 'zod';
import { declareAction, durationText, email, identityFromIds } from './declare.ts';

/**
 * `openai.awaitAcceptance`: looks until the invite is accepted (or `timeout` passes). It
 * only reads, for up to weeks: it neither takes the person's lease nor holds off a
 * supersession (cancelling a look changes nothing at OpenAI).
 */
export const openaiAwaitAcceptance = declareAction({
  name: 'openai.awaitAcceptance',
  input: z.strictObject({
    email: email('Whose invite to wait for'),
    timeout: durationText.default('14d').describe('Give up after this long, e.g. 14d'),
    resendExpired: z.boolean().default(true).describe('Resend an invite that expires while waiting'),
  }),
  activity: 'openaiAwaitAcceptance',
  openaiQueue: true,
  lease: false,
  readOnly: true,
  pollsFor: 'timeout',
  look: 'openaiLookForAcceptance',
  identity: identityFromIds,
});
