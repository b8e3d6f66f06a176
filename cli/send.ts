import { request } from 'undici';
import type { Secret, SourceKind } from '../config/index.ts';
import { signAs } from '../triggers/index.ts';

export interface SendResult {
  status: number;
  body: string;
  /** `Retry-After`, when the server sent one (503). */
  retryAfter: string | undefined;
}

export interface SendOptions {
  url: string;
  /** Which sender to sign as: a Standard Webhooks sender, BambooHR or HiBob. */
  kind: SourceKind;
  secret: Secret;
  body: string;
  /** The generic `webhook-id`; default the event's own `id`, so resending is a redelivery. */
  messageId?: string;
  /** Default `application/json`. */
  contentType?: string;
  /** Give up after this long, milliseconds. Default 30,000. */
  timeoutMs?: number;
}

/**
 * HiBob stamps `triggeredAt` when it sends, and a delivery older than the replay window is
 * refused: an example file's stamp is replaced with the current time, as Bob would write it.
 */
function stampHiBob(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && 'triggeredAt' in parsed) {
      return JSON.stringify({ ...parsed, triggeredAt: new Date().toISOString().replace('Z', '') });
    }
  } catch {
    // Not JSON: sent as it is; the server will say what is wrong.
  }
  return body;
}

/** Signs `body` as a sender of `kind` would and POSTs it. */
export async function sendEvent(options: SendOptions): Promise<SendResult> {
  const body = options.kind === 'hibob' ? stampHiBob(options.body) : options.body;
  const headers = signAs(options.kind, options.secret, body, options.messageId ? { messageId: options.messageId } : {});
  const response = await request(options.url, {
    method: 'POST',
    headers: { 'content-type': options.contentType ?? 'application/json', ...headers },
    body,
    headersTimeout: options.timeoutMs ?? 30_000,
    bodyTimeout: options.timeoutMs ?? 30_000,
  });
  const retryAfter = response.headers['retry-after'];
  return { status: response.statusCode, body: await response.body.text(), retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter };
}
