// Accepted event ids (migration 0008) and one measure of length for ids, on both backends:
// a SQLite file and the local PostgreSQL (a fresh schema per run, dropped afterwards).
import { describe, expect, it } from '@jest/globals';
import { hrEventSchema, ID_LIMITS, utf8Length } from '../../events/index.ts';
import { LIMITS, StoreInputError } from '../../store/index.ts';
import { BACKENDS, openStoreOn } from '../helpers/store-backends.ts';

describe.each(BACKENDS)('accepted events on %s', (name) => {
  const opened = openStoreOn(name);

  it('remembers an event id per source, idempotently', async () => {
    expect(await opened.store.wasAccepted('generic', 'evt_1')).toBe(false);
    await opened.store.rememberEvent({ source: 'generic', eventId: 'evt_1', employeeId: 'E-1' });
    await opened.store.rememberEvent({ source: 'generic', eventId: 'evt_1', employeeId: 'E-1' });
    expect(await opened.store.wasAccepted('generic', 'evt_1')).toBe(true);
    expect(await opened.store.wasAccepted('hibob', 'evt_1')).toBe(false);
  });

  it('takes the longest ids the door lets in, and counts them in UTF-8 bytes like the door does', async () => {
    // 32 four-byte emoji: 64 UTF-16 units, 128 bytes — the door's limit exactly.
    const longest = '😀'.repeat(ID_LIMITS.employeeId / 4);
    expect(utf8Length(longest)).toBe(ID_LIMITS.employeeId);
    await opened.store.rememberEvent({ source: 'generic', eventId: 'evt_long', employeeId: longest });
    await expect(opened.store.noteHrEvent({ source: 'generic', employeeId: longest, eventId: 'evt_long', eventType: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z' })).resolves.toBe(true);
    expect((await opened.store.identity('generic', longest))?.employeeId).toBe(longest);

    // 65 emoji are 130 UTF-16 units (under 256) but 260 bytes: refused by the store as by the door.
    const tooLong = '😀'.repeat(65);
    expect(tooLong.length).toBeLessThan(LIMITS.employeeId);
    await expect(opened.store.rememberEvent({ source: 'generic', eventId: 'evt_x', employeeId: tooLong })).rejects.toBeInstanceOf(StoreInputError);
    await expect(opened.store.noteHrEvent({ source: 'generic', employeeId: tooLong, eventId: 'evt_x', eventType: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z' })).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'employeeId' });
    const door = hrEventSchema.safeParse({ id: 'evt_x', type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'generic', employee: { id: tooLong, email: 'a@example.com' } });
    expect(door.success).toBe(false);
  });
});
