/**
 * The inputs of every action activity, inferred from the actions' `with:` schemas
 * (activities/actions/): the engine passes the rendered `with` to the activity as it is.
 */
import type { ActionInput } from './actions/index.ts';

export type { Subject } from './actions/index.ts';
export type OrgRole = InviteInput['role'];
export type ProjectRole = ProjectMembershipInput['role'];

export type InviteInput = ActionInput<'openai.invite'>;
export type AwaitAcceptanceInput = ActionInput<'openai.awaitAcceptance'>;
export type SetRoleInput = ActionInput<'openai.setRole'>;
export type RemoveInput = ActionInput<'openai.remove'>;
export type ProjectMembershipInput = ActionInput<'openai.addToProject'>;
export type RemoveFromProjectInput = ActionInput<'openai.removeFromProject'>;
export type ScimProvisionInput = ActionInput<'openai.scim.provision'>;
export type ScimUserInput = ActionInput<'openai.scim.deactivate'>;
export type NotifyInput = ActionInput<'notify'>;
