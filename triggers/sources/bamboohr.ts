import { z } from 'zod';
import { DEFAULT_TIMESTAMP_TOLERANCE_MS, type FieldMapping, type MappableField, type Secret, type SourceSpec } from '../../config/index.ts';
import type { DeliveredEvent, EventType } from '../../events/index.ts';
import { envelopeProblems, finishEvent, header, hmac, invalidEvent, isoInstant, macMatches, parseJson, stableEventId } from './common.ts';
import { mapRecord, type DefaultMappings } from './mapping.ts';
import { invalidSignature, staleDelivery, type Accepted, type FieldProblem, type IgnoredEvent, type Source } from './types.ts';

/** BambooHR's field names (display names and API aliases) for the fields Tenure reads. */
export const BAMBOOHR_FIELDS: DefaultMappings = {
  email: { fields: ['Work Email', 'workEmail', 'Email'] },
  firstName: { fields: ['First Name', 'firstName'] },
  lastName: { fields: ['Last Name', 'lastName'] },
  department: { fields: ['Department', 'department'] },
  title: { fields: ['Job Title', 'jobTitle'] },
  employmentType: {
    fields: ['Employment Status', 'employmentHistoryStatus', 'employmentStatus'],
    values: { 'Full-Time': 'full_time', 'Full Time': 'full_time', 'Part-Time': 'part_time', 'Part Time': 'part_time', Contractor: 'contractor', Contract: 'contractor', Intern: 'intern', Internship: 'intern' },
  },
  startDate: { fields: ['Hire Date', 'hireDate'] },
  endDate: { fields: ['Termination Date', 'terminationDate'] },
  managerId: { fields: ['Supervisor EID', 'supervisorEId', 'supervisorId'] },
  managerEmail: { fields: ['Supervisor Email', 'supervisorEmail'] },
  status: { fields: ['Status', 'status'], values: { Active: 'active', Inactive: 'inactive' } },
};

/** Vendor event → HrEvent type. Field-based `action`s are read as `employee.<action>` so one table serves both formats. */
const DEFAULT_EVENTS: Record<string, EventType | 'ignore'> = {
  'employee.created': 'employee.hired',
  'employee.updated': 'employee.updated',
  // A person removed from BambooHR should not keep access; terminations arrive as updates.
  'employee.deleted': 'employee.departed',
};

/** Changed fields (both formats' spellings) after which an update may be a termination. */
const DEPARTURE_HINTS = new Set(['status', 'Status', 'employmentHistoryStatus', 'employmentStatus', 'Employment Status', 'terminationDate', 'Termination Date']);

const id = z.union([z.string().min(1).max(200), z.number().int().nonnegative()]).transform(String);

const eventBasedSchema = z.object({
  type: z.string().min(1).max(200),
  timestamp: z.string().max(100).optional(),
  data: z.object({
    companyId: id.optional(),
    employeeId: id,
    changedFields: z.array(z.string().max(200)).max(500).optional(),
  }),
});

const fieldBasedSchema = z.object({
  employees: z
    .array(
      z.object({
        id,
        action: z.string().min(1).max(50),
        timestamp: z.string().max(100).optional(),
        changedFields: z.array(z.string().max(200)).max(500).optional(),
        fields: z.record(z.string().max(200), z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()])).optional(),
      }),
    )
    .min(1)
    .max(1000),
});

export interface BambooHrOptions {
  /** The URL segment and the events' `source`. Default `bamboohr`. */
  name?: string;
  /** The webhook's private key(s); a delivery signed with any one is accepted. */
  secrets: readonly Secret[];
  /** Largest accepted age (or lead) of `X-BambooHR-Timestamp`, milliseconds. Default 5 minutes. */
  timestampToleranceMs?: number;
  fields?: Partial<Record<MappableField, FieldMapping>>;
  events?: SourceSpec['events'];
  /** The clock, for tests. Default `Date.now`. */
  now?: () => number;
}

function parseTimestamp(value: string): number | undefined {
  if (/^\d{1,13}$/.test(value)) {
    const n = Number(value);
    return n > 1e12 ? n : n * 1000;
  }
  const iso = isoInstant(value);
  return iso === undefined ? undefined : Date.parse(iso);
}

/**
 * BambooHR webhooks, both families, JSON encoding:
 *   - event-based (`{ type: "employee.updated", timestamp, data: { companyId, employeeId, changedFields } }`):
 *     thin, so each event carries an enrichment request;
 *   - field-based / global (`{ employees: [{ id, action, timestamp, changedFields, fields }] }`):
 *     one event per employee, fields mapped by the source's `fields` over BambooHR's names.
 * Signature: `X-BambooHR-Signature` = hex HMAC-SHA256 of the raw body followed by the
 * `X-BambooHR-Timestamp` value, compared in constant time; the timestamp must be within
 * the tolerance either way. BambooHR sends no event id, so ids hash the event's identity.
 */
export function bamboohrSource(options: BambooHrOptions): Source {
  const name = options.name ?? 'bamboohr';
  const tolerance = options.timestampToleranceMs ?? DEFAULT_TIMESTAMP_TOLERANCE_MS;
  const now = options.now ?? Date.now;
  const events = { ...DEFAULT_EVENTS, ...(options.events ?? {}) };
  const fields = options.fields ?? {};

  function verify(rawBody: string, headers: Parameters<Source['accept']>[0]['headers']): number {
    const signature = header(headers, 'x-bamboohr-signature')?.trim();
    const timestamp = header(headers, 'x-bamboohr-timestamp')?.trim();
    if (!signature || !timestamp) throw invalidSignature('missing');
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) throw invalidSignature('malformed');
    const claimed = Buffer.from(signature, 'hex');
    // Check every secret, so the time taken does not say which (if any) matched.
    let matched = false;
    for (const secret of options.secrets) matched = macMatches(hmac('sha256', secret.reveal(), rawBody + timestamp), claimed) || matched;
    if (!matched) throw invalidSignature('mismatch');
    const sentAt = parseTimestamp(timestamp);
    if (sentAt === undefined) throw invalidSignature('malformed');
    const age = now() - sentAt;
    const within = `within ${Math.round(tolerance / 1000)} s of signing`;
    if (age > tolerance) throw staleDelivery(`X-BambooHR-Timestamp is too old: a delivery is accepted ${within}, so a replay is refused`, 'stale');
    if (-age > tolerance) throw staleDelivery(`X-BambooHR-Timestamp is ahead of this server's clock: a delivery is accepted ${within}`, 'future');
    return sentAt;
  }

  function typeOf(vendorType: string): EventType | 'ignore' | undefined {
    return Object.hasOwn(events, vendorType) ? events[vendorType] : undefined;
  }

  function eventBased(body: z.infer<typeof eventBasedSchema>, sentAt: number): Accepted {
    const type = typeOf(body.type);
    if (type === undefined || type === 'ignore') return { events: [], ignored: [ignoredBecause(body.type, type)] };
    const occurredAt = body.timestamp === undefined ? new Date(sentAt).toISOString() : isoInstant(body.timestamp);
    if (occurredAt === undefined) throw invalidEvent([{ path: 'timestamp', message: 'is not a date-time' }]);
    const { companyId, employeeId, changedFields } = body.data;
    const mayBeDeparture = type === 'employee.updated' && (changedFields === undefined || changedFields.some((f) => DEPARTURE_HINTS.has(f)));
    const event = finishEvent(
      {
        event: {
          id: stableEventId(name, { type: body.type, timestamp: body.timestamp ?? null, companyId: companyId ?? null, employeeId, changedFields: changedFields ?? null }),
          type,
          occurredAt,
          source: name,
          employee: { id: employeeId },
        },
        origins: { 'employee.id': 'data.employeeId', id: 'data.employeeId', occurredAt: 'timestamp' },
        enrichment: {
          vendor: 'bamboohr',
          ...(companyId !== undefined ? { tenant: companyId } : {}),
          ...(changedFields ? { changedFields } : {}),
          ...(mayBeDeparture ? { possibleTypes: ['employee.updated', 'employee.departed'] as EventType[] } : {}),
        },
      },
      'bamboohr',
    );
    return { events: [event], ignored: [] };
  }

  function fieldBased(body: z.infer<typeof fieldBasedSchema>, sentAt: number): Accepted {
    const accepted: DeliveredEvent[] = [];
    const ignored: IgnoredEvent[] = [];
    const problems: FieldProblem[] = [];
    body.employees.forEach((element, index) => {
      const base = `employees.${index}`;
      const vendorType = `employee.${element.action.toLowerCase()}`;
      let type = typeOf(vendorType);
      if (type === undefined || type === 'ignore') {
        ignored.push(ignoredBecause(vendorType, type));
        return;
      }
      const occurredAt = element.timestamp === undefined ? new Date(sentAt).toISOString() : isoInstant(element.timestamp);
      if (occurredAt === undefined) {
        problems.push({ path: `${base}.timestamp`, message: 'is not a date-time' });
        return;
      }
      const mapped = mapRecord(element.fields ?? {}, `${base}.fields`, fields, BAMBOOHR_FIELDS);
      const changed = new Set(element.changedFields ?? []);
      const endChanged = [fields.endDate?.field ?? 'Termination Date', 'terminationDate'].some((f) => changed.has(f));
      // Terminations are updates in BambooHR: an inactive status, or a termination date just set.
      if (type === 'employee.updated' && (mapped.status === 'inactive' || (endChanged && mapped.employee.endDate !== undefined))) type = 'employee.departed';
      try {
        accepted.push(
          finishEvent(
            {
              event: {
                id: stableEventId(name, element),
                type,
                occurredAt,
                source: name,
                employee: { id: element.id, ...mapped.employee },
              },
              origins: { ...mapped.origins, 'employee.id': `${base}.id`, occurredAt: `${base}.timestamp` },
            },
            'bamboohr',
          ),
        );
      } catch (error) {
        problems.push(...((error as { problems?: FieldProblem[] }).problems ?? [{ path: base, message: (error as Error).message }]));
      }
    });
    // All or nothing: the sender fixes the delivery and sends it whole again.
    if (problems.length > 0) throw invalidEvent(problems);
    return { events: accepted, ignored };
  }

  function ignoredBecause(vendorType: string, type: 'ignore' | undefined): IgnoredEvent {
    return {
      type: vendorType,
      reason: type === 'ignore' ? 'ignored by this source\'s events mapping' : `BambooHR ${vendorType} is not a lifecycle event Tenure maps; map it under events: in tenure.config.yaml to act on it`,
    };
  }

  return {
    name,
    kind: 'bamboohr',
    payloads: 'mixed',
    accept({ rawBody, headers }) {
      const sentAt = verify(rawBody, headers);
      const body = parseJson(rawBody);
      if (body && typeof body === 'object' && !Array.isArray(body) && 'employees' in body) {
        const parsed = fieldBasedSchema.safeParse(body);
        if (!parsed.success) throw invalidEvent(envelopeProblems(parsed.error.issues));
        return fieldBased(parsed.data, sentAt);
      }
      const parsed = eventBasedSchema.safeParse(body);
      if (!parsed.success) {
        const problems = envelopeProblems(parsed.error.issues);
        if (!body || typeof body !== 'object' || Array.isArray(body)) problems.unshift({ path: '(body)', message: 'expected a BambooHR event ({ type, data }) or field-based delivery ({ employees: [...] })' });
        throw invalidEvent(problems);
      }
      return eventBased(parsed.data, sentAt);
    },
  };
}

/** Signs a body as BambooHR does (used by `tenure send --as bamboohr` and tests). */
export function signBambooHr(secret: Secret, body: string, at: Date = new Date()): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return { 'x-bamboohr-timestamp': timestamp, 'x-bamboohr-signature': hmac('sha256', secret.reveal(), body + timestamp).toString('hex') };
}
