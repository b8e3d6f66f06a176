import { stringify } from 'csv-stringify';
import { Readable, pipeline } from 'node:stream';
import type { AuditEntry } from './store.ts';
import type { OpenAIIds } from '../activities/index.ts';

/** CSV columns, in order: the header row a spreadsheet shows. */
export const AUDIT_CSV_COLUMNS = [
  'recorded_at',
  'source',
  'employee_id',
  'event_type',
  'event_id',
  'definition',
  'definition_hash',
  'run_id',
  'step_id',
  'action',
  'target',
  'outcome',
  'openai_ids',
  'error_type',
  'error_message',
  'actor',
  'reason',
] as const;

/** `inviteId=invite-…; userId=user-…`: one readable cell, keys sorted. */
export function formatOpenAIIds(ids: OpenAIIds): string {
  return Object.entries(ids)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, value]) => `${key}=${value}`)
    .join('; ');
}

function csvRecord(entry: AuditEntry): Record<(typeof AUDIT_CSV_COLUMNS)[number], string> {
  return {
    recorded_at: entry.recordedAt,
    source: entry.source,
    employee_id: entry.employeeId,
    event_type: entry.eventType,
    event_id: entry.eventId,
    definition: entry.definition,
    definition_hash: entry.definitionHash,
    run_id: entry.runId,
    step_id: entry.stepId,
    action: entry.action,
    target: entry.target ?? '',
    outcome: entry.outcome,
    openai_ids: formatOpenAIIds(entry.openaiIds),
    error_type: entry.errorType ?? '',
    error_message: entry.errorMessage ?? '',
    actor: entry.actor ?? '',
    reason: entry.reason ?? '',
  };
}

export interface AuditCsvOptions {
  /** Start with a UTF-8 byte order mark, so Excel reads non-ASCII text right. Default false. */
  bom?: boolean;
}

/**
 * The audit log as CSV for a spreadsheet: a header row, CRLF line ends and RFC 4180
 * quoting (csv-stringify), and cells starting with `=`, `+`, `-`, `@`, tab or CR
 * prefixed with `'` so a spreadsheet never runs them as formulas. Streams: rows are
 * read as they are written. A failure while reading ends the stream with that error.
 */
export function auditCsv(rows: AsyncIterable<AuditEntry> | Iterable<AuditEntry>, options: AuditCsvOptions = {}): Readable {
  async function* records() {
    for await (const entry of rows) yield csvRecord(entry);
  }
  const csv = stringify({
    header: true,
    columns: [...AUDIT_CSV_COLUMNS],
    record_delimiter: 'windows',
    escape_formulas: true,
    bom: options.bom ?? false,
  });
  // pipeline forwards a read error to `csv`, whose reader then sees it.
  return pipeline(Readable.from(records()), csv, () => {});
}

/** The audit log as one JSON array, one entry per line, produced as rows are read. */
export async function* auditJson(rows: AsyncIterable<AuditEntry> | Iterable<AuditEntry>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const entry of rows) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(entry)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}
