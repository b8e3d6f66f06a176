// People's emails read from the identity map many at once (for `tenure runs`), on both
// backends: a SQLite file and the local PostgreSQL (a fresh schema per run, dropped afterwards).
import { describe, expect, it } from '@jest/globals';
import { BACKENDS, openStoreOn } from '../helpers/store-backends.ts';

describe.each(BACKENDS)('emailsOf on %s', (name) => {
  const opened = openStoreOn(name);

  it('answers for every person it knows an email of, across batches, by source and employee id', async () => {
    // 450 people: three queries of at most 200.
    const people = Array.from({ length: 450 }, (_, i) => ({ source: i % 2 === 0 ? 'generic' : 'hibob', employeeId: `E-${i}` }));
    for (const [i, p] of people.entries()) {
      await opened.store.noteHrEvent({ ...p, email: i % 10 === 9 ? null : `person${i}@example.com`, eventId: `evt_${i}`, eventType: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z' });
    }
    const asked = [...people, { source: 'generic', employeeId: 'E-1' }, { source: 'generic', employeeId: 'E-unknown' }, people[0]!];
    const found = await opened.store.emailsOf(asked);
    // E-1 is a hibob person: not the generic one; every tenth has no email noted.
    expect(found.size).toBe(405);
    expect(found.get('generic/E-0')).toBe('person0@example.com');
    expect(found.get('hibob/E-1')).toBe('person1@example.com');
    expect(found.has('generic/E-1')).toBe(false);
    expect(found.has('hibob/E-9')).toBe(false);
    expect(found.has('generic/E-unknown')).toBe(false);
    expect(found.get('generic/E-448')).toBe('person448@example.com');
    expect(await opened.store.emailsOf([])).toEqual(new Map());
  });
});
