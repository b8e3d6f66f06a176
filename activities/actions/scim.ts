import { z } from 'zod';
import { declareAction, email, identityBecomes } from './declare.ts';

/** `openai.scim.provision`: creates the SCIM user, or reactivates an inactive one. */
export const scimProvision = declareAction({
  name: 'openai.scim.provision',
  input: z.strictObject({
    userName: email('SCIM userName'),
    givenName: z.string().optional().describe('Given name; templates allowed'),
    familyName: z.string().optional().describe('Family name; templates allowed'),
    externalId: z.string().optional().describe('The HR id, usually ${{ employee.id }}'),
  }),
  activity: 'scimProvision',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityBecomes('active'),
});

/** `openai.scim.deactivate`: sets the SCIM user inactive. */
export const scimDeactivate = declareAction({
  name: 'openai.scim.deactivate',
  input: z.strictObject({ userName: email('SCIM userName to deactivate (active: false)') }),
  activity: 'scimDeactivate',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityBecomes('deactivated'),
});

/** `openai.scim.reactivate`: sets the SCIM user active again. */
export const scimReactivate = declareAction({
  name: 'openai.scim.reactivate',
  input: z.strictObject({ userName: email('SCIM userName to reactivate (active: true)') }),
  activity: 'scimReactivate',
  openaiQueue: true,
  lease: true,
  readOnly: false,
  identity: identityBecomes('active'),
});
