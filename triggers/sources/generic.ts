import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Secret } from '../../config/index.ts';
import { hrEventSchema } from '../../events/index.ts';
import { envelopeProblems, header, invalidEvent, parseJson } from './common.ts';
import { invalidSignature, staleDelivery, type SignatureFailure, type Source } from './types.ts';

function webhook(secret: Secret): Webhook {
  return new Webhook(secret.reveal().replace(/^whsec_/, ''));
}

function failureOf(error: unknown): SignatureFailure {
  const message = error instanceof WebhookVerificationError ? error.message : '';
  if (/missing/i.test(message)) return 'missing';
  if (/too old/i.test(message)) return 'stale';
  if (/too new/i.test(message)) return 'future';
  if (/invalid/i.test(message)) return 'malformed';
  return 'mismatch';
}

/**
 * The generic source: a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`, ±5 minutes, several signatures in one header during a rotation)
 * whose body is exactly one HrEvent with `source` equal to this source's name. The
 * signature check is the `standardwebhooks` reference library's.
 *
 * @param secrets `whsec_…` secrets; a delivery signed with any one of them is accepted.
 * @param name the URL segment and the events' `source`. Default `generic`.
 */
export function genericSource(secrets: Secret | readonly Secret[], name = 'generic'): Source {
  const verifiers = [secrets].flat().map(webhook);
  return {
    name,
    kind: 'generic',
    payloads: 'rich',
    accept({ rawBody, headers }) {
      const signed = {
        'webhook-id': header(headers, 'webhook-id') ?? '',
        'webhook-timestamp': header(headers, 'webhook-timestamp') ?? '',
        'webhook-signature': header(headers, 'webhook-signature') ?? '',
      };
      // The library reads the timestamp with parseInt, which takes `1796085807xyz`: whole seconds only.
      if (signed['webhook-timestamp'] !== '' && !/^\d{1,12}$/.test(signed['webhook-timestamp'])) throw invalidSignature('malformed');
      let failure: SignatureFailure | undefined;
      for (const verifier of verifiers) {
        try {
          verifier.verify(rawBody, signed, { jsonParse: false });
          failure = undefined;
          break;
        } catch (error) {
          failure = failureOf(error);
        }
      }
      if (failure === 'stale' || failure === 'future') {
        throw staleDelivery(`webhook-timestamp is ${failure === 'stale' ? 'more than 5 minutes old' : 'more than 5 minutes ahead'}: a delivery is accepted within 5 minutes of signing, so a replay is refused`, failure);
      }
      if (failure) throw invalidSignature(failure);

      const parsed = hrEventSchema.safeParse(parseJson(rawBody));
      if (!parsed.success) throw invalidEvent(envelopeProblems(parsed.error.issues));
      if (parsed.data.source !== name) throw invalidEvent([{ path: 'source', message: `must be '${name}': this endpoint is /webhooks/${name}` }]);
      return { events: [parsed.data], ignored: [] };
    },
  };
}

/** Signs a body as a Standard Webhooks sender would (used by `tenure send` and tests). */
export function signGeneric(secret: Secret, messageId: string, body: string, at: Date = new Date()): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': webhook(secret).sign(messageId, at, body),
  };
}
