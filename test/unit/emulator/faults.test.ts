// Fault injection over real HTTP: 429 with Retry-After, 5xx, latency and dropped
// connections, chosen by path, method and rate from a seeded generator.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Faults, startEmulator, type RunningEmulator } from '../../../emulator/index.ts';

let emulator: RunningEmulator;

const setFaults = async (body: unknown) =>
  fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const get = (path: string) => fetch(`${emulator.baseUrl}${path}`, { headers: { authorization: `Bearer ${emulator.adminKey}` } });
const postInvite = (email: string) =>
  fetch(`${emulator.baseUrl}/organization/invites`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, role: 'reader' }),
  });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
});

describe('emulator faults', () => {
  it('answers 429 with Retry-After and an OpenAI error body, on the matching path only', async () => {
    expect((await setFaults({ rules: [{ path: '/v1/organization/invites', kind: 'status', status: 429, retryAfter: 3 }] })).status).toBe(200);
    const limited = await get('/organization/invites');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(((await limited.json()) as { error: { type: string; code: string } }).error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect((await get('/organization/users')).status).toBe(200);
    expect(emulator.requests.map((r) => [r.path, r.status, r.fault ?? null])).toEqual([
      ['/v1/organization/invites', 429, 'status 429'],
      ['/v1/organization/users', 200, null],
    ]);
  });

  it('answers 5xx before anything happens, by method', async () => {
    await setFaults({ rules: [{ method: 'post', kind: 'status', status: 503 }] });
    const failed = await postInvite('ada@example.com');
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { error: { type: string } }).error.type).toBe('server_error');
    expect(emulator.organization.listInvites()).toEqual([]);
    expect((await get('/organization/invites')).status).toBe(200);
  });

  it('drops the connection before the request takes effect, or after (the answer is lost)', async () => {
    await setFaults({ rules: [{ method: 'POST', kind: 'drop', when: 'before', times: 1 }] });
    await expect(postInvite('ada@example.com')).rejects.toThrow();
    expect(emulator.organization.listInvites()).toEqual([]);

    await setFaults({ rules: [{ method: 'POST', kind: 'drop', when: 'after', times: 1 }] });
    await expect(postInvite('ada@example.com')).rejects.toThrow();
    expect(emulator.organization.listInvites().map((i) => i.email)).toEqual(['ada@example.com']);
    // `times: 1` spent: the next request goes through (and meets the pending invite).
    expect((await postInvite('ada@example.com')).status).toBe(400);
    expect(emulator.requests.map((r) => r.fault ?? r.status)).toEqual(['drop before', 'drop after', 400]);
  });

  it('adds latency and still answers', async () => {
    await setFaults({ rules: [{ kind: 'latency', ms: 150 }] });
    const started = performance.now();
    expect((await get('/organization/users')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(emulator.requests[0]!.fault).toBe('latency 150ms');
  });

  it('fires at the configured rate, and the same seed gives the same decisions', () => {
    const decisions = (seed: number) => {
      const faults = new Faults();
      faults.set({ seed, rules: [{ path: '/v1/**', rate: 0.3, kind: 'status', status: 503, ms: 0, when: 'before' }] });
      return Array.from({ length: 2000 }, () => faults.decide('GET', '/v1/organization/users').status?.status ?? 200);
    };
    const a = decisions(42);
    expect(decisions(42)).toEqual(a);
    expect(decisions(43)).not.toEqual(a);
    const rate = a.filter((s) => s === 503).length / a.length;
    expect(rate).toBeGreaterThan(0.26);
    expect(rate).toBeLessThan(0.34);
  });

  it('matches `*` to one segment and `/**` to any rest, and rejects a bad rule with 400', async () => {
    const faults = new Faults();
    faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites/*', rate: 1, kind: 'status', status: 500, ms: 0, when: 'before' }] });
    expect(faults.decide('GET', '/v1/organization/invites/invite-1').status?.status).toBe(500);
    expect(faults.decide('GET', '/v1/organization/invites').status).toBeUndefined();
    expect(faults.decide('GET', '/v1/organization/invites/a/b').status).toBeUndefined();
    faults.set({ seed: 1, rules: [{ path: '/v1/scim/**', rate: 1, kind: 'status', status: 502, ms: 0, when: 'before' }] });
    expect(faults.decide('PATCH', '/v1/scim/v2/Users/x').status?.status).toBe(502);
    expect(faults.decide('GET', '/v1/organization/users').status).toBeUndefined();

    const bad = await setFaults({ rules: [{ kind: 'explode' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('rules.0.kind');
    const cleared = await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' });
    expect(((await cleared.json()) as { rules: unknown[] }).rules).toEqual([]);
  });
});

describe('docs/openai.md', () => {
  it('its faults example is accepted as written', async () => {
    const doc = readFileSync(new URL('../../../docs/openai.md', import.meta.url), 'utf8');
    const body = /_emulator\/faults -H 'content-type: application\/json' -d '([^']+)'/.exec(doc)?.[1];
    expect(body).toBeDefined();
    const answer = await setFaults(JSON.parse(body!));
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { rules: unknown[] }).rules).toHaveLength(3);
  });
});
