// Every action activity against the emulator over HTTP, inside a real activity context
// (@temporalio/testing's MockActivityEnvironment gives attempt and schedule info; it is
// the SDK's own harness, not a fake of anything under test). Asserts outcomes, OpenAI
// ids, failure types and retryability, and that a rerun leaves exactly one effect.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, ScimClient, createActivities, type ActionResult, type Activities } from '../../../activities/index.ts';
import { Secret } from '../../../config/index.ts';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { Store } from '../../../store/index.ts';

let emulator: RunningEmulator;
let openai: AdminClient;
let scim: ScimClient;
let store: Store;
let activities: Activities;
const POLL_MS = 250;

/** Runs an activity as attempt `attempt` of a schedule `scheduledAgoMs` ago. */
function run<A>(fn: (input: A) => Promise<ActionResult>, input: A, info: { attempt?: number; scheduledAgoMs?: number } = {}) {
  const env = new MockActivityEnvironment(
    { attempt: info.attempt ?? 1, scheduledTimestampMs: Date.now() - (info.scheduledAgoMs ?? 0) },
    // Failures are asserted on below; the SDK's own report of each would only be noise.
    { logger: new DefaultLogger('ERROR', () => {}) },
  );
  return env.run(fn, input) as Promise<ActionResult>;
}

async function failure<A>(fn: (input: A) => Promise<ActionResult>, input: A, info?: { attempt?: number; scheduledAgoMs?: number }): Promise<ApplicationFailure> {
  const error = await run(fn, input, info).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

const invitesOf = (email: string) => emulator.organization.listInvites().filter((i) => i.email === email);

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  openai = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret(emulator.adminKey), timeoutMs: 5_000 });
  scim = new ScimClient({ baseUrl: emulator.scimUrl, token: new Secret(emulator.scimToken), timeoutMs: 5_000 });
  store = await Store.open({ kind: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'tenure-activities-')), 'tenure.db') });
  activities = createActivities({ openai, scim, store, acceptancePollMs: POLL_MS });
});
afterAll(async () => {
  await openai?.close();
  await scim?.close();
  await store?.close();
  await emulator?.close();
});
beforeEach(() => {
  emulator.organization.reset();
  emulator.faults.clear();
});

describe('openai.invite', () => {
  it('invites once: created, then noop for the pending invite, then noop (role kept) or updated (role changed) for a member', async () => {
    const before = new Date().toISOString();
    const first = await run(activities.openaiInvite, { email: 'ada@example.com', role: 'reader' });
    const after = new Date().toISOString();
    const [invite] = invitesOf('ada@example.com');
    expect(first).toEqual({
      outcome: 'created',
      target: 'ada@example.com',
      openaiIds: { inviteId: invite!.id },
      output: { status: 'pending', inviteId: invite!.id, role: 'reader', outcome: 'created' },
      identity: { status: 'invited', email: 'ada@example.com', inviteId: invite!.id, openaiUserId: null, observedAt: expect.any(String) },
    });
    // When OpenAI was seen in this state: the store orders identity changes by it.
    expect(first.identity!.observedAt! >= before && first.identity!.observedAt! <= after).toBe(true);
    expect((await run(activities.openaiInvite, { email: 'ADA@example.com', role: 'reader' })).outcome).toBe('noop');
    expect(invitesOf('ada@example.com')).toHaveLength(1);

    const { user } = emulator.organization.acceptInvite(invite!.id);
    expect(await run(activities.openaiInvite, { email: 'ada@example.com', role: 'reader' })).toMatchObject({ outcome: 'noop', openaiIds: { userId: user.id }, identity: { status: 'active', openaiUserId: user.id } });
    expect(await run(activities.openaiInvite, { email: 'ada@example.com', role: 'owner' })).toMatchObject({ outcome: 'updated', output: { role: 'owner', previousRole: 'reader' } });
    expect(emulator.organization.getUser(user.id).role).toBe('owner');
  });

  it('resends an expired invite, with the projects asked for', async () => {
    await run(activities.openaiInvite, { email: 'bob@example.com', role: 'reader', projects: [] });
    const [old] = invitesOf('bob@example.com');
    emulator.organization.expireInvite(old!.id);
    const resent = await run(activities.openaiInvite, { email: 'bob@example.com', role: 'reader', projects: [] });
    expect(resent).toMatchObject({ outcome: 'created', output: { resent: true, expiredInviteId: old!.id } });
    expect(invitesOf('bob@example.com').map((i) => i.status)).toEqual(['expired', 'pending']);
    expect(invitesOf('bob@example.com')[1]!.projects).toEqual([]);
  });

  it('after a crash between the create and its answer, the retry finds its own invite: created, exactly one', async () => {
    emulator.faults.set({ seed: 1, rules: [{ path: '/v1/organization/invites', method: 'POST', rate: 1, kind: 'drop', when: 'after', times: 1, status: 503, ms: 0 }] });
    const lost = await failure(activities.openaiInvite, { email: 'carol@example.com', role: 'reader' });
    expect([lost.type, lost.nonRetryable]).toEqual(['OPENAI_UNAVAILABLE', false]);
    expect(invitesOf('carol@example.com')).toHaveLength(1);
    const retried = await run(activities.openaiInvite, { email: 'carol@example.com', role: 'reader' }, { attempt: 2, scheduledAgoMs: 2_000 });
    expect(retried).toMatchObject({ outcome: 'created', openaiIds: { inviteId: invitesOf('carol@example.com')[0]!.id } });
    expect(invitesOf('carol@example.com')).toHaveLength(1);
  });

  it('fails at once, with OpenAI’s message, on a bad request', async () => {
    const bad = await failure(activities.openaiInvite, { email: 'dave@example.com', role: 'reader', projects: [{ id: 'proj_missing', role: 'member' }] });
    expect([bad.type, bad.nonRetryable]).toEqual(['OPENAI_INVALID_REQUEST', true]);
    expect(bad.message).toContain("No project found with id 'proj_missing'");
  });
});

describe('openai.awaitAcceptance', () => {
  it('looks once per attempt: pending → retryable INVITE_NOT_YET_ACCEPTED at the poll interval; accepted → active with the user id', async () => {
    await run(activities.openaiInvite, { email: 'ada@example.com', role: 'reader' });
    const [invite] = invitesOf('ada@example.com');
    const waiting = await failure(activities.openaiAwaitAcceptance, { email: 'ada@example.com', timeout: '14d', resendExpired: true });
    expect([waiting.type, waiting.nonRetryable, waiting.nextRetryDelay]).toEqual(['INVITE_NOT_YET_ACCEPTED', false, POLL_MS]);
    const { user } = emulator.organization.acceptInvite(invite!.id);
    const done = await run(activities.openaiAwaitAcceptance, { email: 'ada@example.com', timeout: '14d', resendExpired: true }, { attempt: 3 });
    expect(done).toMatchObject({ outcome: 'noop', openaiIds: { userId: user.id, inviteId: invite!.id }, output: { status: 'active', userId: user.id } });
  });

  it('resends an expired invite and keeps waiting; without resendExpired it fails', async () => {
    await run(activities.openaiInvite, { email: 'bob@example.com', role: 'owner' });
    const [old] = invitesOf('bob@example.com');
    emulator.organization.expireInvite(old!.id);
    const resent = await failure(activities.openaiAwaitAcceptance, { email: 'bob@example.com', timeout: '14d', resendExpired: true });
    expect([resent.type, resent.nonRetryable]).toEqual(['INVITE_NOT_YET_ACCEPTED', false]);
    const fresh = invitesOf('bob@example.com').find((i) => i.status === 'pending')!;
    expect(resent.message).toContain(`resent as ${fresh.id}`);
    expect(fresh.role).toBe('owner');

    emulator.organization.expireInvite(fresh.id);
    const refused = await failure(activities.openaiAwaitAcceptance, { email: 'bob@example.com', timeout: '14d', resendExpired: false });
    expect([refused.type, refused.nonRetryable]).toEqual(['OPENAI_INVITE_EXPIRED', true]);
  });

  it('ends with OPENAI_ACCEPTANCE_TIMEOUT once the first attempt is `timeout` ago, and waits no longer than the deadline', async () => {
    await run(activities.openaiInvite, { email: 'carol@example.com', role: 'reader' });
    const late = await failure(activities.openaiAwaitAcceptance, { email: 'carol@example.com', timeout: '1h', resendExpired: true }, { attempt: 40, scheduledAgoMs: 3_600_001 });
    expect([late.type, late.nonRetryable]).toEqual(['OPENAI_ACCEPTANCE_TIMEOUT', true]);
    const almost = await failure(activities.openaiAwaitAcceptance, { email: 'carol@example.com', timeout: '1h', resendExpired: true }, { attempt: 2, scheduledAgoMs: 3_600_000 - 100 });
    expect(almost.nextRetryDelay).toBeLessThanOrEqual(100);
    const badTimeout = await failure(activities.openaiAwaitAcceptance, { email: 'carol@example.com', timeout: 'soon', resendExpired: true });
    expect([badTimeout.type, badTimeout.nonRetryable]).toEqual(['INVALID_ACTION_INPUT', true]);
  });

  it('refuses to wait for an invite that was never sent', async () => {
    const none = await failure(activities.openaiAwaitAcceptance, { email: 'nobody@example.com', timeout: '14d', resendExpired: true });
    expect([none.type, none.nonRetryable]).toEqual(['OPENAI_NO_INVITE', true]);
  });
});

describe('member and project actions', () => {
  async function member(email: string) {
    return emulator.organization.addUser({ email, role: 'reader' });
  }

  it('openai.setRole: updated, then noop; a non-member is refused', async () => {
    const ada = await member('ada@example.com');
    expect(await run(activities.openaiSetRole, { email: 'ada@example.com', role: 'owner' })).toMatchObject({ outcome: 'updated', openaiIds: { userId: ada.id } });
    expect((await run(activities.openaiSetRole, { email: 'ada@example.com', role: 'owner' })).outcome).toBe('noop');
    await run(activities.openaiInvite, { email: 'bob@example.com', role: 'reader' });
    const refused = await failure(activities.openaiSetRole, { email: 'bob@example.com', role: 'owner' });
    expect([refused.type, refused.nonRetryable]).toEqual(['OPENAI_NOT_A_MEMBER', true]);
    expect(refused.message).toContain('openai.awaitAcceptance');
  });

  it('openai.remove: deletes a member, revokes a pending invite, noop when neither', async () => {
    const ada = await member('ada@example.com');
    expect(await run(activities.openaiRemove, { email: 'ada@example.com' })).toMatchObject({ outcome: 'removed', openaiIds: { userId: ada.id } });
    expect(emulator.organization.users.size).toBe(0);
    await run(activities.openaiInvite, { email: 'bob@example.com', role: 'reader' });
    const [invite] = invitesOf('bob@example.com');
    expect(await run(activities.openaiRemove, { email: 'bob@example.com' })).toMatchObject({ outcome: 'removed', openaiIds: { inviteId: invite!.id } });
    expect(invitesOf('bob@example.com')).toEqual([]);
    expect(await run(activities.openaiRemove, { email: 'bob@example.com' })).toMatchObject({ outcome: 'noop', openaiIds: {} });
  });

  it('openai.addToProject / removeFromProject: created, updated, noop, removed; refusals for outsiders and unknown projects', async () => {
    const ada = await member('ada@example.com');
    const project = emulator.organization.createProject({ name: 'Research' });
    const input = { email: 'ada@example.com', projectId: project.id, role: 'member' as const };
    expect(await run(activities.openaiAddToProject, input)).toMatchObject({ outcome: 'created', openaiIds: { userId: ada.id, projectId: project.id } });
    expect((await run(activities.openaiAddToProject, input)).outcome).toBe('noop');
    expect(await run(activities.openaiAddToProject, { ...input, role: 'owner' })).toMatchObject({ outcome: 'updated', output: { role: 'owner', previousRole: 'member' } });
    expect(emulator.organization.getProjectUser(project.id, ada.id).role).toBe('owner');

    expect((await run(activities.openaiRemoveFromProject, { email: 'ada@example.com', projectId: project.id })).outcome).toBe('removed');
    expect((await run(activities.openaiRemoveFromProject, { email: 'ada@example.com', projectId: project.id })).outcome).toBe('noop');
    expect((await run(activities.openaiRemoveFromProject, { email: 'ghost@example.com', projectId: project.id })).outcome).toBe('noop');

    const outsider = await failure(activities.openaiAddToProject, { ...input, email: 'ghost@example.com' });
    expect([outsider.type, outsider.nonRetryable]).toEqual(['OPENAI_NOT_A_MEMBER', true]);
    const unknown = await failure(activities.openaiAddToProject, { ...input, projectId: 'proj_missing' });
    expect([unknown.type, unknown.nonRetryable]).toEqual(['OPENAI_NOT_FOUND', true]);
  });
});

describe('openai.scim.*', () => {
  it('provisions into a pending invite, deactivates (revoking it), reactivates', async () => {
    const created = await run(activities.scimProvision, { userName: 'ada@example.com', givenName: 'Ada' });
    expect(created).toMatchObject({ outcome: 'created', target: 'ada@example.com' });
    expect(invitesOf('ada@example.com').map((i) => i.status)).toEqual(['pending']);
    expect((await run(activities.scimProvision, { userName: 'ada@example.com' })).outcome).toBe('noop');
    expect((await run(activities.scimDeactivate, { userName: 'ada@example.com' })).outcome).toBe('updated');
    expect(invitesOf('ada@example.com')).toEqual([]);
    expect((await run(activities.scimReactivate, { userName: 'ada@example.com' })).outcome).toBe('updated');
    expect(invitesOf('ada@example.com').map((i) => i.status)).toEqual(['pending']);
  });

  it('fails with SCIM_NOT_CONFIGURED when no SCIM service is configured', async () => {
    const withoutScim = createActivities({ openai, store });
    const refused = await failure(withoutScim.scimProvision, { userName: 'ada@example.com' });
    expect([refused.type, refused.nonRetryable]).toEqual(['SCIM_NOT_CONFIGURED', true]);
    expect(refused.message).toContain('OPENAI_SCIM_BASE_URL');
  });
});
