import { ApplicationFailure } from '@temporalio/common';
import { log } from '@temporalio/activity';
import { request } from 'undici';
import type { Secret } from '../config/index.ts';
import type { NotifyInput } from './contract.ts';
import type { ActionResult } from './results.ts';

/** Failure types of the notify action. */
export const NOTIFY_FAILURE_TYPES = {
  /** The definition names a secret the worker does not have: configuration, not retryable. */
  secretNotSet: 'SECRET_NOT_SET',
  /** The webhook answered 4xx (other than 429): the URL or payload is wrong, not retryable. */
  rejected: 'NOTIFY_REJECTED',
  /** 429, 5xx or no answer: retried. */
  unavailable: 'NOTIFY_UNAVAILABLE',
} as const;

export interface NotifyDependencies {
  /** Secrets definitions may name (TENURE_SECRET_<NAME>). */
  secrets: ReadonlyMap<string, Secret>;
  /** Per-request timeout, ms. Default 10 s. */
  timeoutMs?: number;
  /** The level of the line that carries a logged message's text. Default `debug` (the text may name the person). */
  textLevel?: 'info' | 'debug';
}

/**
 * `notify`: posts `{"text": "[channel] text"}` (what Slack, Teams workflows and most chat
 * webhooks accept) to the URL held by the named secret; without a secret the message is
 * logged. The URL is a credential too: it appears in no message, log line or result.
 */
export function createNotifyActivities({ secrets, timeoutMs = 10_000, textLevel = 'debug' }: NotifyDependencies) {
  return {
    async notify(input: NotifyInput): Promise<ActionResult> {
      if (!input.secret) {
        // The text may name the person: at debug, which is off unless asked for; the sandbox
        // logs it at info (addresses masked by the logger), one line per message.
        if (textLevel === 'info') log.info('notification', { channel: input.channel, text: input.text });
        else {
          log.info('notification', { channel: input.channel, chars: input.text.length });
          log.debug('notification text', { channel: input.channel, text: input.text });
        }
        return { outcome: 'logged', target: input.channel, openaiIds: {}, output: { delivered: 'log' } };
      }
      const url = secrets.get(input.secret);
      if (!url) {
        throw ApplicationFailure.create({
          type: NOTIFY_FAILURE_TYPES.secretNotSet,
          message: `notify: the secret ${input.secret} is not set on this worker; set TENURE_SECRET_${input.secret} to the webhook URL`,
          nonRetryable: true,
        });
      }
      let status: number;
      try {
        const response = await request(url.reveal(), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: `[${input.channel}] ${input.text}` }),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        status = response.statusCode;
        await response.body.dump();
      } catch (error) {
        // undici's messages can quote the URL; say only what kind of failure it was.
        const code = (error as { code?: string }).code ?? 'network error';
        throw ApplicationFailure.create({ type: NOTIFY_FAILURE_TYPES.unavailable, message: `notify: the ${input.secret} webhook could not be reached (${code})`, nonRetryable: false });
      }
      if (status >= 200 && status < 300) {
        return { outcome: 'created', target: input.channel, openaiIds: {}, output: { delivered: 'webhook', status } };
      }
      const retryable = status === 429 || status >= 500;
      throw ApplicationFailure.create({
        type: retryable ? NOTIFY_FAILURE_TYPES.unavailable : NOTIFY_FAILURE_TYPES.rejected,
        message: `notify: the ${input.secret} webhook answered ${status}`,
        nonRetryable: !retryable,
      });
    },
  };
}
