import { z } from 'zod';
import { declareAction, noIdentityChange } from './declare.ts';

/**
 * Slack's escaping of message text (`&`, `<`, `>`): an interpolated `<!channel>` or
 * `<https://evil|text>` from HR then shows as typed instead of pinging or hiding a link.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `notify`: posts a message to a chat webhook (or only logs it). */
export const notify = declareAction({
  name: 'notify',
  input: z.strictObject({
    channel: z.string().min(1).describe('A channel name, shown in the message and the audit log'),
    text: z.string().min(1).max(4000).describe('Message text; templates allowed'),
    secret: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'secret names are UPPER_SNAKE_CASE, e.g. SLACK_WEBHOOK')
      .optional()
      .describe(
        'Name of the secret holding the incoming-webhook URL to post to (Slack-compatible JSON {"text": …}); the worker reads it from TENURE_SECRET_<NAME>. Without it the message is only logged.',
      ),
  }),
  activity: 'notify',
  openaiQueue: false,
  lease: false,
  readOnly: false,
  identity: noIdentityChange,
  // Values interpolated into the text come from HR; escaped as Slack asks.
  escape: { text: escapeSlack, channel: escapeSlack },
});
