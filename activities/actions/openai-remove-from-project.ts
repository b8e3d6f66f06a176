import { z } from 'zod';
import { declareAction, email, identityFromIds, projectId } from './declare.ts';

/** `openai.removeFromProject`: takes a member out of a project. */
export const openaiRemoveFromProject = declareAction({
  name: 'openai.removeFromProject',
  input: z.strictObject({
    email: email('Who to remove from the project'),
    projectId,
  }),
  activity: 'openaiRemoveFromProject',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityFromIds,
});
