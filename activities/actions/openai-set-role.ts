import { z } from 'zod';
import { declareAction, email, identityFromIds, orgRole } from './declare.ts';

/** `openai.setRole`: changes a member's organization role. */
export const openaiSetRole = declareAction({
  name: 'openai.setRole',
  input: z.strictObject({
    email: email('Whose role to change'),
    role: orgRole.describe('New organization role'),
  }),
  activity: 'openaiSetRole',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityFromIds,
});
