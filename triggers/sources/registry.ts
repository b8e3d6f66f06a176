import { randomUUID } from 'node:crypto';
import type { Secret, SourceConfig, SourceKind } from '../../config/index.ts';
import { bamboohrSource, signBambooHr } from './bamboohr.ts';
import { genericSource, signGeneric } from './generic.ts';
import { hibobSource, signHiBob } from './hibob.ts';
import type { Source } from './types.ts';

/**
 * The sources a server enables: the generic one when its secret is known, then every
 * vendor or extra source from the configuration (each enabled by its secret).
 */
export function buildSources(configured: readonly SourceConfig[], genericSecret: Secret | undefined, options: { replayWindowMs?: number } = {}): Source[] {
  const sources: Source[] = genericSecret ? [genericSource(genericSecret)] : [];
  for (const spec of configured) {
    if (spec.kind === 'generic') sources.push(genericSource(spec.secrets, spec.name));
    else if (spec.kind === 'bamboohr') {
      sources.push(bamboohrSource({ name: spec.name, secrets: spec.secrets, timestampToleranceMs: spec.timestampToleranceMs, fields: spec.fields, events: spec.events }));
    } else sources.push(hibobSource({ name: spec.name, secrets: spec.secrets, events: spec.events, ...options }));
  }
  return sources;
}

/**
 * The headers a sender of `kind` would put on `body`. For the generic kind the
 * `webhook-id` is `messageId`, else the body's `id`, else a fresh one.
 */
export function signAs(kind: SourceKind, secret: Secret, body: string, options: { messageId?: string; at?: Date } = {}): Record<string, string> {
  const at = options.at ?? new Date();
  if (kind === 'bamboohr') return signBambooHr(secret, body, at);
  if (kind === 'hibob') return signHiBob(secret, body);
  let messageId = options.messageId;
  if (!messageId) {
    try {
      const id = (JSON.parse(body) as { id?: unknown }).id;
      if (typeof id === 'string' && id) messageId = id;
    } catch {
      // Not JSON: the server will say so; sign it anyway.
    }
  }
  return signGeneric(secret, messageId ?? `msg_${randomUUID()}`, body, at);
}
