/**
 * How the CLI prints runs: for a person at a terminal, boxed tables (cli-table3) and
 * colours; piped or redirected, plain text with no ANSI codes — tab-separated rows under a
 * header line for lists (`cut -f`, `awk -F'\t'`), aligned `label  value` lines for one run —
 * stable for scripts. Colours follow Node's `util.styleText` for the stream written to:
 * NO_COLOR, NODE_DISABLE_COLORS and FORCE_COLOR are honoured, and a non-TTY gets none.
 *
 *   process.stdout.write(runsList(overviews, process.stdout));
 */
import Table from 'cli-table3';
import { styleText } from 'node:util';
import { maskEmail } from '../logging/index.ts';
import type { ExplainedStep, RunExplanation, RunOverview, Waiting } from '../triggers/index.ts';

type Format = Parameters<typeof styleText>[0];

/** Where text goes: a terminal gets tables (and colours, as styleText decides), anything else plain text. */
export interface Sink {
  isTTY?: boolean;
}

const isTable = (stream: Sink) => stream.isTTY === true;

function painter(stream: Sink): (format: Format, text: string) => string {
  if (!isTable(stream)) return (_format, text) => text;
  return (format, text) => styleText(format, text, { stream: stream as NodeJS.WritableStream });
}

/** An ISO 8601 instant as `2026-12-01 09:00:00Z`; `-` for none. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 19).replace('T', ' ')}Z` : '-';
}

const STATUS_FORMAT: Record<string, Format> = {
  running: 'cyan',
  waiting: 'yellow',
  'needs-attention': ['red', 'bold'],
  done: 'green',
  failed: 'red',
  superseded: 'gray',
};

/** What a run waits for, in a few words. */
export function waitingText(waiting: Waiting | null): string | null {
  if (!waiting) return null;
  if (waiting.kind === 'wait') return `wait${waiting.step ? ` '${waiting.step}'` : ''} until ${when(waiting.until)}`;
  return `approval '${waiting.step}' by ${waiting.approvers.join(', ')}, until ${when(waiting.until)}`;
}

/** The REASON column: what a waiting run waits for, why a parked run stopped, what a closed run ended as. */
function reason(run: RunOverview): string {
  if (run.attention) return `step '${run.attention.step}' failed: ${run.attention.error.type}`;
  if (run.waiting) {
    // Approvers are people: masked in a list, as the person's own email is.
    const masked = run.waiting.kind === 'approval' ? { ...run.waiting, approvers: run.waiting.approvers.map(maskEmail) } : run.waiting;
    return waitingText(masked) ?? '-';
  }
  if (run.detail === 'unanswered') return '? (no answer from the run)';
  if (run.closeTime !== null && run.execution !== 'COMPLETED' && run.execution !== 'FAILED') return run.execution.toLowerCase();
  return '-';
}

export const RUNS_COLUMNS = ['STATUS', 'RUN', 'EMAIL', 'DEFINITION', 'EVENT', 'STARTED', 'CLOSED', 'REASON'] as const;

function runRow(run: RunOverview): string[] {
  return [
    run.status ?? run.execution.toLowerCase(),
    run.workflowId,
    run.email ?? '-',
    `${run.definition ?? '-'}${run.definitionHash ? ` ${run.definitionHash.slice(0, 7)}` : ''}`,
    run.eventType ?? '-',
    when(run.startTime),
    when(run.closeTime),
    reason(run),
  ];
}

/** `tenure runs`: a table at a terminal; a header line and one tab-separated line per run otherwise. */
export function runsList(runs: readonly RunOverview[], stream: Sink): string {
  const rows = runs.map(runRow);
  if (!isTable(stream)) return [[...RUNS_COLUMNS], ...rows].map((cells) => cells.map((c) => c.replace(/[\t\n]/g, ' ')).join('\t')).join('\n') + '\n';
  const paint = painter(stream);
  const table = new Table({ head: RUNS_COLUMNS.map((h) => paint('bold', h)), style: { head: [], border: [] } });
  for (const cells of rows) table.push([paint(STATUS_FORMAT[cells[0]!] ?? 'reset', cells[0]!), ...cells.slice(1)]);
  return `${table.toString()}\n`;
}

function stepsTable(steps: readonly ExplainedStep[], stream: Sink): string {
  const head = ['STEP', 'KIND', 'OUTCOME', 'DETAIL'];
  const rows = steps.map((s) => [s.id, s.kind, s.outcome, s.detail ?? '']);
  if (!isTable(stream)) {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    return [head, ...rows].map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}`).join('\n');
  }
  const paint = painter(stream);
  const outcome = (o: string) => paint(o === 'failed' || o === 'rejected' ? 'red' : o === 'skipped' || o === 'superseded' ? 'yellow' : 'green', o);
  const table = new Table({ head: head.map((h) => paint('bold', h)), style: { head: [], border: [] }, wordWrap: true });
  for (const [id, kind, o, detail] of rows) table.push([id!, kind!, outcome(o!), detail!]);
  return table.toString();
}

/** `tenure runs show`: one run, labelled lines then its steps; `email` is the person's, masked. */
export function runDetails(explained: RunExplanation, email: string | null, stream: Sink): string {
  const paint = painter(stream);
  const { run } = explained;
  const label = (text: string) => paint('bold', text.padEnd(12));
  const lines: string[] = [];
  const line = (name: string, value: string) => lines.push(`${label(name)}${value}`);
  const status = run.status ?? run.execution.toLowerCase();
  line('run', run.workflowId);
  line('status', `${paint(STATUS_FORMAT[status] ?? 'reset', status)} (Temporal: ${run.execution.toLowerCase()})`);
  line('definition', `${run.definition ?? '-'}${run.definitionHash ? ` ${run.definitionHash.slice(0, 7)}` : ''}`);
  line('person', `${run.employeeId ?? '-'}${run.source ? ` (${run.source})` : ''} ${email ?? '-'}`);
  line('event', run.eventType ?? '-');
  line('started', when(run.startTime));
  if (run.closeTime) line('closed', when(run.closeTime));
  if (explained.currentStep) line('at step', explained.currentStep);
  const waiting = waitingText(explained.waiting);
  if (waiting) line('waiting for', paint('yellow', waiting));
  if (explained.attention) {
    const a = explained.attention;
    line('parked', paint(['red', 'bold'], `step '${a.step}' (${a.kind}) failed with ${a.error.type}, since ${when(a.since)}, ${a.attempts} tr${a.attempts === 1 ? 'y' : 'ies'}`));
    line('', a.error.message);
  }
  if (explained.ended) {
    const e = explained.ended;
    line('ended', `${e.status ?? e.execution.toLowerCase()}${e.failure ? ` — ${e.failure.type}: ${e.failure.message}` : ''}`);
    if (e.skipped) line('', `nothing ran: ${e.skipped}`);
    if (e.supersededBy) line('', `superseded by ${e.supersededBy.eventType} ${e.supersededBy.eventId} (${when(e.supersededBy.occurredAt)}): ${e.supersededBy.reason}`);
  }
  if (explained.unanswered) line('note', paint('yellow', explained.unanswered));
  explained.fixes.forEach((fix, i) => line(i === 0 ? 'to go on' : '', paint('cyan', fix.command)));
  line('temporal', explained.temporalUi);
  const from = { status: 'the run\'s status query', result: 'the run\'s result', audit: 'the audit log', none: '' }[explained.stepsFrom];
  if (explained.steps.length === 0) line('steps', explained.stepsFrom === 'none' ? 'unknown (no audit log to read)' : `none yet (from ${from})`);
  else lines.push(`${label('steps')}(from ${from})`, stepsTable(explained.steps, stream));
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}
