// The generic source: Standard Webhooks signatures through the reference library,
// several secrets and several signatures for rotation, the HrEvent schema with paths.
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { Secret } from '../../../config/index.ts';
import { DeliveryRejected, genericSource, signGeneric } from '../../../triggers/index.ts';

const SECRET = new Secret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
const OTHER = new Secret('whsec_dGhpcyBpcyBhbm90aGVyIHNlY3JldCAxMjM0NTY=');

const event = {
  id: 'evt_1',
  type: 'employee.hired',
  occurredAt: '2026-11-20T10:00:00Z',
  source: 'generic',
  employee: { id: 'E-1', email: 'ada@example.com' },
};

function rejection(fn: () => unknown): DeliveryRejected {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeliveryRejected) return error;
    throw error;
  }
  throw new Error('expected the delivery to be refused');
}

describe('generic source', () => {
  it('signs as the reference library does (official Standard Webhooks vector)', () => {
    const headers = signGeneric(SECRET, 'msg_p5jXN8AQM9LWM0D4loKWxJek', '{"test": 2432232314}', new Date(1614265330 * 1000));
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts a signed HrEvent and returns it as the one event', () => {
    const rawBody = JSON.stringify(event);
    expect(genericSource(SECRET).accept({ rawBody, headers: signGeneric(SECRET, 'msg_1', rawBody) })).toEqual({ events: [event], ignored: [] });
  });

  it('accepts any of several secrets, and any of several signatures in one header', () => {
    const rawBody = JSON.stringify(event);
    expect(genericSource([OTHER, SECRET]).accept({ rawBody, headers: signGeneric(SECRET, 'msg_1', rawBody) }).events).toHaveLength(1);
    const headers = signGeneric(SECRET, 'msg_1', rawBody);
    const rotated = { ...headers, 'webhook-signature': `v1,bm90IGl0 ${headers['webhook-signature']} v1a,ignored` };
    expect(genericSource(SECRET).accept({ rawBody, headers: rotated }).events).toHaveLength(1);
  });

  it.each([
    ['unsigned', () => ({}), 'missing'],
    ['signed with another secret', (body: string) => signGeneric(OTHER, 'msg_1', body), 'mismatch'],
    ['with a non-numeric timestamp', (body: string) => ({ ...signGeneric(SECRET, 'msg_1', body), 'webhook-timestamp': 'soon' }), 'malformed'],
    // The reference library reads it with parseInt, which would take the leading digits.
    ['with digits then junk as timestamp', (body: string) => ({ ...signGeneric(SECRET, 'msg_1', body), 'webhook-timestamp': `${Math.floor(Date.now() / 1000)}xyz` }), 'malformed'],
  ])('refuses a delivery %s with 401 and nothing more', (_name, headersFor, reason) => {
    const rawBody = JSON.stringify(event);
    const error = rejection(() => genericSource(SECRET).accept({ rawBody, headers: headersFor(rawBody) }));
    expect(error).toMatchObject({ code: 'INVALID_SIGNATURE', message: 'invalid signature', detail: reason });
  });

  it.each([
    ['stale', -6 * 60_000, /more than 5 minutes old/],
    ['future', 6 * 60_000, /more than 5 minutes ahead/],
  ] as const)('refuses a delivery signed out of the 5-minute tolerance (%s) with 401 and the reason', (reason, shift, message) => {
    const rawBody = JSON.stringify(event);
    const error = rejection(() => genericSource(SECRET).accept({ rawBody, headers: signGeneric(SECRET, 'msg_1', rawBody, new Date(Date.now() + shift)) }));
    expect(error).toMatchObject({ code: 'STALE_DELIVERY', detail: reason, message: expect.stringMatching(message) });
  });

  it('reports schema violations with their path', () => {
    const rawBody = JSON.stringify({ ...event, type: 'employee.promoted', employee: { id: 'E-1', email: 'nope' }, extra: 1 });
    const error = rejection(() => genericSource(SECRET).accept({ rawBody, headers: signGeneric(SECRET, 'msg_1', rawBody) }));
    expect(error.code).toBe('INVALID_EVENT');
    expect(error.problems.map((p) => p.path).sort()).toEqual(['(body)', 'employee.email', 'type']);
  });

  it('requires the event to name this source', () => {
    const rawBody = JSON.stringify({ ...event, source: 'bamboohr' });
    const error = rejection(() => genericSource(SECRET).accept({ rawBody, headers: signGeneric(SECRET, 'msg_1', rawBody) }));
    expect(error.problems).toEqual([{ path: 'source', message: expect.stringContaining("'generic'") }]);
    const named = genericSource(SECRET, 'workday-bridge');
    const body = JSON.stringify({ ...event, source: 'workday-bridge' });
    expect(named.accept({ rawBody: body, headers: signGeneric(SECRET, 'm', body) }).events[0]!.source).toBe('workday-bridge');
  });

  it('verifies with the same bytes the reference library signs', () => {
    const rawBody = JSON.stringify(event);
    const at = new Date();
    const signature = new Webhook(SECRET.reveal()).sign('msg_lib', at, rawBody);
    const headers = { 'webhook-id': 'msg_lib', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    expect(genericSource(SECRET).accept({ rawBody, headers }).events).toHaveLength(1);
  });
});
