import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { buffer, text } from 'node:stream/consumers';
import { AUDIT_CSV_COLUMNS, auditCsv, auditJson, parseSince, type AuditEntry } from '../../../store/index.ts';

function row(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: 1,
    recordKey: 'onboard/E-1/evt_1/invite',
    recordedAt: '2026-11-01T08:00:00.000Z',
    runId: 'onboard/E-1/evt_1',
    definition: 'onboard',
    definitionHash: 'abc123',
    eventId: 'evt_1',
    eventType: 'employee.hired',
    source: 'generic',
    employeeId: 'E-1',
    stepId: 'invite',
    action: 'openai.invite',
    target: 'ada@example.com',
    outcome: 'created',
    openaiIds: { userId: 'user-1', inviteId: 'invite-1' },
    errorType: null,
    errorMessage: null,
    actor: null,
    reason: null,
    ...overrides,
  };
}

async function* slowly(rows: AuditEntry[]) {
  for (const r of rows) yield r;
}

describe('auditCsv', () => {
  it('writes a header row and one CRLF-terminated record per entry that a CSV reader gets back exactly', async () => {
    const tricky = row({ id: 2, target: 'o\'brien, "bob"@example.com', errorType: 'OPENAI_INVALID_REQUEST', errorMessage: 'line one\nline two', outcome: 'failed', openaiIds: {} });
    const csv = await text(auditCsv(slowly([row(), tricky])));
    expect(csv.split('\r\n')[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(csv.endsWith('\r\n')).toBe(true);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ employee_id: 'E-1', outcome: 'created', openai_ids: 'inviteId=invite-1; userId=user-1', error_type: '', actor: '' });
    expect(records[1]).toMatchObject({ target: 'o\'brien, "bob"@example.com', error_message: 'line one\nline two', openai_ids: '' });
  });

  it.each(['=HYPERLINK("http://evil.example")', '+1+1', '-2+3', '@SUM(A1)', '\tTAB', '\rCR'])('prefixes %j with a quote so a spreadsheet shows it as text', async (value) => {
    const records = parse(await text(auditCsv([row({ target: value, errorMessage: value })])), { columns: true }) as Record<string, string>[];
    expect(records[0]!.target).toBe(`'${value}`);
    expect(records[0]!.error_message).toBe(`'${value}`);
  });

  it('writes the header alone when nothing matches, and a BOM only when asked', async () => {
    const empty = await text(auditCsv([]));
    expect(empty).toBe(`${AUDIT_CSV_COLUMNS.join(',')}\r\n`);
    // Bytes, not text: a text decoder drops the BOM.
    const withBom = await buffer(auditCsv([row()], { bom: true }));
    expect([...withBom.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const without = await buffer(auditCsv([row()]));
    expect(without.subarray(0, 11).toString()).toBe('recorded_at');
  });

  it('ends the stream with the error when reading the rows fails', async () => {
    async function* failing() {
      yield row();
      throw new Error('store went away');
    }
    await expect(text(auditCsv(failing()))).rejects.toThrow('store went away');
  });
});

describe('auditJson', () => {
  it('produces one JSON array, also when empty', async () => {
    let out = '';
    for await (const chunk of auditJson(slowly([row(), row({ id: 2 })]))) out += chunk;
    expect((JSON.parse(out) as AuditEntry[]).map((e) => e.id)).toEqual([1, 2]);
    let none = '';
    for await (const chunk of auditJson([])) none += chunk;
    expect(JSON.parse(none)).toEqual([]);
  });
});

describe('parseSince', () => {
  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T09:30:00Z', '2026-11-01T09:30:00.000Z'],
    ['2026-11-01T09:30:00.250+01:00', '2026-11-01T08:30:00.250Z'],
    ['2026-11-01 09:30Z', '2026-11-01T09:30:00.000Z'],
  ])('reads %s', (input, iso) => {
    expect(parseSince(input)?.toISOString()).toBe(iso);
  });

  it.each(['yesterday', '2026-13-01', '2026-02-30', '2026-11-01T09:30:00', '01/11/2026', ''])('refuses %j', (input) => {
    expect(parseSince(input)).toBeNull();
  });
});
