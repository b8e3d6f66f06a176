// Reading for a sync: every page of every HR directory and of OpenAI's lists; an HR API
// that fails, an empty directory or one that shrank too much stops the sync (absence is
// never departure). HR is an in-memory connector here; OpenAI is a stand-in list.
import { describe, expect, it } from '@jest/globals';
import { loadDefinitionFile } from '../../../dsl/index.ts';
import type { Identity } from '../../../store/index.ts';
import { readAndClassify, SyncStoppedError, type DirectoryReaders } from '../../../sync/index.ts';
import { HrApiError, MemoryHrConnector } from '../../helpers/hr-memory.ts';

const onboard = loadDefinitionFile('definitions/onboard-openai.yaml').plan!;
const now = new Date('2026-12-01T10:00:00Z');

function readers(connectors: MemoryHrConnector[], members: { id: string; email: string }[] = [], identities: Identity[] = []): DirectoryReaders {
  return {
    connectors,
    openai: {
      async *listUsers() {
        for (const m of members) yield { object: 'organization.user' as const, id: m.id, email: m.email, added_at: 0 };
      },
      async *listInvites() {},
    },
    identities: async function* () {
      yield* identities;
    },
  };
}

async function stopOf(promise: Promise<unknown>): Promise<SyncStoppedError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SyncStoppedError);
  return error as SyncStoppedError;
}

describe('readAndClassify', () => {
  it('reads every page of every directory and classifies against the definitions', async () => {
    const hibob = new MemoryHrConnector('hibob', 'hibob', 7);
    for (let i = 0; i < 30; i++) hibob.put(`H${i}`);
    hibob.put('INTERN', { employee: { employmentType: 'intern' } });
    const merge = new MemoryHrConnector('merge', 'merge', 5);
    merge.put('M1', { employment: 'terminated', terminationDate: '2026-11-01' });
    const reading = await readAndClassify(readers([hibob, merge], [{ id: 'user-m1', email: 'm1@example.com' }, { id: 'user-h0', email: 'H0@example.com' }]), { plans: [onboard], now, maxShrink: 25 });
    expect(hibob.pages).toBe(5);
    expect(reading.hr).toEqual({ hibob: 31, merge: 1 });
    expect(reading.openai).toEqual({ members: 2, invites: 0 });
    // The shipped onboarding invites everyone but interns.
    expect(reading.counts).toEqual({ 'missed-hire': 29, 'missed-departure': 1, 'in-sync': 2, unmanaged: 0, 'expired-invite': 0 });
    expect(reading.adoptions.map((a) => a.employeeId)).toEqual(['H0']);
  });

  it('stops when an HR API fails, even after some pages', async () => {
    const hibob = new MemoryHrConnector('hibob', 'hibob', 2);
    for (let i = 0; i < 5; i++) hibob.put(`H${i}`);
    hibob.failure = new HrApiError({ type: 'HR_API_UNAVAILABLE', vendor: 'hibob', status: 500, message: 'HiBob answered 500' });
    const stop = await stopOf(readAndClassify(readers([hibob]), { plans: [onboard], now, maxShrink: 25 }));
    expect(stop.type).toBe('HR_API_UNAVAILABLE');
    expect(stop.message).toMatch(/hibob.*HiBob answered 500.*Nothing was changed/);
  });

  it('stops on an empty directory, and on one that shrank by more than the guard', async () => {
    expect((await stopOf(readAndClassify(readers([new MemoryHrConnector()]), { plans: [onboard], now, maxShrink: 25 }))).type).toBe('HR_DIRECTORY_EMPTY');
    const hibob = new MemoryHrConnector();
    for (let i = 0; i < 10; i++) hibob.put(`H${i}`);
    const shrunk = await stopOf(readAndClassify(readers([hibob]), { plans: [onboard], now, maxShrink: 5, previous: { hibob: 16 } }));
    expect(shrunk.type).toBe('HR_DIRECTORY_SHRUNK');
    expect(shrunk.message).toMatch(/10 people, 6 fewer than at the last sync \(16\)/);
    // Within the guard: read normally.
    await expect(readAndClassify(readers([hibob]), { plans: [onboard], now, maxShrink: 5, previous: { hibob: 15 } })).resolves.toMatchObject({ hr: { hibob: 10 } });
  });

  it('stops when no HR connector is configured', async () => {
    expect((await stopOf(readAndClassify(readers([]), { plans: [onboard], now, maxShrink: 25 }))).type).toBe('HR_NOT_CONFIGURED');
  });
});
