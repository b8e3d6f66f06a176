import type { Activities } from '../activities/index.ts';
import type { ActionName } from '../dsl/plan.ts';

/**
 * Which activity performs each action (`record` is written by the engine itself).
 * A new action fails to compile until it is mapped to an activity that exists.
 */
export const ACTION_ACTIVITIES = {
  'openai.invite': 'openaiInvite',
  'openai.awaitAcceptance': 'openaiAwaitAcceptance',
  'openai.setRole': 'openaiSetRole',
  'openai.remove': 'openaiRemove',
  'openai.addToProject': 'openaiAddToProject',
  'openai.removeFromProject': 'openaiRemoveFromProject',
  'openai.scim.provision': 'scimProvision',
  'openai.scim.deactivate': 'scimDeactivate',
  'openai.scim.reactivate': 'scimReactivate',
  notify: 'notify',
} as const satisfies Record<Exclude<ActionName, 'record'>, keyof Activities>;
