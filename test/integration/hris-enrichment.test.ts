// Thin webhooks made whole by the HR connectors, end to end with real parts only: a signed
// HiBob or BambooHR event-based webhook carrying only an employee id → the trigger server
// → Temporal (real dev server) → the run's enrichment activity reads the person from the
// HR emulator over HTTP → definitions/onboard-openai.yaml invites them at the OpenAI
// emulator. A BambooHR update whose record shows a termination becomes a departure that
// revokes the invite; a Merge person named by an event of the `merge` source is read
// through the Merge connector the same way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '../../config/index.ts';
import { loadDefinitions, type Plan } from '../../dsl/index.ts';
import type { PendingEvent } from '../../events/index.ts';
import { createConnectors } from '../../hris/index.ts';
import { buildSources, buildTriggerServer, dispatch, signBambooHr, signHiBob } from '../../triggers/index.ts';
import type { DefinitionRunResult } from '../../workflows/index.ts';
import { allText, decodedText } from '../helpers/history.ts';
import { untilState } from '../helpers/engine.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { startHarness, type Harness } from '../helpers/harness.ts';
import { itReplaysEveryWorkflow } from '../helpers/replay-all.ts';

const HIBOB_SECRET = 'hibob-webhook-secret-for-tests';
const BAMBOOHR_SECRET = 'bamboohr-webhook-secret-for-tests';

describe('thin HR webhooks enriched through the HR connectors', () => {
  let h: Harness;
  let app: ReturnType<typeof buildTriggerServer>;
  let url: string;
  let plans: Plan[];
  const log = memoryLogger();
  const stamp = Date.now();

  beforeAll(async () => {
    h = await startHarness({ name: 'hris-enrichment', logger: log.logger, hrisFromEmulator: true, env: { HIBOB_WEBHOOK_SECRET: HIBOB_SECRET, BAMBOOHR_WEBHOOK_SECRET: BAMBOOHR_SECRET } });
    const loaded = loadDefinitions(['definitions']);
    expect(loaded.problems).toEqual([]);
    plans = loaded.plans;
    app = buildTriggerServer({ client: h.temporal.client, taskQueue: h.config.taskQueue, sources: buildSources(h.config.sources, h.config.webhookSecret), plans: () => plans, logger: log.logger });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  async function post(source: string, body: unknown, sign: (raw: string) => Record<string, string>) {
    const raw = JSON.stringify(body);
    const response = await fetch(`${url}/webhooks/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...sign(raw) }, body: raw });
    const answer = (await response.json()) as { events: { workflowId: string; runs: string[] }[] };
    expect(response.status).toBe(202);
    return answer.events[0]!;
  }

  async function finished(event: { workflowId: string; runs: string[] }) {
    await h.temporal.client.workflow.getHandle(event.workflowId).result();
    const results: DefinitionRunResult[] = [];
    for (const run of event.runs) results.push((await h.temporal.client.workflow.getHandle(run).result()) as DefinitionRunResult);
    return results;
  }

  const invitesFor = (email: string) => h.emulator.organization.listInvites().filter((i) => i.email === email);

  it('invites a person seeded in the HiBob emulator from employee.created carrying only the id', async () => {
    const id = `${stamp}1`;
    const email = `rosa.${stamp}@acme.example`;
    h.emulator.hris.put('hibob', id, {
      email,
      firstName: 'Rosa',
      surname: 'Ortiz',
      work: { department: '209192163', startDate: '2026-01-05' },
      internal: { lifecycleStatus: 'employed', status: 'Active', terminationDate: null },
      payroll: { employment: { type: 'Permanent' } },
      humanReadable: { work: { department: 'Finance' }, payroll: { employment: { type: 'Permanent' } } },
    });
    const event = await post('hibob', { companyId: '731902', type: 'employee.created', triggeredBy: 'user', triggeredAt: new Date().toISOString(), version: 'v2', data: { employeeId: id } }, (raw) =>
      signHiBob(new Secret(HIBOB_SECRET), raw),
    );
    expect(event.workflowId).toBe(`employee/hibob/${id}`);
    const [result] = await finished(event);
    expect(result!.status).toBe('done');
    expect(invitesFor(email)).toEqual([expect.objectContaining({ role: 'reader', status: 'pending' })]);
    expect(await h.store.identity('hibob', id)).toMatchObject({ status: 'invited', email });
    // Read from HiBob's API over HTTP, as the service user.
    expect(h.emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain(`POST /hris/hibob/v1/people/${id} 200`);
    // The HR credentials appear in no log line and no history; the enriched email does, once decrypted.
    const raw = await h.temporal.client.workflow.getHandle(event.runs[0]!).fetchHistory();
    expect(allText(raw)).not.toContain(email);
    const history = await decodedText(raw);
    expect(history).toContain(email);
    for (const secret of [h.emulator.hrisCredentials.hibob.token, HIBOB_SECRET]) {
      expect(history).not.toContain(secret);
      expect(log.lines.join('\n')).not.toContain(secret);
    }
  });

  it('invites a person seeded in the BambooHR emulator from an event-based employee.created, then revokes the invite when an update shows the termination', async () => {
    const id = `${stamp}2`;
    const email = `sam.${stamp}@acme.example`;
    const record = { firstName: 'Sam', lastName: 'Lee', workEmail: email, department: 'Sales', status: 'Active', employmentHistoryStatus: 'Full-Time', hireDate: '2025-03-04', terminationDate: '0000-00-00' };
    h.emulator.hris.put('bamboohr', id, record);
    const sign = (raw: string) => signBambooHr(new Secret(BAMBOOHR_SECRET), raw);
    const hired = await post('bamboohr', { type: 'employee.created', timestamp: new Date().toISOString(), data: { companyId: '4242', employeeId: id } }, sign);
    expect((await finished(hired)).map((r) => r.status)).toEqual(['done']);
    const [invite] = invitesFor(email);
    expect(invite).toMatchObject({ status: 'pending' });
    expect(h.emulator.requests.some((r) => r.method === 'GET' && r.path === `/hris/bamboohr/api/v1/employees/${id}` && r.status === 200)).toBe(true);

    // BambooHR records a termination as an update; the record says whether it is one.
    h.emulator.hris.put('bamboohr', id, { ...record, status: 'Inactive', employmentHistoryStatus: 'Terminated', terminationDate: '2026-11-01' });
    const updated = await post('bamboohr', { type: 'employee.updated', timestamp: new Date().toISOString(), data: { companyId: '4242', employeeId: id, changedFields: ['status', 'terminationDate'] } }, sign);
    const results = await finished(updated);
    const offboard = results.find((r) => r.definition === 'offboard-openai');
    expect(offboard).toMatchObject({ status: 'done' });
    expect(invitesFor(email)).toEqual([]);
    const audit = await h.store.audit({ employeeId: id });
    expect(audit.map((a) => [a.definition, a.action, a.outcome])).toEqual(
      expect.arrayContaining([
        ['onboard-openai', 'openai.invite', 'created'],
        ['offboard-openai', 'openai.remove', expect.stringMatching(/^(removed|revoked|deleted)$/)],
      ]),
    );
  });

  it('invites a Merge-listed employee named by a thin event of the merge source', async () => {
    const id = `merge-${stamp}`;
    const email = `kim.${stamp}@acme.example`;
    h.emulator.hris.put('merge', id, {
      remote_id: '1187',
      first_name: 'Kim',
      last_name: 'Park',
      work_email: email,
      employment_status: 'ACTIVE',
      start_date: '2026-02-01T00:00:00Z',
      employments: [{ id: 'emp-1', job_title: 'Engineer', employment_type: 'FULL_TIME', effective_date: '2026-02-01T00:00:00Z' }],
    });
    // The connector the worker uses lists them, with the rest of the directory.
    const connector = createConnectors(h.config).find((c) => c.vendor === 'merge')!;
    const listed = [];
    for await (const page of connector.listPeople()) listed.push(...page);
    await connector.close();
    expect(listed.find((p) => p.id === id)).toMatchObject({ employment: 'active', employee: { email, title: 'Engineer', employmentType: 'full_time', startDate: '2026-02-01' } });

    const event: PendingEvent = { id: `merge.${id}.hired`, type: 'employee.hired', occurredAt: '2026-11-20T10:00:00Z', source: 'merge', employee: { id }, enrichment: { vendor: 'merge', missing: ['email'] } };
    const dispatched = await dispatch(h.temporal.client, h.config.taskQueue, plans, event);
    expect(dispatched).toMatchObject({ outcome: 'accepted', workflowId: `employee/merge/${id}`, deferred: true });
    const [result] = await finished(dispatched);
    expect(result!.status).toBe('done');
    expect(invitesFor(email)).toEqual([expect.objectContaining({ role: 'reader', status: 'pending' })]);
    expect(h.emulator.requests.some((r) => r.path === `/hris/merge/api/hris/v1/employees/${id}` && r.status === 200)).toBe(true);
  });

  it('parks a thin event for a person HR does not have, saying so, without touching OpenAI', async () => {
    const id = `${stamp}404`;
    const before = h.emulator.requests.filter((r) => r.path.startsWith('/v1/organization/invites') && r.method === 'POST').length;
    const event = await post('hibob', { companyId: '731902', type: 'employee.created', triggeredBy: 'user', triggeredAt: new Date().toISOString(), version: 'v2', data: { employeeId: id } }, (raw) =>
      signHiBob(new Secret(HIBOB_SECRET), raw),
    );
    // The run waits for an operator (retry once HR has the person, or cancel) with the reason at the top.
    const state = await untilState(h, event.runs[0]!, (s) => s.status === 'needs-attention', 'parked on enrichment');
    expect(state.attention).toMatchObject({ kind: 'enrichment', skippable: false, error: { type: 'HR_PERSON_NOT_FOUND' } });
    expect(state.attention!.error.message).toContain(`hibob has no employee ${id} (404)`);
    expect(h.emulator.requests.filter((r) => r.path.startsWith('/v1/organization/invites') && r.method === 'POST').length).toBe(before);
    await h.temporal.client.workflow.getHandle(event.runs[0]!).terminate('test over');
    await h.temporal.client.workflow.getHandle(event.workflowId).terminate('test over').catch(() => undefined);
  });

  itReplaysEveryWorkflow(() => h);
});
