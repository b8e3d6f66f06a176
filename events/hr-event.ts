import { z } from 'zod';
import { boundedText } from './text.ts';

/**
 * Longest ids, UTF-8 bytes (events/text.ts): chosen so that every key derived from them
 * (`employee/<source>/<id>`, `<definition>/<employee id>/<event id>/<step>`) fits the
 * results store's columns (store/schema.ts LIMITS) and Temporal's workflow ids.
 */
export const ID_LIMITS = { employeeId: 128, eventId: 200, source: 64 } as const;

export const EVENT_TYPES = ['employee.hired', 'employee.updated', 'employee.departed', 'contract.renewed'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contractor', 'intern'] as const;

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD')
  // Date.parse rolls 2026-02-30 over to March; a real date survives the round trip.
  .refine((value) => {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value);
  }, 'is not a calendar date');

const timezone = z.string().refine((value) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/London');

const scalar = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
/** A changed field's value: a scalar, a list of scalars or a flat record — never deeply nested. */
const changeValue = z.union([scalar, z.array(scalar).max(100), z.record(z.string().max(200), scalar)]).optional();

export const employeeSchema = z.strictObject({
  id: boundedText(ID_LIMITS.employeeId),
  email: z.email().max(320),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
  department: z.string().max(200).nullish(),
  title: z.string().max(200).nullish(),
  employmentType: z.enum(EMPLOYMENT_TYPES).nullish(),
  startDate: localDate.nullish(),
  endDate: localDate.nullish(),
  contractEndDate: localDate.nullish(),
  timezone: timezone.nullish(),
  manager: z.strictObject({ id: boundedText(ID_LIMITS.employeeId).optional(), email: z.email().max(320).optional() }).nullish(),
});

export const hrEventSchema = z.strictObject({
  id: boundedText(ID_LIMITS.eventId).regex(/^[\w.:-]+$/, 'may contain only letters, digits and . _ : -'),
  type: z.enum(EVENT_TYPES),
  occurredAt: z.iso.datetime({ offset: true }),
  source: boundedText(ID_LIMITS.source),
  employee: employeeSchema,
  changes: z
    .record(z.string().max(200), z.strictObject({ from: changeValue, to: changeValue }))
    .refine((changes) => Object.keys(changes).length <= 100, 'may list at most 100 changed fields')
    .optional(),
});

/**
 * The one shape every HR source is normalized into before anything else happens.
 * `id` is the idempotency key; identity is keyed on `employee.id`, never on email.
 */
export type HrEvent = z.infer<typeof hrEventSchema>;
export type Employee = z.infer<typeof employeeSchema>;
