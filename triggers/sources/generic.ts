import { Webhook } from 'standardwebhooks';
import type { Secret } from '../../config/index.ts';
import { hrEventSchema, type HrEvent } from '../../events/index.ts';
import { DeliveryRejected, type Delivery, type Source } from './types.ts';

function header(headers: Delivery['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The generic source: a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, ±5 minutes) whose body is exactly one HrEvent.
 */
export function genericSource(secret: Secret): Source {
  const webhook = new Webhook(secret.reveal().replace(/^whsec_/, ''));
  return {
    name: 'generic',
    accept({ rawBody, headers }) {
      try {
        webhook.verify(rawBody, {
          'webhook-id': header(headers, 'webhook-id') ?? '',
          'webhook-timestamp': header(headers, 'webhook-timestamp') ?? '',
          'webhook-signature': header(headers, 'webhook-signature') ?? '',
        });
      } catch {
        // Missing, wrong, stale or future: the sender learns nothing beyond this.
        throw new DeliveryRejected('INVALID_SIGNATURE', 'invalid signature');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(rawBody);
      } catch (error) {
        throw new DeliveryRejected('MALFORMED_JSON', `body is not valid JSON: ${(error as Error).message}`);
      }
      const parsed = hrEventSchema.safeParse(payload);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
        throw new DeliveryRejected(
          'INVALID_EVENT',
          `body is not a valid HrEvent: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
          problems,
        );
      }
      const event: HrEvent = parsed.data;
      if (event.source !== 'generic') {
        throw new DeliveryRejected('INVALID_EVENT', `source is '${event.source}' but this endpoint is /webhooks/generic`, [
          { path: 'source', message: "must be 'generic'" },
        ]);
      }
      return [event];
    },
  };
}

/** Signs a body as a Standard Webhooks sender would (used by `tenure send` and tests). */
export function signGeneric(secret: Secret, messageId: string, body: string, at: Date = new Date()): Record<string, string> {
  const webhook = new Webhook(secret.reveal().replace(/^whsec_/, ''));
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook.sign(messageId, at, body),
  };
}
