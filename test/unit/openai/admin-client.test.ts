// The Admin API client over real HTTP against the emulator: every endpoint, pagination
// walked to the end, the error taxonomy, deadlines, in-client retries of reads only, and
// the key kept out of every error.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminClient,
  OpenAIAuthError,
  OpenAIInvalidRequestError,
  OpenAINotFoundError,
  OpenAIRateLimitError,
  OpenAIUnavailableError,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  toApplicationFailure,
  ActionRefusedError,
  InviteNotYetAcceptedError,
  OpenAIConflictError,
} from '../../../activities/index.ts';
import { Secret } from '../../../config/index.ts';
import { startEmulator, type FaultRule, type RunningEmulator } from '../../../emulator/index.ts';

let emulator: RunningEmulator;
let client: AdminClient;

const rule = (r: Partial<FaultRule> & Pick<FaultRule, 'kind'>): FaultRule => ({ path: '/v1/**', rate: 1, status: 503, ms: 0, when: 'before', ...r });
const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  client = new AdminClient({ baseUrl: `${emulator.baseUrl}/`, adminKey: new Secret(emulator.adminKey), timeoutMs: 2_000, pageSize: 2 });
});
afterAll(async () => {
  await client?.close();
  await emulator?.close();
});
beforeEach(() => {
  emulator.organization.reset();
  emulator.faults.clear();
  (emulator.requests as unknown[]).length = 0;
});

describe('AdminClient', () => {
  it('covers invites, users, projects and project users, walking every list to its end', async () => {
    const invites = [];
    for (const n of [1, 2, 3, 4, 5]) invites.push(await client.createInvite({ email: `u${n}@example.com`, role: 'reader' }));
    expect((await collect(client.listInvites())).map((i) => i.id)).toEqual(invites.map((i) => i.id));
    // Five invites at two a page: three list calls.
    expect(emulator.requests.filter((r) => r.path === '/v1/organization/invites' && r.method === 'GET')).toHaveLength(3);
    expect(await client.retrieveInvite(invites[0]!.id)).toMatchObject({ email: 'u1@example.com', status: 'pending', projects: [{ id: 'proj_default', role: 'member' }] });
    expect(await client.deleteInvite(invites[4]!.id)).toEqual({ object: 'organization.invite.deleted', id: invites[4]!.id, deleted: true });

    for (const invite of invites.slice(0, 3)) emulator.organization.acceptInvite(invite.id);
    const users = await collect(client.listUsers());
    expect(users.map((u) => u.email)).toEqual(['u1@example.com', 'u2@example.com', 'u3@example.com']);
    expect((await collect(client.listUsers({ emails: ['u2@example.com', 'U3@example.com'] }))).map((u) => u.email)).toEqual(['u2@example.com', 'u3@example.com']);
    const user = users[0]!;
    expect((await client.retrieveUser(user.id)).email).toBe('u1@example.com');
    expect((await client.modifyUserRole(user.id, 'owner')).role).toBe('owner');

    const project = emulator.organization.createProject({ name: 'Research' });
    expect((await collect(client.listProjects())).map((p) => p.id)).toEqual(['proj_default', project.id]);
    expect((await client.retrieveProject(project.id)).name).toBe('Research');
    expect(await client.addProjectUser(project.id, { userId: user.id, role: 'member' })).toMatchObject({ id: user.id, role: 'member' });
    expect((await client.retrieveProjectUser(project.id, user.id)).role).toBe('member');
    expect((await client.modifyProjectUserRole(project.id, user.id, 'owner')).role).toBe('owner');
    expect((await collect(client.listProjectUsers('proj_default'))).map((u) => u.id)).toEqual(users.map((u) => u.id));
    expect((await client.removeProjectUser(project.id, user.id)).deleted).toBe(true);
    emulator.organization.archiveProject(project.id);
    expect(await collect(client.listProjects())).toHaveLength(1);
    expect(await collect(client.listProjects({ includeArchived: true }))).toHaveLength(2);
    expect(await client.deleteUser(user.id)).toEqual({ object: 'organization.user.deleted', id: user.id, deleted: true });
  });

  it('reads either spelling of an invite’s time', async () => {
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ object: 'organization.invite', id: 'invite-1', email: 'a@b.c', role: 'reader', status: 'pending', invited_at: 1700000000, expires_at: null }));
    });
    const url = await listen(server);
    const old = new AdminClient({ baseUrl: url, adminKey: new Secret('k'), timeoutMs: 2_000 });
    expect(await old.retrieveInvite('invite-1')).toMatchObject({ created_at: 1700000000, invited_at: 1700000000, expires_at: null, projects: [] });
    await old.close();
    server.close();
  });

  it('maps statuses onto one taxonomy with OpenAI’s message, param and request id', async () => {
    const missing = (await client.retrieveInvite('invite-nope').catch((e: unknown) => e)) as OpenAINotFoundError;
    expect(missing).toBeInstanceOf(OpenAINotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect(missing.requestId).toMatch(/^req_/);
    expect(missing.message).toMatch(/^OpenAI GET \/organization\/invites\/invite-nope answered 404: No invite found/);

    const invalid = (await client.createInvite({ email: 'not-an-email', role: 'reader' }).catch((e: unknown) => e)) as OpenAIInvalidRequestError;
    expect(invalid).toBeInstanceOf(OpenAIInvalidRequestError);
    expect(invalid).toMatchObject({ status: 400, param: 'email', type: 'invalid_request_error' });

    const wrongKey = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret('sk-admin-wrong-key-123'), timeoutMs: 2_000 });
    const auth = (await collect(wrongKey.listUsers()).catch((e: unknown) => e)) as OpenAIAuthError;
    await wrongKey.close();
    expect(auth).toBeInstanceOf(OpenAIAuthError);
    expect(auth).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect(auth.message).not.toContain('sk-admin-wrong-key-123');

    emulator.faults.set({ seed: 1, rules: [rule({ kind: 'status', status: 429, retryAfter: 7 })] });
    const limited = (await collect(client.listInvites()).catch((e: unknown) => e)) as OpenAIRateLimitError;
    expect(limited).toBeInstanceOf(OpenAIRateLimitError);
    expect(limited.retryAfterMs).toBe(7_000);
    // 429 is never retried inside the client: its wait belongs to Temporal, not to a worker slot.
    expect(emulator.requests.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('retries a read twice on 5xx or a dropped connection, never a write', async () => {
    emulator.faults.set({ seed: 1, rules: [rule({ method: 'GET', kind: 'drop', times: 1 }), rule({ method: 'GET', kind: 'status', status: 502, times: 1 })] });
    expect(await collect(client.listInvites())).toEqual([]);
    expect(emulator.requests.map((r) => r.fault ?? r.status)).toEqual(['drop before', 'status 502', 200]);

    emulator.faults.set({ seed: 1, rules: [rule({ method: 'GET', kind: 'status', status: 503 })] });
    const down = await collect(client.listInvites()).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(OpenAIUnavailableError);
    expect(emulator.requests.filter((r) => r.fault === 'status 503')).toHaveLength(3);

    (emulator.requests as unknown[]).length = 0;
    emulator.faults.set({ seed: 1, rules: [rule({ method: 'POST', kind: 'status', status: 500 })] });
    await expect(client.createInvite({ email: 'ada@example.com', role: 'reader' })).rejects.toBeInstanceOf(OpenAIUnavailableError);
    emulator.faults.set({ seed: 1, rules: [rule({ method: 'POST', kind: 'drop', when: 'after' })] });
    await expect(client.createInvite({ email: 'ada@example.com', role: 'reader' })).rejects.toBeInstanceOf(OpenAIUnavailableError);
    expect(emulator.requests.map((r) => `${r.method} ${r.fault}`)).toEqual(['POST status 500', 'POST drop after']);
  });

  it('gives up at its deadline', async () => {
    emulator.faults.set({ seed: 1, rules: [rule({ kind: 'latency', ms: 1_500 })] });
    const quick = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret(emulator.adminKey), timeoutMs: 300 });
    const error = (await quick.retrieveProject('proj_default').catch((e: unknown) => e)) as OpenAIUnavailableError;
    await quick.close();
    expect(error).toBeInstanceOf(OpenAIUnavailableError);
    expect(error.message).toContain('no answer within 300 ms');
  });

  it('scrubs the key from any message that quotes it', async () => {
    const key = 'sk-admin-quoted-0123456789';
    const server = createServer((_request, response) => {
      response.statusCode = 401;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }));
    });
    const url = await listen(server);
    const quoting = new AdminClient({ baseUrl: url, adminKey: new Secret(key), timeoutMs: 2_000 });
    const error = (await quoting.retrieveUser('user-1').catch((e: unknown) => e)) as OpenAIAuthError;
    await quoting.close();
    server.close();
    expect(error.message).toContain('Incorrect API key provided: [redacted].');
    expect(JSON.stringify(toApplicationFailure(error))).not.toContain(key);
  });
});

describe('the failure boundary', () => {
  const details = { method: 'GET', path: '/organization/users', message: 'm' };
  it('retries 429 (after Retry-After, capped), 5xx and network errors; fails every other 4xx at once', () => {
    const cases = [
      [new OpenAIAuthError({ ...details, status: 401 }), 'OPENAI_AUTH', true],
      [new OpenAINotFoundError({ ...details, status: 404 }), 'OPENAI_NOT_FOUND', true],
      [new OpenAIInvalidRequestError({ ...details, status: 422 }), 'OPENAI_INVALID_REQUEST', true],
      [new OpenAIConflictError({ ...details, status: 409 }), 'OPENAI_CONFLICT', true],
      [new OpenAIRateLimitError({ ...details, status: 429 }, 2_000), 'OPENAI_RATE_LIMITED', false],
      [new OpenAIUnavailableError({ ...details, status: 503 }), 'OPENAI_UNAVAILABLE', false],
      [new OpenAIUnavailableError({ ...details, status: 0 }), 'OPENAI_UNAVAILABLE', false],
      [new ActionRefusedError('OPENAI_NOT_A_MEMBER', 'x'), 'OPENAI_NOT_A_MEMBER', true],
      [new InviteNotYetAcceptedError('waiting', 'invite-1', 60_000), 'INVITE_NOT_YET_ACCEPTED', false],
    ] as const;
    for (const [error, type, nonRetryable] of cases) {
      const failure = toApplicationFailure(error);
      expect([type, failure.type, failure.nonRetryable]).toEqual([type, type, nonRetryable]);
    }
    expect(toApplicationFailure(new OpenAIRateLimitError({ ...details, status: 429 }, 2_000)).nextRetryDelay).toBe(2_000);
    expect(toApplicationFailure(new InviteNotYetAcceptedError('waiting', 'invite-1', 60_000)).nextRetryDelay).toBe(60_000);
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter('86400')).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter(new Date(Date.now() + 5_000).toUTCString())).toBeGreaterThan(3_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}
