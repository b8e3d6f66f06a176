import { Option, type Command } from 'commander';
import { stringify } from 'csv-stringify/sync';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { userInfo } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatProblem, loadDefinitions, type Plan } from '../../dsl/index.ts';
import { decideSync, startSync, syncState } from '../../sync/index.ts';
import { SEARCH_ATTRIBUTES, type SyncEntry, type SyncKind, type SyncReport } from '../../workflows/shared.ts';
import { CliError, config } from '../common.ts';
import { describe } from './index.ts';
import { withTemporal } from './temporal-client.ts';

const KINDS: SyncKind[] = ['missed-departure', 'missed-hire', 'expired-invite', 'unmanaged', 'in-sync'];

async function plans(): Promise<Plan[]> {
  const { plans: loaded, problems } = loadDefinitions([(await config()).definitionsDir]);
  if (problems.length > 0) throw new CliError(`the definitions have problems; fix them first (tenure validate):\n${problems.map(formatProblem).join('\n')}`);
  return loaded;
}

/** `N in-sync, M missed-departure, …` and the sizes read. */
export function summaryLine(report: SyncReport): string {
  if (!report.counts) return `${report.syncId}: ${report.status}`;
  const hr = Object.entries(report.hr ?? {}).map(([s, n]) => `${s} ${n}`).join(', ');
  return `${KINDS.map((k) => `${report.counts![k]} ${k}`).join(', ')} (HR: ${hr}; OpenAI: ${report.openai!.members} members, ${report.openai!.invites} pending invites)`;
}

function entries(report: SyncReport): SyncEntry[] {
  return [...(report.actionable ?? []), ...(report.reported ?? [])].map(({ event: _e, ...entry }) => entry);
}

function table(rows: SyncEntry[]): string {
  const cells = rows.map((e) => [e.kind, e.source && e.employeeId ? `${e.source}/${e.employeeId}` : '-', e.email ?? '-', e.openai.userId ?? e.openai.inviteId ?? '-', e.reason]);
  const header = ['KIND', 'HR PERSON', 'EMAIL', 'OPENAI', 'WHY'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  return [header, ...cells].map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

function stopped(report: SyncReport): void {
  if (report.status !== 'stopped') return;
  throw new CliError(`${report.syncId} stopped before acting (${report.stopped!.type}): ${report.stopped!.message}`);
}

/** Waits until the sync has finished, or waits for an operator (then returns undefined). */
async function settle(client: Client, handle: WorkflowHandle): Promise<SyncReport | undefined> {
  let result: SyncReport | undefined;
  let failure: unknown;
  // The long poll for the result is abandoned when the sync waits for an operator.
  const abandon = new AbortController();
  const done = client.withAbortSignal(abandon.signal, () => handle.result()).then(
    (r: SyncReport) => (result = r),
    (error: unknown) => (failure = error),
  );
  for (;;) {
    if (result || failure) break;
    const state = await syncState(client, handle.workflowId).catch(() => undefined);
    if (state?.phase === 'needs-attention') {
      abandon.abort();
      return undefined;
    }
    await Promise.race([done, sleep(300)]);
  }
  if (failure) throw new CliError(`${handle.workflowId} failed: ${(failure as Error).message}`);
  return result;
}

function printSync(report: SyncReport): void {
  stopped(report);
  console.log(`${report.syncId}: ${report.status}`);
  console.log(`found: ${summaryLine(report)}`);
  if (report.decision) console.log(`${report.decision.approve ? 'approved' : 'rejected'} by ${report.decision.by}${report.decision.reason ? `: ${report.decision.reason}` : ''}`);
  const d = report.delivery;
  if (d) {
    console.log(`acted: ${d.delivered} delivered to the people's workflows, ${d.duplicates} already delivered before, ${d.unmatched} matched no definition, ${d.failed.length} failed`);
    for (const f of d.failed) console.log(`  failed: ${f.employeeId ?? '-'}: ${f.error}`);
  } else {
    console.log(report.status === 'rejected' ? 'acted: nobody (rejected)' : 'acted: nothing to do');
  }
  const acted = (report.actionable ?? []);
  if (acted.length > 0) console.log(table(acted));
  console.log(`adopted: ${report.adopted ?? 0} existing members into the identity map; unmanaged: ${report.counts?.unmanaged ?? 0} (reported, not acted on; \`tenure drift\` lists them)`);
  console.log(`audit: \`tenure audit --run ${report.syncId}\``);
}

export function registerSync(program: Command): void {
  const sync = program.command('sync').description(describe('sync'));
  sync
    .command('run', { isDefault: true })
    .description('run one sync now and print what it did (it waits for an operator when it would act on more than TENURE_SYNC_MAX_CHANGES people)')
    .option('--json', 'print the sync\'s report as JSON')
    .action(async (options: { json?: boolean }) => {
      const cfg = await config();
      const report = await withTemporal(async (client) => {
        const handle = await startSync(client, { taskQueue: cfg.taskQueue, plans: await plans(), maxChanges: cfg.sync.maxChanges, mode: 'sync' });
        const settled = await settle(client, handle);
        if (settled) return settled;
        const state = await syncState(client, handle.workflowId);
        const f = state.findings!;
        const total = f.counts['missed-departure'] + f.counts['missed-hire'] + f.counts['expired-invite'];
        console.log(`${handle.workflowId}: needs attention — it would act on ${total} people, more than TENURE_SYNC_MAX_CHANGES (${state.maxChanges}); nobody was acted on.`);
        console.log(table(f.actionable));
        console.log(`decide with \`tenure sync approve ${handle.workflowId} --reason "…"\` or \`tenure sync reject ${handle.workflowId}\``);
        return undefined;
      });
      if (!report) return;
      if (options.json) {
        stopped(report);
        return console.log(JSON.stringify(report, null, 2));
      }
      printSync(report);
    });
  sync
    .command('list')
    .description('the newest syncs and drift reports, with their status (needs-attention: waiting for `tenure sync approve|reject`)')
    .option('--limit <n>', 'at most this many (1-100)', (v) => Number(v), 20)
    .option('--json', 'a JSON array')
    .action(async (options: { limit: number; json?: boolean }) => {
      if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 100) throw new CliError('--limit must be a whole number from 1 to 100');
      const rows = await withTemporal(async (client) => {
        const found: { workflowId: string; status: string; started: string; closed: string | null }[] = [];
        for await (const w of client.workflow.list({ query: "WorkflowType = 'syncWorkflow'", pageSize: options.limit })) {
          const shown = w.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status);
          found.push({ workflowId: w.workflowId, status: shown ?? w.status.name.toLowerCase(), started: w.startTime.toISOString(), closed: w.closeTime?.toISOString() ?? null });
          if (found.length >= options.limit) break;
        }
        return found;
      });
      if (options.json) return console.log(JSON.stringify(rows, null, 2));
      if (rows.length === 0) return console.log('no syncs yet (`tenure sync` runs one)');
      const width = Math.max(...rows.map((r) => r.workflowId.length));
      for (const r of rows) console.log(`${r.status.padEnd(15)}  ${r.workflowId.padEnd(width)}  started ${r.started}${r.closed ? `, closed ${r.closed}` : ''}`);
    });
  for (const approve of [true, false]) {
    sync
      .command(approve ? 'approve' : 'reject')
      .description(approve ? 'act on the people a held sync found (it then delivers their events)' : 'act on nobody: end a held sync')
      .argument('<workflowId>', 'the sync, e.g. sync/2026-12-01T05:00:00.000Z (printed by `tenure sync`; `tenure sync list` lists them)')
      .option('--reason <text>', 'why (recorded in the audit log)')
      .option('--by <who>', 'who decides (recorded in the audit log); default: your login name')
      .action(async (workflowId: string, options: { reason?: string; by?: string }) => {
        const by = options.by ?? userInfo().username;
        const report = await withTemporal(async (client) => {
          try {
            await decideSync(client, workflowId, { approve, by, ...(options.reason !== undefined ? { reason: options.reason } : {}) });
          } catch (error) {
            throw new CliError(`${workflowId}: ${(error as { cause?: Error }).cause?.message ?? (error as Error).message}`);
          }
          return (await client.workflow.getHandle(workflowId).result()) as SyncReport;
        });
        printSync(report);
      });
  }
}

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description(describe('drift'))
    .addOption(new Option('--json', 'the report as JSON (counts and entries)').conflicts('csv'))
    .addOption(new Option('--csv', 'the entries as CSV, with a header row').conflicts('json'))
    .action(async (options: { json?: boolean; csv?: boolean }) => {
      const cfg = await config();
      const report = await withTemporal(async (client) => {
        const handle = await startSync(client, { taskQueue: cfg.taskQueue, plans: await plans(), maxChanges: cfg.sync.maxChanges, mode: 'drift' });
        return (await handle.result()) as SyncReport;
      });
      stopped(report);
      const rows = entries(report);
      if (options.json) return console.log(JSON.stringify({ ...report, actionable: undefined, reported: undefined, entries: rows }, null, 2));
      if (options.csv) {
        process.stdout.write(
          stringify(
            rows.map((e) => [e.kind, e.source ?? '', e.employeeId ?? '', e.email ?? '', e.openai.userId ?? '', e.openai.inviteId ?? '', e.reason]),
            { header: true, columns: ['kind', 'source', 'employee_id', 'email', 'openai_user_id', 'openai_invite_id', 'reason'] },
          ),
        );
        return;
      }
      if (rows.length > 0) console.log(table(rows));
      console.log(`${summaryLine(report)}${report.unlisted ? `; ${report.unlisted} more not listed` : ''}`);
    });
}
