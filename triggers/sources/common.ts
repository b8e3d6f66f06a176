import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import secureJson from 'secure-json-parse';
import type { z } from 'zod';
import { hrEventSchema, pendingEventSchema, type DeliveredEvent, type EnrichmentRequest } from '../../events/index.ts';
import { DeliveryRejected, type Delivery, type FieldProblem } from './types.ts';
import { canonicalJson } from '../../dsl/index.ts';

export { canonicalJson };

export function header(headers: Delivery['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Parses a body as JSON, refusing `__proto__` and `constructor.prototype` keys
 * (secure-json-parse) so no adapter can be tricked into polluting a prototype.
 */
export function parseJson(rawBody: string): unknown {
  try {
    return secureJson.parse(rawBody, undefined, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    const message = (error as Error).message;
    if (/prototype/i.test(message)) {
      throw new DeliveryRejected('FORBIDDEN_KEY', 'body contains a forbidden key (__proto__ or constructor.prototype)');
    }
    throw new DeliveryRejected('MALFORMED_JSON', `body is not valid JSON: ${message}`);
  }
}

/** HMAC of `data` under `key`, as raw bytes. */
export function hmac(algorithm: 'sha256' | 'sha512', key: string, data: string): Buffer {
  return createHmac(algorithm, key).update(data, 'utf8').digest();
}

/**
 * Constant-time comparison of an expected MAC with one a sender claims. A claim of the
 * wrong length is refused before comparing (timingSafeEqual requires equal lengths, and
 * the length of a MAC is no secret).
 */
export function macMatches(expected: Buffer, claimed: Buffer): boolean {
  return claimed.length === expected.length && timingSafeEqual(expected, claimed);
}


/**
 * An event id for vendors that send none: a hash of the source's event identity, so a
 * redelivery (same identity) maps to the same id and the same runs.
 */
export function stableEventId(source: string, identity: unknown): string {
  return `${source}_${createHash('sha256').update(`${source}\n${canonicalJson(identity)}`).digest('hex').slice(0, 32)}`;
}

/** A vendor's timestamp as RFC 3339 UTC; accepts `+0000` offsets and zone-less times (taken as UTC). */
export function isoInstant(value: string | number | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let text = String(value).trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return new Date(n > 1e12 ? n : n * 1000).toISOString();
  }
  text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export interface Candidate {
  event: Record<string, unknown> & { employee: Record<string, unknown> };
  /** HrEvent path (`employee.email`) → where it came from in the body (`employees.0.fields.Work Email`). */
  origins: Record<string, string>;
  /** Set when the adapter knows its payload is thin; missing fields are added here. */
  enrichment?: Omit<EnrichmentRequest, 'missing'>;
}

/**
 * Validates what an adapter built: a complete HrEvent, or — when required employee
 * fields are missing and the vendor's API could supply them — a PendingEvent. Problems
 * name the path in the delivered body, so the sender can find the bad value.
 */
export function finishEvent(candidate: Candidate, vendor: string): DeliveredEvent {
  const missing = (['email'] as const).filter((field) => candidate.event.employee[field] === undefined || candidate.event.employee[field] === null);
  for (const field of missing) delete candidate.event.employee[field];
  const enrichment = candidate.enrichment ?? (missing.length > 0 ? { vendor } : undefined);
  const schema: z.ZodType<DeliveredEvent> = enrichment ? pendingEventSchema : hrEventSchema;
  const value = enrichment ? { ...candidate.event, enrichment: { ...enrichment, missing } } : candidate.event;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const problems = new Map<string, FieldProblem>();
    for (const issue of parsed.error.issues) {
      const at = issue.path.map(String).join('.');
      const path = candidate.origins[at] ?? (at || '(body)');
      // One problem per field: the first (most basic) reason is the one to fix.
      if (!problems.has(path)) problems.set(path, { path, message: issue.message });
    }
    throw invalidEvent([...problems.values()]);
  }
  // A complete record never needs the vendor's API, even from a thin-capable adapter.
  return parsed.data;
}

export function invalidEvent(problems: FieldProblem[]): DeliveryRejected {
  return new DeliveryRejected('INVALID_EVENT', `body is not a valid event: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

/** zod issues on a vendor envelope, as field problems. */
export function envelopeProblems(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

