import { describe, expect, it } from '@jest/globals';
import { identityChange, type IdentityFacts } from '../../../store/index.ts';

const facts = (f: Partial<IdentityFacts>): IdentityFacts => ({ action: 'openai.invite', outcome: 'created', target: 'ada@example.com', openaiIds: {}, ...f });

describe('identityChange', () => {
  it.each([
    ['a new invite', facts({ openaiIds: { inviteId: 'invite-1' } }), { status: 'invited', email: 'ada@example.com', inviteId: 'invite-1', openaiUserId: null }],
    ['an invite for someone already a member', facts({ outcome: 'noop', openaiIds: { userId: 'user-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['an invite already pending', facts({ outcome: 'noop', openaiIds: { inviteId: 'invite-1' } }), { status: 'invited', email: 'ada@example.com', inviteId: 'invite-1' }],
    ['an accepted invite', facts({ action: 'openai.awaitAcceptance', outcome: 'updated', openaiIds: { userId: 'user-1', inviteId: 'invite-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1', inviteId: 'invite-1' }],
    ['a role change', facts({ action: 'openai.setRole', outcome: 'updated', openaiIds: { userId: 'user-1' } }), { status: 'active', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['a removal', facts({ action: 'openai.remove', outcome: 'removed', openaiIds: { userId: 'user-1' } }), { status: 'removed', email: 'ada@example.com', openaiUserId: 'user-1' }],
    ['a removal with nothing left to remove', facts({ action: 'openai.remove', outcome: 'noop' }), { status: 'removed', email: 'ada@example.com' }],
    ['a revoked invite', facts({ action: 'openai.remove', outcome: 'removed', openaiIds: { inviteId: 'invite-1' } }), { status: 'removed', email: 'ada@example.com', inviteId: 'invite-1' }],
    ['a SCIM provision', facts({ action: 'openai.scim.provision', openaiIds: { scimId: 'scim-1' } }), { status: 'active', email: 'ada@example.com', scimId: 'scim-1' }],
    ['a SCIM deactivation', facts({ action: 'openai.scim.deactivate', outcome: 'updated', openaiIds: { scimId: 'scim-1' } }), { status: 'deactivated', email: 'ada@example.com', scimId: 'scim-1' }],
    ['a SCIM reactivation', facts({ action: 'openai.scim.reactivate', outcome: 'updated', openaiIds: { scimUserId: 'scim-1' } }), { status: 'active', email: 'ada@example.com', scimId: 'scim-1' }],
  ])('maps %s', (_name, input, expected) => {
    expect(identityChange(input)).toEqual(expected);
  });

  it.each([
    ['a failed invite', facts({ outcome: 'failed', openaiIds: { inviteId: 'invite-1' } })],
    ['a superseded invite', facts({ outcome: 'superseded' })],
    ['an approval', facts({ action: 'approval', outcome: 'approved', target: null })],
    ['a rejected approval', facts({ action: 'approval', outcome: 'rejected', target: null })],
    ['a notification', facts({ action: 'notify', target: 'it-onboarding' })],
    ['a record step', facts({ action: 'record', outcome: 'noop', target: null })],
    ['a project change that names no person id', facts({ action: 'openai.addToProject', outcome: 'created', openaiIds: { projectId: 'proj_1' } })],
  ])('leaves the map alone for %s', (_name, input) => {
    expect(identityChange(input)).toBeNull();
  });
});
