// BambooHR adapter: signature (HMAC-SHA256 hex over raw body + timestamp, constant-time,
// tolerance), both payload families, field mappings, stable event ids.
import { describe, expect, it } from '@jest/globals';
import { Secret } from '../../../config/index.ts';
import { bamboohrSource, DeliveryRejected, signBambooHr, type Source } from '../../../triggers/index.ts';
import type { PendingEvent } from '../../../events/index.ts';

// The reference's self-consistency fixture (shared/reference/hris-webhooks.md §13).
const FIXTURE_BODY = '{"type":"employee.updated","timestamp":"2026-01-31T18:42:00+0000","data":{"companyId":"12345","employeeId":"67890","changedFields":["jobTitle"]}}';
const FIXTURE_SECRET = new Secret('test_secret_123');
const FIXTURE_TS = '1769884920';
const FIXTURE_SIGNATURE = 'a5fecb8e42819f72d6e81507e9f153bb1162a7f10030aad30b6c96f792a5102f';

const SECRET = new Secret('bamboo-private-key-0123456789');
const NOW = Date.parse('2026-03-02T09:16:00Z');

function source(options: Partial<Parameters<typeof bamboohrSource>[0]> = {}): Source {
  return bamboohrSource({ secrets: [SECRET], now: () => NOW, ...options });
}

function signed(body: unknown, at = new Date(NOW), secret = SECRET) {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  return { rawBody, headers: signBambooHr(secret, rawBody, at) };
}

function rejection(fn: () => unknown): DeliveryRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeliveryRejected) return error;
    throw error;
  }
  throw new Error('expected the delivery to be refused');
}

const fieldBased = (employees: unknown[]) => ({ employees });

describe('BambooHR signature', () => {
  it('matches the reference fixture: hex HMAC-SHA256 of body followed by the timestamp', () => {
    const headers = signBambooHr(FIXTURE_SECRET, FIXTURE_BODY, new Date(Number(FIXTURE_TS) * 1000));
    expect(headers).toEqual({ 'x-bamboohr-timestamp': FIXTURE_TS, 'x-bamboohr-signature': FIXTURE_SIGNATURE });
    const accepted = bamboohrSource({ secrets: [FIXTURE_SECRET], now: () => Number(FIXTURE_TS) * 1000 + 1000 }).accept({
      rawBody: FIXTURE_BODY,
      headers: { 'x-bamboohr-timestamp': FIXTURE_TS, 'x-bamboohr-signature': FIXTURE_SIGNATURE.toUpperCase() },
    });
    expect(accepted.events).toHaveLength(1);
  });

  it.each([
    ['missing signature', (h: Record<string, string>) => ({ 'x-bamboohr-timestamp': h['x-bamboohr-timestamp'] as string }), 'missing'],
    ['missing timestamp', (h: Record<string, string>) => ({ 'x-bamboohr-signature': h['x-bamboohr-signature'] as string }), 'missing'],
    ['signature not hex', (h: Record<string, string>) => ({ ...h, 'x-bamboohr-signature': 'zz'.repeat(32) }), 'malformed'],
    ['signature too short', (h: Record<string, string>) => ({ ...h, 'x-bamboohr-signature': (h['x-bamboohr-signature'] as string).slice(2) }), 'malformed'],
    ['timestamp changed after signing', (h: Record<string, string>) => ({ ...h, 'x-bamboohr-timestamp': String(Number(h['x-bamboohr-timestamp']) + 1) }), 'mismatch'],
  ])('refuses a %s with 401 INVALID_SIGNATURE and nothing more', (_name, mutate, reason) => {
    const delivery = signed({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: '1' } });
    const error = rejection(() => source().accept({ rawBody: delivery.rawBody, headers: mutate(delivery.headers) }));
    expect(error.code).toBe('INVALID_SIGNATURE');
    expect(error.message).toBe('invalid signature');
    expect(error.detail).toBe(reason);
  });

  it('refuses a body changed after signing, and a delivery signed with another key', () => {
    const delivery = signed({ type: 'employee.created', data: { employeeId: '1' } });
    expect(rejection(() => source().accept({ rawBody: delivery.rawBody.replace('"1"', '"2"'), headers: delivery.headers })).detail).toBe('mismatch');
    const other = signed({ type: 'employee.created', data: { employeeId: '1' } }, new Date(NOW), new Secret('another-key-0123456789'));
    expect(rejection(() => source().accept(other)).detail).toBe('mismatch');
  });

  it('refuses stale and future timestamps outside the tolerance, accepts them inside', () => {
    const body = { type: 'employee.created', data: { employeeId: '1' } };
    expect(rejection(() => source().accept(signed(body, new Date(NOW - 5 * 60_000 - 1000)))).detail).toBe('stale');
    expect(rejection(() => source().accept(signed(body, new Date(NOW + 5 * 60_000 + 1000)))).detail).toBe('future');
    expect(source().accept(signed(body, new Date(NOW - 4 * 60_000))).events).toHaveLength(1);
    // A wider window for senders whose retries keep the first timestamp.
    expect(source({ timestampToleranceMs: 3 * 3_600_000 }).accept(signed(body, new Date(NOW - 2 * 3_600_000))).events).toHaveLength(1);
  });

  it('accepts either key during a rotation', () => {
    const old = new Secret('old-private-key-0123456789');
    const rotating = source({ secrets: [SECRET, old] });
    expect(rotating.accept(signed({ type: 'employee.created', data: { employeeId: '1' } }, new Date(NOW), old)).events).toHaveLength(1);
    expect(rotating.accept(signed({ type: 'employee.created', data: { employeeId: '1' } })).events).toHaveLength(1);
  });
});

describe('BambooHR event-based payloads (thin)', () => {
  it('turns employee.created into a hire that carries an enrichment request', () => {
    const { events, ignored } = source().accept(signed({ type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { companyId: '48213', employeeId: '1187' } }));
    expect(ignored).toEqual([]);
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^bamboohr_[0-9a-f]{32}$/),
        type: 'employee.hired',
        occurredAt: '2026-03-02T09:15:00.000Z',
        source: 'bamboohr',
        employee: { id: '1187' },
        enrichment: { vendor: 'bamboohr', tenant: '48213', missing: ['email'] },
      },
    ]);
  });

  it('marks an update whose changed fields may be a termination as possibly a departure', () => {
    const [maybe] = source().accept(signed({ type: 'employee.updated', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: '1', changedFields: ['status', 'jobTitle'] } })).events as PendingEvent[];
    expect(maybe!.type).toBe('employee.updated');
    expect(maybe!.enrichment).toMatchObject({ changedFields: ['status', 'jobTitle'], possibleTypes: ['employee.updated', 'employee.departed'] });
    const [plain] = source().accept(signed({ type: 'employee.updated', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: '1', changedFields: ['jobTitle'] } })).events as PendingEvent[];
    expect(plain!.enrichment.possibleTypes).toBeUndefined();
  });

  it('answers events it does not map as ignored, and follows the events mapping', () => {
    const company = source().accept(signed({ type: 'company.updated', data: { employeeId: '0' } }));
    expect(company).toEqual({ events: [], ignored: [{ type: 'company.updated', reason: expect.stringContaining('events:') }] });
    const mapped = source({ events: { 'employee.deleted': 'ignore' } }).accept(signed({ type: 'employee.deleted', data: { employeeId: '9' } }));
    expect(mapped.events).toEqual([]);
    expect(mapped.ignored[0]!.type).toBe('employee.deleted');
  });

  it('gives a redelivery the same id and a different event a different one', () => {
    const body = { type: 'employee.created', timestamp: '2026-03-02T09:15:00+0000', data: { employeeId: '1187' } };
    const first = source().accept(signed(body, new Date(NOW - 60_000))).events[0]!;
    const retry = source().accept(signed(JSON.stringify(body, null, 2), new Date(NOW))).events[0]!;
    expect(retry.id).toBe(first.id);
    const other = source().accept(signed({ ...body, data: { employeeId: '1188' } })).events[0]!;
    expect(other.id).not.toBe(first.id);
    const otherSource = source({ name: 'acme-eu' }).accept(signed(body)).events[0]!;
    expect(otherSource.id).not.toBe(first.id);
    expect(otherSource.source).toBe('acme-eu');
  });

  it('refuses payloads of neither family with 400 and the field at fault', () => {
    expect(rejection(() => source().accept(signed({ hello: 'world' }))).code).toBe('INVALID_EVENT');
    const noEmployee = rejection(() => source().accept(signed({ type: 'employee.created', data: {} })));
    expect(noEmployee.problems).toEqual([expect.objectContaining({ path: 'data.employeeId' })]);
    const badTime = rejection(() => source().accept(signed({ type: 'employee.created', timestamp: 'yesterday', data: { employeeId: '1' } })));
    expect(badTime.problems).toEqual([{ path: 'timestamp', message: 'is not a date-time' }]);
    expect(rejection(() => source().accept(signed('[1,2,3]'))).problems[0]!.path).toBe('(body)');
  });

  it('refuses broken JSON and prototype-pollution keys after a valid signature', () => {
    expect(rejection(() => source().accept(signed('{"type": "employee.created", '))).code).toBe('MALFORMED_JSON');
    const polluted = rejection(() => source().accept(signed('{"type":"employee.created","data":{"employeeId":"1","__proto__":{"admin":true}}}')));
    expect(polluted.code).toBe('FORBIDDEN_KEY');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(rejection(() => source().accept(signed('{"employees":[{"id":"1","action":"Created","constructor":{"prototype":{"x":1}}}]}'))).code).toBe('FORBIDDEN_KEY');
  });
});

describe('BambooHR field-based payloads (rich)', () => {
  const hire = {
    id: '1187',
    action: 'Created',
    timestamp: '2026-03-02T09:15:00+0000',
    changedFields: [],
    fields: {
      'First Name': 'Rosa',
      'Last Name': 'Ortiz',
      'Work Email': 'r.ortiz@example.com',
      Department: 'Engineering',
      'Job Title': 'Analyst',
      'Employment Status': 'Full-Time',
      'Hire Date': '2026-03-16',
      'Termination Date': '0000-00-00',
      'Supervisor EID': '7',
      Status: 'Active',
    },
  };

  it('maps every employee of one delivery to a complete HrEvent', () => {
    const leaver = {
      id: '2001',
      action: 'Updated',
      timestamp: '2026-03-02T09:15:30+0000',
      changedFields: ['Termination Date', 'Status'],
      fields: { 'Work Email': 'lee@example.com', 'Termination Date': '2026-03-31', Status: 'Inactive', 'Employment Status': 'Part-Time' },
    };
    const mover = { id: '2002', action: 'Updated', timestamp: '2026-03-02T09:15:40+0000', changedFields: ['Department'], fields: { 'Work Email': 'max@example.com', Department: 'Sales' } };
    const { events } = source().accept(signed(fieldBased([hire, leaver, mover])));
    expect(events).toEqual([
      {
        id: expect.stringMatching(/^bamboohr_/),
        type: 'employee.hired',
        occurredAt: '2026-03-02T09:15:00.000Z',
        source: 'bamboohr',
        employee: {
          id: '1187',
          email: 'r.ortiz@example.com',
          firstName: 'Rosa',
          lastName: 'Ortiz',
          department: 'Engineering',
          title: 'Analyst',
          employmentType: 'full_time',
          startDate: '2026-03-16',
          manager: { id: '7' },
        },
      },
      expect.objectContaining({ type: 'employee.departed', employee: { id: '2001', email: 'lee@example.com', employmentType: 'part_time', endDate: '2026-03-31' } }),
      expect.objectContaining({ type: 'employee.updated', employee: { id: '2002', email: 'max@example.com', department: 'Sales' } }),
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
  });

  it('applies the source\'s field mappings: other names, value tables, defaults', () => {
    const custom = source({
      fields: {
        department: { field: 'Division' },
        employmentType: { field: 'Employment Status', values: { Seasonal: 'contractor' } },
        timezone: { field: 'Location', values: { London: 'Europe/London', 'New York': 'America/New_York' }, default: 'UTC' },
        contractEndDate: { field: 'Contract End' },
      },
    });
    const { events } = custom.accept(
      signed(
        fieldBased([
          { ...hire, fields: { ...hire.fields, Division: 'Research', 'Employment Status': 'Seasonal', Location: 'London', 'Contract End': '2026-12-31' } },
          { ...hire, id: '1188', fields: { 'Work Email': 'b@example.com', Location: 'Atlantis', 'Employment Status': 'Volunteer' } },
        ]),
      ),
    );
    expect(events[0]!.employee).toMatchObject({ department: 'Research', employmentType: 'contractor', timezone: 'Europe/London', contractEndDate: '2026-12-31' });
    // An unmapped location falls back to the default; an unknown employment status is left out, not refused.
    expect(events[1]!.employee).toEqual({ id: '1188', email: 'b@example.com', timezone: 'UTC' });
  });

  it('asks for enrichment when the delivery lacks the work email', () => {
    const [event] = source().accept(signed(fieldBased([{ ...hire, fields: { 'First Name': 'Rosa' } }]))).events as PendingEvent[];
    expect(event!.enrichment).toEqual({ vendor: 'bamboohr', missing: ['email'] });
    expect(event!.employee).toEqual({ id: '1187', firstName: 'Rosa' });
  });

  it('refuses the whole delivery when one employee is invalid, naming the vendor field', () => {
    const error = rejection(() =>
      source().accept(signed(fieldBased([hire, { ...hire, id: '1188', fields: { 'Work Email': 'not-an-email', 'Hire Date': '16/03/2026' } }]))),
    );
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.problems.map((p) => p.path).sort()).toEqual(['employees.1.fields.Hire Date', 'employees.1.fields.Work Email']);
  });

  it('ignores actions it does not map, keeping the others', () => {
    const { events, ignored } = source().accept(signed(fieldBased([hire, { ...hire, id: '5', action: 'Archived' }])));
    expect(events).toHaveLength(1);
    expect(ignored).toEqual([{ type: 'employee.archived', reason: expect.any(String) }]);
  });
});
