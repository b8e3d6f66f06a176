import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { Secret } from '../config/index.ts';
import { signGeneric } from '../triggers/index.ts';

export interface SendResult {
  status: number;
  body: string;
}

/**
 * Signs `body` as the generic source does (Standard Webhooks) and POSTs it. The
 * `webhook-id` is the event's own `id` when it has one, so resending is a redelivery.
 */
export async function sendEvent(options: { url: string; secret: Secret; body: string; messageId?: string }): Promise<SendResult> {
  let messageId = options.messageId;
  if (!messageId) {
    try {
      const id = (JSON.parse(options.body) as { id?: unknown }).id;
      if (typeof id === 'string' && id) messageId = id;
    } catch {
      // Not JSON: the server will say so; sign it anyway.
    }
  }
  const headers = signGeneric(options.secret, messageId ?? `msg_${randomUUID()}`, options.body);
  const response = await request(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: options.body,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  return { status: response.statusCode, body: await response.body.text() };
}
