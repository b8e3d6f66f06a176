import { ActivityFailure, ApplicationFailure, condition, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { SyncActivities } from '../sync/activities.ts';
import { SEARCH_ATTRIBUTES, type RunStatus } from './search-attributes.ts';
import {
  syncDecisionUpdate,
  syncStateQuery,
  type SyncDecision,
  type SyncDecisionRefusal,
  type SyncFindings,
  type SyncInput,
  type SyncKind,
  type SyncReport,
  type SyncState,
} from './sync-messages.ts';

export * from './sync-messages.ts';

const reader = proxyActivities<SyncActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '2m',
  // HR failures are non-retryable (the connectors retry on their own); store and OpenAI hiccups are retried.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 },
  summary: 'read HR, OpenAI and the identity map; classify',
});

const deliverer = proxyActivities<SyncActivities>({
  startToCloseTimeout: '15m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'deliver events to the people\'s entity workflows',
});

const recorder = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  summary: 'record the sync\'s decision',
});

const DEFAULT_LIST_LIMIT = 2000;
const KIND_ORDER: SyncKind[] = ['missed-departure', 'missed-hire', 'expired-invite', 'unmanaged', 'in-sync'];

function countsLine(findings: SyncFindings): string {
  const hr = Object.entries(findings.hr).map(([s, n]) => `${s} ${n}`).join(', ');
  const kinds = KIND_ORDER.map((k) => `${findings.counts[k]} ${k}`).join(', ');
  return `HR: ${hr}; OpenAI: ${findings.openai.members} members, ${findings.openai.invites} pending invites. ${kinds}.`;
}

/**
 * One sync (`sync/…`) or drift report (`drift/…`): reads HR, OpenAI and the identity map
 * in an activity (which also adopts members matched by email), then delivers every
 * actionable difference to that person's entity workflow as an event, so definitions
 * decide what happens. Only counts and the actionable list pass through here.
 *
 * Guards: HR unreadable, empty or shrunk → the sync stops, nothing is acted on. More
 * actionable people than `maxChanges` → it acts on nobody and waits as `needs-attention`
 * for the `decideSync` Update (approve or reject), recorded in the audit log.
 */
export async function syncWorkflow(input: SyncInput): Promise<SyncReport> {
  const syncId = workflowInfo().workflowId;
  const state: SyncState = { phase: 'reading', findings: null, maxChanges: input.maxChanges };
  let decision: (SyncDecision & { at: string }) | undefined;

  setHandler(syncStateQuery, () => state);
  setHandler(
    syncDecisionUpdate,
    (asked) => {
      decision = { approve: asked.approve, by: asked.by, ...(asked.reason !== undefined ? { reason: asked.reason } : {}), at: new Date().toISOString() };
      return decision;
    },
    {
      validator: (asked) => {
        const refuse = (type: SyncDecisionRefusal, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
        if (state.phase !== 'needs-attention' || decision) throw refuse('NOT_WAITING', `${syncId} is not waiting for a decision (it is ${decision ? 'already decided' : state.phase})`);
        if (typeof asked?.approve !== 'boolean') throw refuse('INVALID_DECISION', 'a decision needs approve: true or false');
        if (typeof asked.by !== 'string' || asked.by.trim() === '' || asked.by.length > 64) throw refuse('INVALID_DECISION', 'a decision needs `by`: who decides (1 to 64 characters; recorded in the audit log)');
        if (asked.reason !== undefined && (typeof asked.reason !== 'string' || asked.reason.length > 200)) throw refuse('INVALID_DECISION', 'reason: at most 200 characters (recorded in the audit log)');
        const findings = state.findings!;
        const total = KIND_ORDER.filter((k) => k !== 'unmanaged' && k !== 'in-sync').reduce((n, k) => n + findings.counts[k], 0);
        if (asked.approve && findings.actionable.length < total) {
          throw refuse('TOO_MANY_TO_APPROVE', `this sync found ${total} people to act on, more than one sync carries (${findings.actionable.length}); it cannot be approved. Check HR, or act in smaller steps.`);
        }
      },
    },
  );

  const status = (value: RunStatus) => upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value }]);
  await status('running');
  setCurrentDetails(`**${input.mode === 'drift' ? 'Drift report' : 'Sync'}**: reading HR, OpenAI and the identity map…`);

  const report: SyncReport = { syncId, mode: input.mode, status: input.mode === 'drift' ? 'drift' : 'done' };
  let findings: SyncFindings;
  try {
    findings = await reader.syncClassify({ syncId, plans: input.plans, maxChanges: input.maxChanges, mode: input.mode, listLimit: input.listLimit ?? DEFAULT_LIST_LIMIT });
  } catch (error) {
    const cause = error instanceof ActivityFailure ? error.cause : error;
    const type = cause instanceof ApplicationFailure ? (cause.type ?? 'SYNC_FAILED') : 'HR_API_UNAVAILABLE';
    const message = (cause as Error)?.message ?? String(cause);
    report.status = 'stopped';
    report.stopped = { type, message };
    state.phase = 'finished';
    if (input.mode === 'sync') await record('stop', 'failed', { errorType: type, errorMessage: `sync stopped, nothing was acted on: ${message}` });
    setCurrentDetails(`**Stopped** (${type}): ${message}`);
    await status('failed');
    return report;
  }
  state.findings = findings;
  Object.assign(report, findings);
  const actionableCount = findings.counts['missed-hire'] + findings.counts['missed-departure'] + findings.counts['expired-invite'];

  if (input.mode === 'drift') {
    state.phase = 'finished';
    setCurrentDetails(`**Drift report** (nothing acted on). ${countsLine(findings)}`);
    await status('done');
    return report;
  }

  let toAct = findings.actionable;
  if (actionableCount > input.maxChanges) {
    state.phase = 'needs-attention';
    await status('needs-attention');
    setCurrentDetails(
      [
        `**Needs attention**: this sync would act on ${actionableCount} people, more than TENURE_SYNC_MAX_CHANGES (${input.maxChanges}); nobody was acted on.`,
        countsLine(findings),
        ...findings.actionable.slice(0, 50).map((e) => `- ${e.kind} ${e.source}/${e.employeeId} ${e.email ?? ''}: ${e.reason}`),
        `\`tenure sync approve ${syncId} --reason "…"\` acts on them; \`tenure sync reject ${syncId}\` acts on nobody (Update \`decideSync\`).`,
      ].join('\n'),
    );
    await condition(() => decision !== undefined);
    report.decision = decision!;
    await record('guard', decision!.approve ? 'approved' : 'rejected', {
      actor: decision!.by,
      reason: `held: ${actionableCount} people to act on, more than TENURE_SYNC_MAX_CHANGES (${input.maxChanges})${decision!.reason ? `; ${decision!.reason}` : ''}`,
    });
    if (!decision!.approve) {
      toAct = [];
      report.status = 'rejected';
    }
  }

  state.phase = 'delivering';
  await status('running');
  if (toAct.length > 0) {
    setCurrentDetails(`**Sync**: delivering ${toAct.length} events. ${countsLine(findings)}`);
    report.delivery = await deliverer.syncDeliver({ syncId, plans: input.plans, entries: toAct });
  }
  // The list goes back without the events: they are in the people's entity workflows now.
  report.actionable = findings.actionable.map(({ event: _event, ...entry }) => entry);
  await reader.syncFinish({
    syncId,
    status: report.status,
    hr: findings.hr,
    summary: { counts: findings.counts, openai: findings.openai, adopted: findings.adopted, ...(report.delivery ? { delivery: report.delivery } : {}), ...(report.decision ? { decision: report.decision } : {}) },
  });
  state.phase = 'finished';
  const d = report.delivery;
  setCurrentDetails(
    [
      `**Sync ${report.status}**. ${countsLine(findings)}`,
      d ? `Delivered ${d.delivered}, already delivered ${d.duplicates}, no definition ${d.unmatched}, failed ${d.failed.length}.` : report.status === 'rejected' ? 'Rejected: nobody was acted on.' : 'Nothing to act on.',
      `Adopted ${findings.adopted} existing members into the identity map.`,
    ].join('\n\n'),
  );
  await status(d && d.failed.length > 0 ? 'failed' : 'done');
  return report;

  async function record(stepId: string, outcome: 'failed' | 'approved' | 'rejected', why: { errorType?: string; errorMessage?: string; actor?: string; reason?: string }): Promise<void> {
    await recorder.recordOutcome({
      recordKey: `${syncId}/${stepId}`,
      runId: syncId,
      definition: 'sync',
      definitionHash: '',
      eventId: syncId,
      eventType: 'sync',
      source: 'sync',
      employeeId: '-',
      stepId,
      action: `sync.${stepId}`,
      target: null,
      outcome,
      openaiIds: {},
      ...why,
    });
  }
}
