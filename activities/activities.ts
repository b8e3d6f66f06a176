import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Store } from '../store/index.ts';
import type { AdminClient } from './openai/admin-client.ts';
import { atOpenAIBoundary } from './openai/failures.ts';
import { inviteUser } from './openai/invite.ts';
import { createRecordActivities } from './record.ts';
import type { ActionResult } from './results.ts';
import type {
  AwaitAcceptanceInput,
  InviteInput,
  NotifyInput,
  ProjectMembershipInput,
  RemoveFromProjectInput,
  RemoveInput,
  ScimProvisionInput,
  ScimUserInput,
  SetRoleInput,
} from './contract.ts';

/** For actions whose activity has not landed yet: fails the step at once, never retries. */
function notImplemented(action: string): never {
  throw ApplicationFailure.nonRetryable(`the action ${action} is not implemented in this version of Tenure`, 'NOT_IMPLEMENTED');
}

export interface ActivityDependencies {
  openai: AdminClient;
  store: Store;
  clock?: () => Date;
}

/**
 * Every activity Tenure registers, built over injected clients. Workflows proxy
 * `ReturnType<typeof createActivities>`; tests build it over the emulator and a real store.
 */
export function createActivities({ openai, store, clock = () => new Date() }: ActivityDependencies) {
  return {
    /** `openai.invite`: invite unless already a member or invited. */
    async openaiInvite(input: InviteInput): Promise<ActionResult> {
      return atOpenAIBoundary(() => inviteUser(openai, input));
    },

    async openaiAwaitAcceptance(_input: AwaitAcceptanceInput): Promise<ActionResult> {
      return notImplemented('openai.awaitAcceptance');
    },
    async openaiSetRole(_input: SetRoleInput): Promise<ActionResult> {
      return notImplemented('openai.setRole');
    },
    async openaiRemove(_input: RemoveInput): Promise<ActionResult> {
      return notImplemented('openai.remove');
    },
    async openaiAddToProject(_input: ProjectMembershipInput): Promise<ActionResult> {
      return notImplemented('openai.addToProject');
    },
    async openaiRemoveFromProject(_input: RemoveFromProjectInput): Promise<ActionResult> {
      return notImplemented('openai.removeFromProject');
    },
    async scimProvision(_input: ScimProvisionInput): Promise<ActionResult> {
      return notImplemented('openai.scim.provision');
    },
    async scimDeactivate(_input: ScimUserInput): Promise<ActionResult> {
      return notImplemented('openai.scim.deactivate');
    },
    async scimReactivate(_input: ScimUserInput): Promise<ActionResult> {
      return notImplemented('openai.scim.reactivate');
    },

    /** `notify`: outgoing delivery lands with its own channel configuration; for now the message is logged. */
    async notify(input: NotifyInput): Promise<ActionResult> {
      log.info('notification', { channel: input.channel, text: input.text });
      return { outcome: 'created', target: input.channel, openaiIds: {}, output: { delivered: 'log' } };
    },

    ...createRecordActivities({ store, clock }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
