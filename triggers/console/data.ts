import type { Client } from '@temporalio/client';
import type { Plan, Problem } from '../../dsl/index.ts';
import type { ConsoleReader, Identity, SyncRun } from '../../store/index.ts';
import { RUN_STATUSES, SEARCH_ATTRIBUTES, type Attention, type RunState, type SyncEntry, type SyncReport } from '../../workflows/shared.ts';
import { describeRun, listRuns, RunOperationError, summarize, type RunSummary } from '../admin/operations.ts';

/** What the console's pages read, apart from the store: Temporal, and the definitions in force. */
export interface ConsoleSources {
  client: Client;
  store: ConsoleReader;
  /** The definitions in force and the problems of the last (re)load. */
  definitions: () => { plans: readonly Plan[]; problems: readonly Problem[] };
}

/** A run that needs a person, with its live state (or why it could not be read). */
export interface NeedsPerson {
  run: RunSummary;
  state: RunState | null;
  /** Why the state is missing (NO_WORKER…). */
  unreadable: string | null;
  fix: string | null;
}

/** What an operator can do about a parked step, by the failure's type. */
export function fixFor(attention: Attention): string {
  const type = attention.error.type;
  if (attention.kind === 'enrichment') return 'The HR system could not be read for this person: check the HR connector (its credentials, its reachability), then retry, or abort the run.';
  if (/^OPENAI_(UNAVAILABLE|RATE_LIMITED|TIMEOUT)/.test(type)) return 'OpenAI did not answer in time: retry once it does (status.openai.com).';
  if (/^OPENAI_(UNAUTHORIZED|FORBIDDEN|AUTH)/.test(type)) return 'OpenAI refused the admin key: check OPENAI_ADMIN_KEY, then retry.';
  if (type.startsWith('OPENAI_')) return 'OpenAI refused the request for this person (see the message): correct the person or the definition, then retry; skip if the step need not happen; abort to end the run.';
  if (/^(EXPRESSION_FAILED|EXPRESSION_BUDGET|BAD_EXPRESSION|BAD_WAIT_TARGET)$/.test(type)) return 'An expression of the definition failed on this person\'s data: fix the HR record or the definition (a new event runs the new version), then skip or abort this run.';
  if (/^STORE_/.test(type)) return 'The results store could not record the step: check the store (TENURE_DATABASE_URL), then retry.';
  return 'Fix the cause the message names, then retry; skip if the step need not happen; abort to end the run.';
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index] as T);
      }
    }),
  );
  return results;
}

/** How long the Needs a person page asks runs for their state before it shows the rest unread, ms. */
const STATE_BUDGET_MS = 8_000;

/**
 * Parked runs, and runs waiting for an approval, each with its live state. A run whose state
 * cannot be read (no worker polls its task queue, it closed meanwhile) is listed with the
 * reason instead; runs not yet asked once the budget is spent are listed unread, so a page
 * full of runs nobody answers for still comes back.
 */
export async function needsAPerson(client: Client, options: { limit?: number; budgetMs?: number; log?: (workflowId: string, error: unknown) => void } = {}): Promise<{ parked: NeedsPerson[]; approvals: NeedsPerson[] }> {
  const limit = options.limit ?? 100;
  const [parked, waiting] = await Promise.all([listRuns(client, { status: 'needs-attention', limit }), listRuns(client, { status: 'waiting', limit })]);
  const deadline = Date.now() + (options.budgetMs ?? STATE_BUDGET_MS);
  const read = async (run: RunSummary): Promise<NeedsPerson> => {
    if (Date.now() > deadline) return { run, state: null, unreadable: 'not asked: other runs took too long to answer; reload, or start a worker (`tenure worker`) if none is running', fix: null };
    try {
      const { state } = await describeRun(client, run.workflowId);
      return { run, state, unreadable: null, fix: state?.attention ? fixFor(state.attention) : null };
    } catch (error) {
      options.log?.(run.workflowId, error);
      const message = error instanceof RunOperationError ? `${error.code}: ${error.message}` : `its state could not be read (${(error as Error).name})`;
      return { run, state: null, unreadable: message, fix: null };
    }
  };
  const [p, w] = await Promise.all([mapLimited(parked, 8, read), mapLimited(waiting, 8, read)]);
  const readFirst = (a: NeedsPerson, b: NeedsPerson) => Number(a.state === null) - Number(b.state === null);
  return {
    parked: p.filter((n) => n.state === null || n.state.status === 'needs-attention').sort(readFirst),
    // A waiting run waits for a date or for an approval: only the approvals need a person.
    approvals: w.filter((n) => n.state?.awaitingApproval || n.state === null).sort(readFirst),
  };
}

// Visibility queries take quoted literals; ids that could close the quote are left out of the look-up.
const SAFE_VALUE = /^[^'"\\\p{Cc}]{1,256}$/u;

/** Open runs of these people (by employee id), from one visibility query. */
export async function openRunsOf(client: Client, employeeIds: readonly string[]): Promise<Map<string, RunSummary[]>> {
  const found = new Map<string, RunSummary[]>();
  const ids = [...new Set(employeeIds)].filter((id) => SAFE_VALUE.test(id));
  if (ids.length === 0) return found;
  const query = `WorkflowType = 'definitionRun' AND ExecutionStatus = 'Running' AND ${SEARCH_ATTRIBUTES.employeeId.name} IN (${ids.map((id) => `'${id}'`).join(', ')})`;
  await client.withDeadline(Date.now() + 10_000, async () => {
    let seen = 0;
    for await (const info of client.workflow.list({ query, pageSize: 100 })) {
      const run = summarize(info);
      if (run.employeeId) found.set(run.employeeId, [...(found.get(run.employeeId) ?? []), run]);
      if (++seen >= 1000) break;
    }
  });
  return found;
}

/** What the People page shows of a person's OpenAI access. */
export function openaiAccess(identity: Identity): 'member' | 'invited' | 'none' {
  if (identity.status === 'active') return 'member';
  if (identity.status === 'invited') return 'invited';
  return 'none';
}

/** The later of the identity map's last change and the last HR event. */
export function lastChange(identity: Identity): string {
  return identity.hrEventAt && identity.hrEventAt > identity.updatedAt ? identity.hrEventAt : identity.updatedAt;
}

export function isRunStatus(value: string): boolean {
  return (RUN_STATUSES as readonly string[]).includes(value);
}

/** The newest sync the store kept, and the entries of the newest finished sync or drift report in Temporal. */
export async function latestDrift(client: Client, store: ConsoleReader): Promise<{ sync: SyncRun | undefined; report: SyncReport | null; entries: SyncEntry[]; unreadable: string | null }> {
  const sync = await store.lastSyncRun();
  try {
    const report = await client.withDeadline(Date.now() + 10_000, async () => {
      for await (const info of client.workflow.list({ query: "WorkflowType = 'syncWorkflow' AND ExecutionStatus = 'Completed'", pageSize: 1 })) {
        return (await client.workflow.getHandle(info.workflowId, info.runId).result()) as SyncReport;
      }
      return null;
    });
    const entries = report ? [...(report.actionable ?? []), ...(report.reported ?? [])] : [];
    return { sync, report, entries, unreadable: null };
  } catch (error) {
    return { sync, report: null, entries: [], unreadable: (error as Error).message };
  }
}
