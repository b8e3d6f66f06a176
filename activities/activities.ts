import { log } from '@temporalio/activity';
import type { AuditRecord, Store } from '../store/index.ts';
import type { AdminClient } from './openai/admin-client.ts';
import { atOpenAIBoundary } from './openai/failures.ts';
import { inviteUser, type InviteInput } from './openai/invite.ts';
import type { ActionResult } from './results.ts';

export interface ActivityDependencies {
  openai: AdminClient;
  store: Store;
  clock?: () => Date;
}

export interface NotifyInput {
  channel: string;
  text: string;
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

    /** `notify`: outgoing delivery lands with its own channel configuration; for now the message is logged. */
    async notify(input: NotifyInput): Promise<ActionResult> {
      log.info('notification', { channel: input.channel, text: input.text });
      return { outcome: 'created', target: input.channel, openaiIds: {}, output: { delivered: 'log' } };
    },

    /** Appends one audit row; idempotent on `recordKey`. */
    async recordOutcome(entry: AuditRecord): Promise<{ written: boolean }> {
      return { written: await store.record(entry, clock()) };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
