import { z } from 'zod';
import { declareAction, noIdentityChange } from './declare.ts';

/** `record`: a line in the audit log, written by the engine itself (no activity runs). */
export const record = declareAction({
  name: 'record',
  input: z.strictObject({
    note: z.string().max(2000).optional().describe('Free text for the audit log; templates allowed'),
  }),
  activity: null,
  openaiQueue: false,
  lease: false,
  readOnly: false,
  identity: noIdentityChange,
});
