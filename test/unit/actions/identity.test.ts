// Each action declares how its outcome moves the identity map; the store applies the change as given.
import { describe, expect, it } from '@jest/globals';
import { ACTIONS, type ActionName, type ActionResult } from '../../../activities/index.ts';

type Facts = Pick<ActionResult, 'outcome' | 'target' | 'openaiIds'>;
const facts = (f: Partial<Facts>): Facts => ({ outcome: 'created', target: 'ada@example.com', openaiIds: {}, ...f });

describe('the identity change each action declares', () => {
  it.each<[string, ActionName, Facts, unknown]>([
    ['a new invite', 'openai.invite', facts({ openaiIds: { inviteId: 'invite-1' } }), { status: 'invited', email: 'ada@example.com', inviteId: 'invite-1', openaiUserId: null }],
    ['an invite for someone already a member', 'openai.invite', facts({ outcome: 'noop', openaiIds: { userId: 'user-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['an invite already pending', 'openai.invite', facts({ outcome: 'noop', openaiIds: { inviteId: 'invite-1' } }), { status: 'invited', email: 'ada@example.com', inviteId: 'invite-1' }],
    ['an accepted invite', 'openai.awaitAcceptance', facts({ outcome: 'updated', openaiIds: { userId: 'user-1', inviteId: 'invite-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1', inviteId: 'invite-1' }],
    ['a role change', 'openai.setRole', facts({ outcome: 'updated', openaiIds: { userId: 'user-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['a removal', 'openai.remove', facts({ outcome: 'removed', openaiIds: { userId: 'user-1' } }), { status: 'removed', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['a removal with nothing left to remove', 'openai.remove', facts({ outcome: 'noop' }), { status: 'removed', email: 'ada@example.com' }],
    ['a revoked invite', 'openai.remove', facts({ outcome: 'removed', openaiIds: { inviteId: 'invite-1' } }), { status: 'removed', email: 'ada@example.com', inviteId: 'invite-1' }],
    ['a SCIM provision', 'openai.scim.provision', facts({ openaiIds: { scimId: 'scim-1' } }), { status: 'active', email: 'ada@example.com', scimId: 'scim-1' }],
    ['a SCIM deactivation', 'openai.scim.deactivate', facts({ outcome: 'updated', openaiIds: { scimId: 'scim-1' } }), { status: 'deactivated', email: 'ada@example.com', scimId: 'scim-1' }],
    ['a SCIM reactivation', 'openai.scim.reactivate', facts({ outcome: 'updated', openaiIds: { scimId: 'scim-1' } }), { status: 'active', email: 'ada@example.com', scimId: 'scim-1' }],
  ])('%s (%s)', (_name, action, input, expected) => {
    expect(ACTIONS[action].identity(input)).toEqual(expected);
  });

  it.each<[string, ActionName, Facts]>([
    ['a notification', 'notify', facts({ target: 'it-onboarding' })],
    ['a record step', 'record', facts({ outcome: 'noop', target: null })],
    ['a project change that names no person id', 'openai.addToProject', facts({ openaiIds: { projectId: 'proj_1' } })],
  ])('leaves the map alone for %s', (_name, action, input) => {
    expect(ACTIONS[action].identity(input)).toBeNull();
  });

  it('every action that changes something at OpenAI takes the lease, runs on the OpenAI queue and has an activity', () => {
    for (const action of Object.values(ACTIONS)) {
      if (action.lease) expect([action.name, action.openaiQueue, action.activity !== null]).toEqual([action.name, true, true]);
    }
  });
});
