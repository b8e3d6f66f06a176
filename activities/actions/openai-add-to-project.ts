import { z } from 'zod';
import { declareAction, email, identityFromIds, projectId, projectRole } from './declare.ts';

/** `openai.addToProject`: adds a member to a project, or changes their project role. */
export const openaiAddToProject = declareAction({
  name: 'openai.addToProject',
  input: z.strictObject({
    email: email('Who to add'),
    projectId,
    role: projectRole.default('member').describe('Project role'),
  }),
  activity: 'openaiAddToProject',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityFromIds,
});
