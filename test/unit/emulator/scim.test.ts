// The emulator's generic SCIM 2.0 service (RFC 7643/7644, not OpenAI-specific) over raw
// HTTP: status codes, the SCIM error body, filters, PATCH rules, ETags, and how its
// users map onto the organization (an active user is a pending invite or a member).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';

let emulator: RunningEmulator;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function scim(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.scimUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${emulator.scimToken}`, 'content-type': 'application/scim+json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const create = (userName: string, extra: Record<string, unknown> = {}) => scim('POST', '/Users', { schemas: [USER], userName, ...extra });
const patch = (id: string, Operations: unknown[], headers?: Record<string, string>) => scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations }, headers);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
});

describe('emulator SCIM 2.0 service', () => {
  it('creates with 201, Location, ETag and application/scim+json; rejects duplicates without case as 409 uniqueness', async () => {
    const created = await create('Ada@Example.com', { name: { givenName: 'Ada' }, externalId: 'E-1' });
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.headers.get('location')).toBe(`${emulator.scimUrl}/Users/${created.body.id}`);
    expect(created.headers.get('etag')).toBe(created.body.meta.version);
    expect(created.body).toMatchObject({ schemas: [USER], userName: 'Ada@Example.com', active: true, meta: { resourceType: 'User', location: created.headers.get('location') } });
    const duplicate = await create('ada@example.com');
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
    // Plain application/json is accepted on input too (RFC 7644 §3.8).
    const json = await fetch(`${emulator.scimUrl}/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.scimToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ schemas: [USER], userName: 'json@example.com' }),
    });
    expect(json.status).toBe(201);
  });

  it('requires schemas and userName, and real booleans', async () => {
    expect((await scim('POST', '/Users', { userName: 'a@example.com' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await scim('POST', '/Users', { schemas: [USER] })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await create('b@example.com', { active: 'false' })).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
  });

  it('filters with eq (userName without case, externalId with case) joined by and; anything else is invalidFilter', async () => {
    const ada = (await create('ada@example.com', { externalId: 'E-1' })).body;
    await create('grace@example.com', { externalId: 'E-2' });
    const q = (filter: string) => scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    const byName = await q('userName eq "ADA@example.com"');
    expect(byName.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(byName.body.Resources[0].id).toBe(ada.id);
    expect((await q('externalId eq "e-1"')).body.totalResults).toBe(0);
    expect((await q('userName eq "ada@example.com" and externalId eq "E-1"')).body.totalResults).toBe(1);
    expect((await q('active eq true')).body.totalResults).toBe(2);
    expect((await q('userName eq "nobody@example.com"')).body).toMatchObject({ totalResults: 0, Resources: [] });
    for (const bad of ['userName sw "ada"', 'userName eq "a" or userName eq "b"', 'password eq "x"', 'userName eq']) {
      const answer = await q(bad);
      expect([bad, answer.status, answer.body.scimType]).toEqual([bad, 400, 'invalidFilter']);
    }
  });

  it('paginates with 1-based startIndex and count, clamping out-of-range values', async () => {
    for (const n of [1, 2, 3, 4, 5]) await create(`u${n}@example.com`);
    const page2 = await scim('GET', '/Users?startIndex=3&count=2');
    expect(page2.body).toMatchObject({ totalResults: 5, startIndex: 3, itemsPerPage: 2 });
    expect(page2.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['u3@example.com', 'u4@example.com']);
    expect((await scim('GET', '/Users?startIndex=0&count=1')).body).toMatchObject({ startIndex: 1, itemsPerPage: 1 });
    expect((await scim('GET', '/Users?count=0')).body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
  });

  it('patches atomically with lowercase or capitalised ops, path or path-less, and refuses bad operations', async () => {
    const user = (await create('ada@example.com')).body;
    const replaced = await patch(user.id, [{ op: 'Replace', path: 'name.givenName', value: 'Ada' }, { op: 'replace', value: { displayName: 'Ada L' } }]);
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: { givenName: 'Ada' }, displayName: 'Ada L' });
    expect((await patch(user.id, [{ op: 'replace', path: 'active', value: 'False' }])).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await patch(user.id, [])).body).toMatchObject({ status: '400', scimType: 'invalidValue' });
    expect((await patch(user.id, [{ op: 'remove' }])).body).toMatchObject({ status: '400', scimType: 'noTarget' });
    expect((await patch(user.id, [{ op: 'move', path: 'active', value: false }])).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect((await patch(user.id, [{ op: 'replace', path: 'id', value: 'x' }])).body).toMatchObject({ status: '400', scimType: 'mutability' });
    // Atomic: the first operation of a failing request is not kept.
    await patch(user.id, [{ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'replace', path: 'nickName', value: 'x' }]);
    expect((await scim('GET', `/Users/${user.id}`)).body.displayName).toBe('Ada L');
  });

  it('honours If-Match (412) and If-None-Match (304)', async () => {
    const user = (await create('ada@example.com')).body;
    const stale = user.meta.version;
    const changed = await patch(user.id, [{ op: 'replace', path: 'displayName', value: 'A' }], { 'if-match': stale });
    expect(changed.status).toBe(200);
    expect((await patch(user.id, [{ op: 'replace', path: 'displayName', value: 'B' }], { 'if-match': stale })).status).toBe(412);
    expect((await scim('GET', `/Users/${user.id}`, undefined, { 'if-none-match': changed.body.meta.version })).status).toBe(304);
  });

  it('maps users onto the organization: active = invited or member; inactive or deleted = no access', async () => {
    const user = (await create('ada@example.com')).body;
    const invite = emulator.organization.listInvites().find((i) => i.email === 'ada@example.com');
    expect(invite).toMatchObject({ status: 'pending', projects: [] });
    await patch(user.id, [{ op: 'replace', path: 'active', value: false }]);
    expect(emulator.organization.listInvites()).toEqual([]);
    await patch(user.id, [{ op: 'replace', value: { active: true } }]);
    const again = emulator.organization.listInvites().find((i) => i.status === 'pending')!;
    const { user: member } = emulator.organization.acceptInvite(again.id);
    expect(member.is_scim_managed).toBe(true);
    await patch(user.id, [{ op: 'replace', path: 'active', value: false }]);
    expect(emulator.organization.users.size).toBe(0);
    // Deactivated users stay readable and findable (as Entra ID requires).
    expect((await scim('GET', `/Users/${user.id}`)).body.active).toBe(false);

    const deleted = await scim('DELETE', `/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect((await scim('GET', `/Users/${user.id}`)).status).toBe(404);
    expect((await scim('DELETE', `/Users/${user.id}`)).body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('answers 401 in the SCIM error format without the token; serves ServiceProviderConfig', async () => {
    const response = await fetch(`${emulator.scimUrl}/Users`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ schemas: [ERROR], status: '401' });
    const config = await scim('GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ patch: { supported: true }, filter: { supported: true }, etag: { supported: true }, bulk: { supported: false } });
  });
});
