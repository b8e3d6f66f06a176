/**
 * The actions a definition's steps may name, each declared once in a file of its own:
 * its name, its `with:` schema (from which the activity's input type is inferred), the
 * activity that performs it, whether it takes the person's lease, whether it only reads
 * or polls, and how its outcome moves the identity map. The definition language, the
 * interpreter, the activities and the store derive what they need from here, so adding
 * an action is a declaration here plus its implementation in `createActivities`.
 *
 * Pure (zod and types only): workflow code imports it.
 *
 *   const action = ACTIONS['openai.invite'];
 *   action.input.safeParse(step.with);       // the loader's check
 *   action.identity(result);                 // { status: 'invited', inviteId, … }
 */
import type { z } from 'zod';
import type { ActionResult, AuditRowStart, Subject } from './declare.ts';
import { notify } from './notify.ts';
import { openaiAddToProject } from './openai-add-to-project.ts';
import { openaiAwaitAcceptance } from './openai-await-acceptance.ts';
import { openaiInvite } from './openai-invite.ts';
import { openaiRemoveFromProject } from './openai-remove-from-project.ts';
import { openaiRemove } from './openai-remove.ts';
import { openaiSetRole } from './openai-set-role.ts';
import { record } from './record.ts';
import { scimDeactivate, scimProvision, scimReactivate } from './scim.ts';

/** In the order the language reference lists them. */
const DECLARED = [openaiInvite, openaiAwaitAcceptance, openaiSetRole, openaiRemove, openaiAddToProject, openaiRemoveFromProject, scimProvision, scimDeactivate, scimReactivate, record, notify] as const;

type Declared = (typeof DECLARED)[number];
export type ActionName = Declared['name'];
export type Actions = { [D in Declared as D['name']]: D };

/** Every action, by name. */
export const ACTIONS = Object.fromEntries(DECLARED.map((d) => [d.name, d])) as unknown as Actions;
/** Every action's name, in reference order. */
export const ACTION_NAMES = DECLARED.map((d) => d.name) as unknown as readonly [ActionName, ...ActionName[]];

/** What the activity of action `N` receives: its rendered `with:` (defaults applied), plus `subject` when declared. */
export type ActionInput<N extends ActionName> = z.output<Actions[N]['input']> & (Actions[N] extends { subject: true } ? { subject?: Subject } : unknown) & { auditRow?: AuditRowStart };

/** The activities that perform the actions, by activity name: `createActivities` must provide each, with these types. */
export type ActionActivities = {
  [N in ActionName as Exclude<Actions[N]['activity'], null>]: (input: ActionInput<N>) => Promise<ActionResult>;
};

export { durationText, templatedString } from './declare.ts';
export { declareAction, type ActionDeclaration, type ActionResult, type ActionFacts, type AuditRowStart, type IdentityChange, type IdentityStatus, type OpenAIIds, type Subject } from './declare.ts';
