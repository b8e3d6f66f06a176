// The parts of a run's explanation that need no Temporal: its Web UI link, the commands that
// go on, and what it waits for.
import { describe, expect, it } from '@jest/globals';
import { fixesFor, temporalUiLink, waitingOf } from '../../../triggers/index.ts';

const attention = { step: 'invite', kind: 'action' as const, error: { type: 'OPENAI_UNAVAILABLE', message: 'down' }, since: '2026-11-20T10:00:00.000Z', attempts: 1, skippable: true };

describe('temporalUiLink', () => {
  it('encodes the workflow id (its slashes too) and the namespace; a trailing slash of the base is dropped', () => {
    expect(temporalUiLink('https://temporal.example.com/', 'hr prod', 'onboard-openai/E-1/evt 1')).toBe('https://temporal.example.com/namespaces/hr%20prod/workflows/onboard-openai%2FE-1%2Fevt%201');
  });
});

describe('fixesFor', () => {
  it('a parked run: retry, skip and abort, each with a reason to fill in', () => {
    expect(fixesFor('promote/E-1/evt_1', { attention, awaitingApproval: null })).toEqual([
      { decision: 'retry', command: "tenure retry promote/E-1/evt_1 --reason '<why>'" },
      { decision: 'skip', command: "tenure skip promote/E-1/evt_1 --reason '<why>'" },
      { decision: 'abort', command: "tenure abort promote/E-1/evt_1 --reason '<why>'" },
    ]);
  });

  it('no skip when the failed part cannot be skipped', () => {
    expect(fixesFor('a/b/c', { attention: { ...attention, skippable: false }, awaitingApproval: null }).map((f) => f.decision)).toEqual(['retry', 'abort']);
  });

  it('an approval: approve or reject as its one approver, or as one of several; odd ids are shell-quoted', () => {
    const one = fixesFor("a/b/it's", { attention: null, awaitingApproval: { step: 'ask', approvers: ['grace@example.com'], until: '2026-11-21T00:00:00Z' } });
    expect(one.map((f) => f.command)).toEqual([
      "tenure approve 'a/b/it'\\''s' --step ask --as grace@example.com --reason '<why>'",
      "tenure reject 'a/b/it'\\''s' --step ask --as grace@example.com --reason '<why>'",
    ]);
    const several = fixesFor('a/b/c', { attention: null, awaitingApproval: { step: 'ask', approvers: ['a@example.com', 'b@example.com'], until: '2026-11-21T00:00:00Z' } });
    expect(several[0]!.command).toContain('--as <approver>');
  });

  it('nothing for a run that waits for no decision', () => {
    expect(fixesFor('a/b/c', { attention: null, awaitingApproval: null })).toEqual([]);
    expect(fixesFor('a/b/c', null)).toEqual([]);
  });
});

describe('waitingOf', () => {
  it('an approval before a wait step; null when it waits for nothing', () => {
    expect(waitingOf({ awaitingApproval: { step: 'ask', approvers: ['g@example.com'], until: 'T' }, waitingUntil: null, currentStep: 'ask' })).toEqual({ kind: 'approval', step: 'ask', approvers: ['g@example.com'], until: 'T' });
    expect(waitingOf({ awaitingApproval: null, waitingUntil: '2026-12-01T08:00:00.000Z', currentStep: 'wait-for-start' })).toEqual({ kind: 'wait', step: 'wait-for-start', until: '2026-12-01T08:00:00.000Z' });
    expect(waitingOf({ awaitingApproval: null, waitingUntil: null, currentStep: 'invite' })).toBeNull();
  });
});
