import { InvalidArgumentError, Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { ACTION_NAMES } from '../../dsl/index.ts';
import { auditCsv, auditJson, formatOpenAIIds, parseSince, Store, type AuditEntry, type AuditQuery } from '../../store/index.ts';
import { CliError, config } from '../common.ts';
import { describe } from './index.ts';

interface AuditOptions {
  employee?: string;
  source?: string;
  since?: Date;
  action?: string;
  run?: string;
  json?: boolean;
  csv?: boolean;
  bom?: boolean;
}

function since(value: string): Date {
  const date = parseSince(value);
  if (!date) throw new InvalidArgumentError('give a date (2026-11-01, midnight UTC) or an RFC 3339 instant (2026-11-01T09:00:00Z)');
  return date;
}

async function write(chunks: AsyncIterable<string | Buffer> | Readable): Promise<void> {
  for await (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
  }
}

/** One line per entry for a person at a terminal. */
function line(e: AuditEntry): string {
  const ids = formatOpenAIIds(e.openaiIds);
  return [
    e.recordedAt,
    `${e.source}/${e.employeeId}`,
    e.action,
    e.target ?? '-',
    e.outcome.toUpperCase(),
    ids || '-',
    `${e.runId}#${e.stepId}`,
    ...(e.actor ? [`by ${e.actor}${e.reason ? ` (${e.reason})` : ''}`] : e.reason ? [`(${e.reason})`] : []),
    ...(e.errorType ? [`${e.errorType}: ${e.errorMessage ?? ''}`] : []),
  ].join('  ');
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(describe('audit'))
    .option('--employee <id>', 'only this HR employee id')
    .option('--source <name>', 'only events from this HR source')
    .option('--since <date>', 'only entries recorded at or after a date (midnight UTC) or an RFC 3339 instant', since)
    .option('--action <action>', 'only this action, e.g. openai.invite or openai.remove')
    .option('--run <workflowId>', 'only this run')
    .addOption(new Option('--json', 'a JSON array of entries').conflicts('csv'))
    .addOption(new Option('--csv', 'CSV with a header row, for a spreadsheet').conflicts('json'))
    .option('--bom', 'with --csv: start with a UTF-8 byte order mark (Excel then reads accents right)')
    .action(async (options: AuditOptions) => {
      if (options.bom && !options.csv) throw new CliError('--bom applies to --csv only');
      const cfg = await config();
      if (cfg.store.kind === 'sqlite' && !existsSync(cfg.store.file)) {
        throw new CliError(`no results store at ${cfg.store.file}: nothing has been recorded here yet. Run Tenure first, or set TENURE_DATABASE_URL (or TENURE_HOME) to where it records.`);
      }
      const query: AuditQuery = {
        ...(options.employee !== undefined ? { employeeId: options.employee } : {}),
        ...(options.source !== undefined ? { source: options.source } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.action !== undefined ? { action: options.action } : {}),
        ...(options.run !== undefined ? { runId: options.run } : {}),
      };
      if (options.action !== undefined && !(ACTION_NAMES as readonly string[]).includes(options.action)) {
        // Not an error: the engine also records steps that are not actions (approvals).
        console.error(`tenure: note: '${options.action}' is not an action of the definition language (${ACTION_NAMES.join(', ')}); showing what matches it exactly`);
      }
      const store = await Store.open(cfg.store);
      try {
        const rows = store.auditRows(query);
        if (options.json) await write(auditJson(rows));
        else if (options.csv) await write(auditCsv(rows, { bom: options.bom ?? false }));
        else {
          let count = 0;
          for await (const entry of rows) {
            if (!process.stdout.write(`${line(entry)}\n`)) await once(process.stdout, 'drain');
            count++;
          }
          console.log(count === 0 ? 'no audit entries match' : `${count} entr${count === 1 ? 'y' : 'ies'}`);
        }
      } finally {
        await store.close();
      }
    });
}
