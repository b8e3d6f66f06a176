// What a sync keeps in the results store, on both backends: the whole identity map read in
// pages, and one row per sync that read HR (migration 0007) for the next sync's shrink guard.
import { describe, expect, it } from '@jest/globals';
import { BACKENDS, openStoreOn } from '../helpers/store-backends.ts';

describe.each(BACKENDS)('sync data in the results store on %s', (name) => {
  const opened = openStoreOn(name);

  it('reads every identity, in pages, ordered by source and employee id', async () => {
    for (const [source, id] of [['hibob', 'B'], ['bamboohr', '2'], ['hibob', 'A'], ['bamboohr', '10'], ['merge', 'x']] as const) {
      await opened.store.noteHrEvent({ source, employeeId: id, email: `${id}@example.com`, eventId: `e-${source}-${id}`, eventType: 'employee.hired', occurredAt: '2026-11-30T10:00:00Z' });
    }
    const all = [];
    for await (const identity of opened.store.identities(2)) all.push(`${identity.source}/${identity.employeeId}:${identity.hrStatus}`);
    expect(all).toEqual(['bamboohr/10:employed', 'bamboohr/2:employed', 'hibob/A:employed', 'hibob/B:employed', 'merge/x:employed']);
  });

  it('keeps each sync once; the newest is what the next sync compares with', async () => {
    expect(await opened.store.lastSyncRun()).toBeUndefined();
    await opened.store.recordSyncRun({ syncId: 'sync/1', status: 'done', hrCounts: { hibob: 40 }, summary: { adopted: 3 } }, new Date('2026-11-30T05:00:00Z'));
    await opened.store.recordSyncRun({ syncId: 'sync/2', status: 'rejected', hrCounts: { hibob: 41, merge: 2 }, summary: {} }, new Date('2026-12-01T05:00:00Z'));
    // Written again (a retried activity): nothing changes.
    await opened.store.recordSyncRun({ syncId: 'sync/2', status: 'done', hrCounts: { hibob: 1 }, summary: {} }, new Date('2026-12-01T06:00:00Z'));
    expect(await opened.store.lastSyncRun()).toEqual({ syncId: 'sync/2', recordedAt: '2026-12-01T05:00:00.000Z', status: 'rejected', hrCounts: { hibob: 41, merge: 2 }, summary: {} });
    const [row] = await opened.backend.rows<{ n: number | string }>('select count(*) as n from sync_runs');
    expect(Number(row!.n)).toBe(2);
  });
});
