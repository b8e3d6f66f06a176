import { z } from 'zod';
import type { Secret, SourceSpec } from '../../config/index.ts';
import type { EventType } from '../../events/index.ts';
import { envelopeProblems, finishEvent, header, hmac, invalidEvent, isoInstant, macMatches, parseJson, stableEventId } from './common.ts';
import { DEFAULT_REPLAY_WINDOW_MS, invalidSignature, staleDelivery, type Delivery, type Source } from './types.ts';

/**
 * HiBob v2 event → HrEvent type. `employee.left` fires on the effective date of a
 * termination (or garden leave); `employee.joined` (the start date) is not mapped by
 * default because `employee.created` already announced the hire.
 */
const DEFAULT_EVENTS: Record<string, EventType | 'ignore'> = {
  'employee.created': 'employee.hired',
  'employee.updated': 'employee.updated',
  'employee.left': 'employee.departed',
  'employee.deleted': 'employee.departed',
};

const id = z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).transform(String);

const envelopeSchema = z.object({
  companyId: id,
  type: z.string().min(1).max(200),
  triggeredBy: z.union([z.string(), z.number()]).optional(),
  triggeredAt: z.string().min(1).max(100),
  version: z.string().max(20).optional(),
  data: z.looseObject({
    employeeId: id.optional(),
    fieldUpdates: z.array(z.unknown()).max(500).optional(),
    // Table events name the row; part of the event's identity when present.
    tableId: z.union([z.string().max(200), z.number()]).optional(),
    id: z.union([z.string().max(200), z.number()]).optional(),
    effectiveDate: z.string().max(100).optional(),
  }),
});

/** `fieldUpdates` elements' shape is not documented: accept ids as strings or as `{ fieldId | id | field }`. */
function fieldIds(updates: unknown[] | undefined): string[] | undefined {
  if (!updates) return undefined;
  return updates
    .map((u) => (typeof u === 'string' ? u : u && typeof u === 'object' ? ((u as Record<string, unknown>).fieldId ?? (u as Record<string, unknown>).id ?? (u as Record<string, unknown>).field) : undefined))
    .filter((u): u is string => typeof u === 'string')
    .map((u) => u.slice(0, 200));
}

export interface HiBobOptions {
  /** The URL segment and the events' `source`. Default `hibob`. */
  name?: string;
  /** The webhook's secret(s) from Bob's webhook settings; a delivery signed with any one is accepted. */
  secrets: readonly Secret[];
  events?: SourceSpec['events'];
  /** Oldest accepted `triggeredAt`, milliseconds before now (Bob signs no timestamp; the body's is the delivery's own). Default 24 hours. */
  replayWindowMs?: number;
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** How far ahead of this server's clock a `triggeredAt` may be (clocks differ a little). */
const FUTURE_SKEW_MS = 5 * 60_000;

const PING = 'Ping test';

/**
 * HiBob (Bob) v2 webhooks: `{ companyId, type, triggeredBy, triggeredAt, version, data: { employeeId } }`.
 * Every v2 payload is thin, so each event carries an enrichment request. Signature:
 * `Bob-Signature` = base64 HMAC-SHA512 of the raw body, compared in constant time; Bob
 * signs no header timestamp, so the signed body's `triggeredAt` must be within the replay
 * window (older deliveries are refused), and event ids are remembered. Bob sends no
 * event id either: ids hash (source, company, type, triggeredAt, employee, table row, changed fields).
 */
export function hibobSource(options: HiBobOptions): Source {
  const name = options.name ?? 'hibob';
  const events = { ...DEFAULT_EVENTS, ...(options.events ?? {}) };
  const window = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const now = options.now ?? Date.now;
  return {
    name,
    kind: 'hibob',
    payloads: 'thin',
    isPing({ rawBody }: Delivery) {
      const text = rawBody.trim();
      return text === PING || /^\{\s*"text"\s*:\s*"Ping test"\s*\}$/.test(text);
    },
    accept({ rawBody, headers }) {
      const signature = header(headers, 'bob-signature')?.trim();
      if (!signature) throw invalidSignature('missing');
      // 64 bytes of HMAC-SHA512 are 88 base64 characters.
      if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) throw invalidSignature('malformed');
      const claimed = Buffer.from(signature, 'base64');
      let matched = false;
      for (const secret of options.secrets) matched = macMatches(hmac('sha512', secret.reveal(), rawBody), claimed) || matched;
      if (!matched) throw invalidSignature('mismatch');

      const parsed = envelopeSchema.safeParse(parseJson(rawBody));
      if (!parsed.success) throw invalidEvent(envelopeProblems(parsed.error.issues));
      const body = parsed.data;
      const type = Object.hasOwn(events, body.type) ? events[body.type] : undefined;
      if (type === undefined || type === 'ignore') {
        const reason = type === 'ignore' ? "ignored by this source's events mapping" : `HiBob ${body.type} is not a lifecycle event Tenure maps; map it under events: in tenure.config.yaml to act on it`;
        return { events: [], ignored: [{ type: body.type, reason }] };
      }
      const employeeId = body.data.employeeId;
      if (employeeId === undefined) throw invalidEvent([{ path: 'data.employeeId', message: `is required for ${body.type}` }]);
      const occurredAt = isoInstant(body.triggeredAt);
      if (occurredAt === undefined) throw invalidEvent([{ path: 'triggeredAt', message: 'is not a date-time' }]);
      const age = now() - Date.parse(occurredAt);
      if (age > window) throw staleDelivery(`triggeredAt ${occurredAt} is older than the replay window (${Math.round(window / 3_600_000)} h): refused as a possible replay`, 'stale');
      if (-age > FUTURE_SKEW_MS) throw staleDelivery(`triggeredAt ${occurredAt} is ahead of this server's clock`, 'future');
      const changedFields = fieldIds(body.data.fieldUpdates);
      const event = finishEvent(
        {
          event: {
            // Only the identifying fields: `data` may hold anything, of any depth.
            id: stableEventId(name, {
              companyId: body.companyId,
              type: body.type,
              triggeredAt: body.triggeredAt,
              employeeId,
              tableId: body.data.tableId ?? null,
              row: body.data.id ?? null,
              effectiveDate: body.data.effectiveDate ?? null,
              changedFields: changedFields ?? null,
            }),
            type,
            occurredAt,
            source: name,
            employee: { id: employeeId },
          },
          origins: { 'employee.id': 'data.employeeId', occurredAt: 'triggeredAt' },
          enrichment: { vendor: 'hibob', tenant: body.companyId, ...(changedFields ? { changedFields } : {}) },
        },
        'hibob',
      );
      return { events: [event], ignored: [] };
    },
  };
}

/** Signs a body as HiBob does (used by `tenure send --as hibob` and tests). */
export function signHiBob(secret: Secret, body: string): Record<string, string> {
  return { 'bob-signature': hmac('sha512', secret.reveal(), body).toString('base64') };
}
