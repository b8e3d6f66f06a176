// The SCIM client and the openai.scim.* actions against two servers over HTTP: the
// emulator's generic SCIM service and SCIMMY, an independently written SCIM 2.0
// implementation from npm, started here on loopback.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  OpenAIAuthError,
  OpenAINotFoundError,
  ScimClient,
  scimDeactivate,
  scimProvision,
  scimReactivate,
} from '../../../activities/index.ts';
import { Secret } from '../../../config/index.ts';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { startScimmyPeer, type ScimPeer } from './scimmy-peer.ts';

interface Server {
  baseUrl: string;
  token: string;
  close(): Promise<void>;
}

const servers: Record<'emulator' | 'scimmy', () => Promise<Server>> = {
  emulator: async () => {
    const emulator: RunningEmulator = await startEmulator({ port: 0, scimToken: 'scim-token-emulator-0123456789' });
    return { baseUrl: emulator.scimUrl, token: emulator.scimToken, close: () => emulator.close() };
  },
  scimmy: async () => {
    const peer: ScimPeer = await startScimmyPeer('scim-token-peer-0123456789');
    return { baseUrl: peer.baseUrl, token: peer.token, close: () => peer.close() };
  },
};

describe.each(Object.keys(servers) as (keyof typeof servers)[])('SCIM client against %s', (name) => {
  let server: Server;
  let scim: ScimClient;

  beforeAll(async () => {
    server = await servers[name]();
    scim = new ScimClient({ baseUrl: server.baseUrl, token: new Secret(server.token), timeoutMs: 5_000, pageSize: 2 });
  });
  afterAll(async () => {
    await scim?.close();
    await server?.close();
  });

  it('creates a user, then adopts it on a duplicate create whatever the case of userName', async () => {
    const first = await scim.createUser({ userName: 'Ada.Lovelace@Example.com', givenName: 'Ada', familyName: 'Lovelace', externalId: 'E-1' });
    expect(first.created).toBe(true);
    expect(first.user).toMatchObject({ userName: 'Ada.Lovelace@Example.com', active: true, externalId: 'E-1' });
    const again = await scim.createUser({ userName: 'ada.lovelace@example.com' });
    expect(again).toMatchObject({ created: false, user: { id: first.user.id } });
    expect((await scim.findByUserName('Ada.Lovelace@Example.com'))?.id).toBe(first.user.id);
    expect(await scim.findByUserName('nobody@example.com')).toBeUndefined();
  });

  it('deactivates and reactivates with PATCH replace active (200 with a body or 204), reading back after a 204', async () => {
    const { user } = await scim.createUser({ userName: 'grace@example.com' });
    expect((await scim.setActive(user.id, false)).active).toBe(false);
    // Nothing changes: SCIMMY answers 204 without a body; the client reads the user back.
    expect((await scim.setActive(user.id, false)).active).toBe(false);
    expect((await scim.getUser(user.id)).active).toBe(false);
    expect((await scim.setActive(user.id, true)).active).toBe(true);
  });

  it('walks the user list with startIndex and count to totalResults', async () => {
    for (const n of [1, 2, 3]) await scim.createUser({ userName: `walk${n}@example.com` });
    const names: string[] = [];
    for await (const user of scim.listUsers()) names.push(user.userName.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['walk1@example.com', 'walk2@example.com', 'walk3@example.com', 'grace@example.com']));
    expect(new Set(names).size).toBe(names.length);
  });

  it('deletes once; a second delete and a read are not-found', async () => {
    const { user } = await scim.createUser({ userName: 'linus@example.com' });
    expect(await scim.deleteUser(user.id)).toBe(true);
    expect(await scim.deleteUser(user.id)).toBe(false);
    await expect(scim.getUser(user.id)).rejects.toBeInstanceOf(OpenAINotFoundError);
    expect(await scim.findByUserName('linus@example.com')).toBeUndefined();
  });

  it('runs the openai.scim.* actions idempotently', async () => {
    const created = await scimProvision(scim, { userName: 'hopper@example.com', givenName: 'Grace', familyName: 'Hopper' });
    expect(created.outcome).toBe('created');
    expect(created.openaiIds.scimId).toBeTruthy();
    expect((await scimProvision(scim, { userName: 'hopper@example.com' })).outcome).toBe('noop');
    expect(await scimDeactivate(scim, { userName: 'hopper@example.com' })).toMatchObject({ outcome: 'updated', output: { active: false } });
    expect((await scimDeactivate(scim, { userName: 'hopper@example.com' })).outcome).toBe('noop');
    expect(await scimReactivate(scim, { userName: 'hopper@example.com' })).toMatchObject({ outcome: 'updated', output: { active: true } });
    expect((await scimReactivate(scim, { userName: 'hopper@example.com' })).outcome).toBe('noop');
    await scimDeactivate(scim, { userName: 'hopper@example.com' });
    // Provisioning an inactive user turns it back on.
    expect((await scimProvision(scim, { userName: 'hopper@example.com' })).outcome).toBe('updated');
    expect((await scimDeactivate(scim, { userName: 'ghost@example.com' })).outcome).toBe('noop');
    await expect(scimReactivate(scim, { userName: 'ghost@example.com' })).rejects.toMatchObject({ code: 'SCIM_USER_NOT_FOUND' });
  });

  it('fails with an auth error, without the token in it, when the token is wrong', async () => {
    const wrong = new ScimClient({ baseUrl: server.baseUrl, token: new Secret('not-the-token-at-all'), timeoutMs: 5_000 });
    const error = (await wrong.findByUserName('ada@example.com').catch((e: unknown) => e)) as OpenAIAuthError;
    await wrong.close();
    expect(error).toBeInstanceOf(OpenAIAuthError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/^SCIM GET \/Users answered 401/);
    expect(error.message).not.toContain('not-the-token-at-all');
    expect(error.message).not.toContain(server.token);
  });
});
