import { InvalidArgumentError, type Command } from 'commander';
import { listRuns, RUNS_PAGE, type RunSummary } from '../../triggers/index.ts';
import { RUN_STATUSES } from '../../workflows/shared.ts';
import { withTemporal } from './temporal-client.ts';

interface RunsOptions {
  employee?: string;
  status?: string;
  definition?: string;
  source?: string;
  limit: number;
  json?: boolean;
}

function limit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > RUNS_PAGE.max) throw new InvalidArgumentError(`a whole number from 1 to ${RUNS_PAGE.max}`);
  return n;
}

function status(value: string): string {
  if (!(RUN_STATUSES as readonly string[]).includes(value)) throw new InvalidArgumentError(`one of ${RUN_STATUSES.join(', ')}`);
  return value;
}

const when = (iso: string | null) => (iso ? `${iso.slice(0, 19).replace('T', ' ')}Z` : '-');

/** A table a person reads at a terminal; the execution status is shown only when it says more. */
function table(runs: RunSummary[]): string {
  const rows = runs.map((r) => [
    r.status ?? r.execution.toLowerCase(),
    r.workflowId,
    `${r.definition ?? '-'} ${r.definitionHash?.slice(0, 7) ?? ''}`.trim(),
    r.eventType ?? '-',
    when(r.startTime),
    r.closeTime ? `closed ${when(r.closeTime)}${r.execution !== 'COMPLETED' && r.execution !== 'FAILED' ? ` (${r.execution.toLowerCase()})` : ''}` : '',
  ]);
  const header = ['STATUS', 'RUN', 'DEFINITION', 'EVENT', 'STARTED', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list definition runs from Temporal visibility (Tenure\'s search attributes), newest first')
    .option('--employee <id>', 'only this HR employee id')
    .option('--status <status>', `only runs in this status: ${RUN_STATUSES.join(', ')}`, status)
    .option('--definition <name>', 'only runs of this definition')
    .option('--source <name>', 'only events from this HR source')
    .option('--limit <n>', `at most this many runs (1-${RUNS_PAGE.max})`, limit, RUNS_PAGE.default)
    .option('--json', 'a JSON array of runs')
    .action(async (options: RunsOptions) => {
      const runs = await withTemporal((client) =>
        listRuns(client, {
          ...(options.employee !== undefined ? { employee: options.employee } : {}),
          ...(options.status !== undefined ? { status: options.status } : {}),
          ...(options.definition !== undefined ? { definition: options.definition } : {}),
          ...(options.source !== undefined ? { source: options.source } : {}),
          limit: options.limit,
        }),
      );
      if (options.json) return console.log(JSON.stringify(runs, null, 2));
      if (runs.length === 0) return console.log('no runs match');
      console.log(table(runs));
      console.log(`${runs.length} run${runs.length === 1 ? '' : 's'}${runs.length === options.limit ? ` (the newest ${options.limit}; --limit shows more)` : ''}`);
    });
}
