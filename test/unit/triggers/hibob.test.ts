// HiBob adapter: Bob-Signature (base64 HMAC-SHA512 over the raw body), the connection
// ping, thin v2 events with an enrichment request, and stable ids.
import { describe, expect, it } from '@jest/globals';
import { Secret } from '../../../config/index.ts';
import { DeliveryRejected, hibobSource, signHiBob } from '../../../triggers/index.ts';
import type { PendingEvent } from '../../../events/index.ts';

// The reference's self-consistency fixture (shared/reference/hris-webhooks.md §13).
const FIXTURE_BODY = '{"type":"employee.updated","timestamp":"2026-01-31T18:42:00+0000","data":{"companyId":"12345","employeeId":"67890","changedFields":["jobTitle"]}}';
const FIXTURE_SIGNATURE = 'dyNFGm5UdIywUu7bUuTIa32djaXbfazFQkOEZa87DbdTaSY3G55ppRU/AcdP0VVROLK60OMJ6IZAn1zxi2EFeg==';

const SECRET = new Secret('bob-webhook-secret-0123456789');
// The fixtures were triggered on 2026-04-01; the clock reads an hour later.
const NOW = Date.parse('2026-04-01T01:00:00Z');
const source = hibobSource({ secrets: [SECRET], now: () => NOW });

function signed(body: unknown, secret = SECRET) {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body);
  return { rawBody, headers: signHiBob(secret, rawBody) };
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

const left = { companyId: 731902, type: 'employee.left', triggeredBy: 'system', triggeredAt: '2026-04-01T00:00:03.120441', version: 'v2', data: { employeeId: '3391178224510067311' } };

describe('HiBob signature', () => {
  it('matches the reference fixture: base64 HMAC-SHA512 of the raw body', () => {
    expect(signHiBob(new Secret('test_secret_123'), FIXTURE_BODY)).toEqual({ 'bob-signature': FIXTURE_SIGNATURE });
  });

  it.each([
    ['missing', {}, 'missing'],
    ['not base64 of 64 bytes', { 'bob-signature': 'abc' }, 'malformed'],
    ['of another body', signHiBob(SECRET, '{}'), 'mismatch'],
    ['with another secret', signHiBob(new Secret('someone-else-0123456789'), JSON.stringify(left)), 'mismatch'],
  ])('refuses a signature that is %s with 401 and nothing more', (_name, headers, reason) => {
    const error = rejection(() => source.accept({ rawBody: JSON.stringify(left), headers }));
    expect(error).toMatchObject({ code: 'INVALID_SIGNATURE', message: 'invalid signature', detail: reason });
  });

  it('accepts either secret during a rotation', () => {
    const old = new Secret('old-bob-secret-0123456789');
    expect(hibobSource({ now: () => NOW, secrets: [SECRET, old] }).accept(signed(left, old)).events).toHaveLength(1);
  });
});

describe('HiBob payloads', () => {
  it('turns employee.left into a thin departure to enrich', () => {
    const [event] = source.accept(signed(left)).events as PendingEvent[];
    expect(event).toEqual({
      id: expect.stringMatching(/^hibob_[0-9a-f]{32}$/),
      type: 'employee.departed',
      occurredAt: '2026-04-01T00:00:03.120Z',
      source: 'hibob',
      employee: { id: '3391178224510067311' },
      enrichment: { vendor: 'hibob', tenant: '731902', missing: ['email'] },
    });
  });

  it('maps created to a hire and keeps the changed field ids of an update', () => {
    expect(source.accept(signed({ ...left, type: 'employee.created' })).events[0]!.type).toBe('employee.hired');
    const [update] = source.accept(signed({ ...left, type: 'employee.updated', data: { employeeId: '1', fieldUpdates: ['work.department', { fieldId: 'work.title' }, 42] } })).events as PendingEvent[];
    expect(update!.enrichment.changedFields).toEqual(['work.department', 'work.title']);
  });

  it('ignores types it does not map unless the events mapping says otherwise', () => {
    expect(source.accept(signed({ ...left, type: 'employee.joined' }))).toEqual({ events: [], ignored: [{ type: 'employee.joined', reason: expect.stringContaining('events:') }] });
    expect(source.accept(signed({ ...left, type: 'timeoff.request.created', data: {} })).ignored).toHaveLength(1);
    const custom = hibobSource({ secrets: [SECRET], now: () => NOW, events: { 'employee.joined': 'employee.hired', 'employee.created': 'ignore' } });
    expect(custom.accept(signed({ ...left, type: 'employee.joined' })).events[0]!.type).toBe('employee.hired');
    expect(custom.accept(signed({ ...left, type: 'employee.created' })).events).toEqual([]);
  });

  it('gives a redelivery the same id, another event another id', () => {
    const first = source.accept(signed(left)).events[0]!.id;
    expect(source.accept(signed(JSON.stringify(left, null, 1))).events[0]!.id).toBe(first);
    expect(source.accept(signed({ ...left, triggeredAt: '2026-04-01T00:30:03.120441' })).events[0]!.id).not.toBe(first);
  });

  it('refuses bad envelopes with the field at fault', () => {
    expect(rejection(() => source.accept(signed({ ...left, data: {} }))).problems).toEqual([{ path: 'data.employeeId', message: 'is required for employee.left' }]);
    expect(rejection(() => source.accept(signed({ ...left, triggeredAt: 'noon' }))).problems).toEqual([{ path: 'triggeredAt', message: 'is not a date-time' }]);
    expect(rejection(() => source.accept(signed({ type: 'employee.left' }))).problems.map((p) => p.path).sort()).toEqual(['companyId', 'data', 'triggeredAt']);
    expect(rejection(() => source.accept(signed('{"companyId":1,"__proto__":{}}'))).code).toBe('FORBIDDEN_KEY');
  });

  it('recognizes both forms of the connection ping', () => {
    expect(source.isPing!({ rawBody: 'Ping test', headers: {} })).toBe(true);
    expect(source.isPing!({ rawBody: '{"text":"Ping test"}', headers: {} })).toBe(true);
    expect(source.isPing!({ rawBody: JSON.stringify(left), headers: {} })).toBe(false);
  });
});

describe('HiBob replays', () => {
  it('refuses a delivery triggered longer ago than the replay window with 401 and the reason', () => {
    const error = rejection(() => source.accept(signed({ ...left, triggeredAt: '2025-04-01T00:00:03' })));
    expect(error).toMatchObject({ code: 'STALE_DELIVERY', detail: 'stale', message: expect.stringMatching(/older than the replay window \(24 h\)/) });
    const window = hibobSource({ secrets: [SECRET], now: () => NOW, replayWindowMs: 30 * 60_000 });
    expect(rejection(() => window.accept(signed(left)))).toMatchObject({ code: 'STALE_DELIVERY', message: expect.stringMatching(/\(1 h\)|\(0 h\)|window/) });
  });

  it('refuses one triggered ahead of the clock', () => {
    expect(rejection(() => source.accept(signed({ ...left, triggeredAt: '2026-04-02T00:00:00' })))).toMatchObject({ code: 'STALE_DELIVERY', detail: 'future' });
  });
});
