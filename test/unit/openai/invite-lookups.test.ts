// How many requests an invite costs, counted from the emulator's request log: the invite
// the identity map holds is read by its id (one GET), a person the map knows without an
// invite is invited at once, and only a person the map has never seen, a retry, or a
// refused create walks the invite list. Real emulator over HTTP, real SQLite store, the
// SDK's MockActivityEnvironment for attempt info.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient, createActivities, type ActionResult, type Activities } from '../../../activities/index.ts';
import type { InviteInput } from '../../../activities/contract.ts';
import { Secret } from '../../../config/index.ts';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { Store } from '../../../store/index.ts';

let emulator: RunningEmulator;
let openai: AdminClient;
let store: Store;
let activities: Activities;
/** Other people's invites already in the organization: three pages of the invite list. */
const OTHERS = 250;

function invite(input: InviteInput, attempt = 1): Promise<ActionResult> {
  const env = new MockActivityEnvironment({ attempt, scheduledTimestampMs: Date.now() - 5_000 }, { logger: new DefaultLogger('ERROR', () => {}) });
  return env.run(activities.openaiInvite, input) as Promise<ActionResult>;
}

/** The requests `action` made, as `METHOD path` (invite ids as `:id`). */
async function requestsOf(action: () => Promise<unknown>): Promise<string[]> {
  const from = emulator.requests.length;
  await action();
  return emulator.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/invite-[A-Za-z0-9]+/, ':id')}`);
}

async function noteHire(employeeId: string, email: string): Promise<void> {
  await store.noteHrEvent({ source: 'generic', employeeId, email, eventId: `evt-${employeeId}`, eventType: 'employee.hired', occurredAt: '2026-11-01T00:00:00Z' });
}

async function recordInvite(employeeId: string, result: ActionResult): Promise<void> {
  await store.record({
    recordKey: `run-${employeeId}/${result.openaiIds.inviteId}`,
    runId: `run-${employeeId}`,
    definition: 'onboard',
    definitionHash: 'h',
    eventId: `evt-${employeeId}`,
    eventType: 'employee.hired',
    source: 'generic',
    employeeId,
    stepId: 'invite',
    action: 'openai.invite',
    target: result.target,
    outcome: result.outcome,
    openaiIds: result.openaiIds,
    identity: { status: 'invited', inviteId: result.openaiIds.inviteId as string },
  });
}

const subject = (employeeId: string) => ({ source: 'generic', employeeId });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  openai = new AdminClient({ baseUrl: emulator.baseUrl, adminKey: new Secret(emulator.adminKey), timeoutMs: 5_000 });
  store = await Store.open({ kind: 'sqlite', file: join(mkdtempSync(join(tmpdir(), 'tenure-lookups-')), 'tenure.db') });
  activities = createActivities({ openai, store });
});
afterAll(async () => {
  await openai?.close();
  await store?.close();
  await emulator?.close();
});
beforeEach(() => {
  emulator.organization.reset();
  for (let i = 0; i < OTHERS; i++) emulator.organization.createInvite({ email: `other-${i}@example.com`, role: 'reader' });
});

describe('invite look-ups', () => {
  it('a person the map knows without an invite: one member look-up and the create, no walk', async () => {
    await noteHire('E-1', 'ada@example.com');
    let result: ActionResult | undefined;
    const requests = await requestsOf(async () => (result = await invite({ email: 'ada@example.com', role: 'reader', subject: subject('E-1') })));
    expect(requests).toEqual(['GET /v1/organization/users', 'POST /v1/organization/invites']);
    expect(result).toMatchObject({ outcome: 'created' });
  });

  it('the invite the map holds: read by its id (pending → noop; expired → resent), no walk', async () => {
    await noteHire('E-2', 'bob@example.com');
    const first = await invite({ email: 'bob@example.com', role: 'reader', subject: subject('E-2') });
    await recordInvite('E-2', first);
    expect((await store.identity('generic', 'E-2'))?.inviteId).toBe(first.openaiIds.inviteId);

    let again: ActionResult | undefined;
    expect(await requestsOf(async () => (again = await invite({ email: 'bob@example.com', role: 'reader', subject: subject('E-2') })))).toEqual([
      'GET /v1/organization/users',
      'GET /v1/organization/invites/:id',
    ]);
    expect(again).toMatchObject({ outcome: 'noop', openaiIds: { inviteId: first.openaiIds.inviteId } });

    emulator.organization.expireInvite(first.openaiIds.inviteId as string);
    let resent: ActionResult | undefined;
    expect(await requestsOf(async () => (resent = await invite({ email: 'bob@example.com', role: 'reader', subject: subject('E-2') })))).toEqual([
      'GET /v1/organization/users',
      'GET /v1/organization/invites/:id',
      'POST /v1/organization/invites',
    ]);
    expect(resent).toMatchObject({ outcome: 'created', output: { resent: true, expiredInviteId: first.openaiIds.inviteId } });
  });

  it('a person invited by hand: the create is refused and the list walked once, leaving one invite', async () => {
    await noteHire('E-3', 'cy@example.com');
    const byHand = emulator.organization.createInvite({ email: 'cy@example.com', role: 'reader' });
    let result: ActionResult | undefined;
    const requests = await requestsOf(async () => (result = await invite({ email: 'cy@example.com', role: 'reader', subject: subject('E-3') })));
    expect(result).toMatchObject({ outcome: 'noop', openaiIds: { inviteId: byHand.id } });
    expect(requests.filter((r) => r === 'GET /v1/organization/invites')).toHaveLength(3);
    expect(emulator.organization.listInvites().filter((i) => i.email === 'cy@example.com')).toHaveLength(1);
  });

  it('a person the map has never seen, and a retry, walk the list (an earlier attempt may have invited them)', async () => {
    const unseen = await requestsOf(() => invite({ email: 'dee@example.com', role: 'reader' }));
    expect(unseen.filter((r) => r === 'GET /v1/organization/invites')).toHaveLength(3);

    await noteHire('E-5', 'eve@example.com');
    const first = await invite({ email: 'eve@example.com', role: 'reader', subject: subject('E-5') });
    // The answer of attempt 1 was lost: attempt 2 finds its invite by walking, and calls it its own.
    let retried: ActionResult | undefined;
    const requests = await requestsOf(async () => (retried = await invite({ email: 'eve@example.com', role: 'reader', subject: subject('E-5') }, 2)));
    expect(requests.filter((r) => r === 'GET /v1/organization/invites')).toHaveLength(3);
    expect(retried).toMatchObject({ outcome: 'created', openaiIds: { inviteId: first.openaiIds.inviteId } });
  });

  it('an invite the map holds that is gone (deleted at OpenAI) falls back to the walk and invites again', async () => {
    await noteHire('E-6', 'fay@example.com');
    const first = await invite({ email: 'fay@example.com', role: 'reader', subject: subject('E-6') });
    await recordInvite('E-6', first);
    emulator.organization.deleteInvite(first.openaiIds.inviteId as string);
    let result: ActionResult | undefined;
    const requests = await requestsOf(async () => (result = await invite({ email: 'fay@example.com', role: 'reader', subject: subject('E-6') })));
    expect(requests[1]).toBe('GET /v1/organization/invites/:id');
    expect(requests.filter((r) => r === 'GET /v1/organization/invites')).toHaveLength(3);
    expect(result).toMatchObject({ outcome: 'created' });
    expect(result?.openaiIds.inviteId).not.toBe(first.openaiIds.inviteId);
  });
});
