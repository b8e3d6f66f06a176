import type { ActionResult } from '../results.ts';
import type { ScimProvisionInput, ScimUserInput } from '../contract.ts';
import { ActionRefusedError } from '../openai/errors.ts';
import type { ScimClient, ScimUser } from './client.ts';

const ids = (user: ScimUser) => ({ scimId: user.id });
const output = (user: ScimUser) => ({ scimId: user.id, userName: user.userName, active: user.active !== false });

/**
 * `openai.scim.provision`: look up by userName, create if absent (`created`); an inactive
 * user is reactivated (`updated`); an active one is left alone (`noop`). A create that
 * meets "already exists" (409 / uniqueness) adopts the existing user.
 */
export async function scimProvision(scim: ScimClient, input: ScimProvisionInput): Promise<ActionResult> {
  const existing = await scim.findByUserName(input.userName);
  if (!existing) {
    const { user, created } = await scim.createUser(input);
    if (created) return { outcome: 'created', target: input.userName, openaiIds: ids(user), output: output(user) };
    return reactivateIfNeeded(scim, user, input.userName);
  }
  return reactivateIfNeeded(scim, existing, input.userName);
}

async function reactivateIfNeeded(scim: ScimClient, user: ScimUser, target: string): Promise<ActionResult> {
  if (user.active !== false) return { outcome: 'noop', target, openaiIds: ids(user), output: output(user) };
  const updated = await scim.setActive(user.id, true);
  return { outcome: 'updated', target, openaiIds: ids(updated), output: output(updated) };
}

/** `openai.scim.deactivate`: PATCH `active:false` (`updated`); already inactive or unknown → `noop`. */
export async function scimDeactivate(scim: ScimClient, input: ScimUserInput): Promise<ActionResult> {
  const user = await scim.findByUserName(input.userName);
  if (!user) return { outcome: 'noop', target: input.userName, openaiIds: {}, output: { status: 'absent', active: false } };
  if (user.active === false) return { outcome: 'noop', target: input.userName, openaiIds: ids(user), output: output(user) };
  const updated = await scim.setActive(user.id, false);
  return { outcome: 'updated', target: input.userName, openaiIds: ids(updated), output: output(updated) };
}

/** `openai.scim.reactivate`: PATCH `active:true` (`updated`); already active → `noop`; unknown → refused (provision them instead). */
export async function scimReactivate(scim: ScimClient, input: ScimUserInput): Promise<ActionResult> {
  const user = await scim.findByUserName(input.userName);
  if (!user) {
    throw new ActionRefusedError('SCIM_USER_NOT_FOUND', `no SCIM user has userName ${input.userName}: use openai.scim.provision to create one`);
  }
  return reactivateIfNeeded(scim, user, input.userName);
}
