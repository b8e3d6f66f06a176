// What an auditor uses: `tenure audit` (the real CLI, as a child process) and
// GET /admin/audit on the real trigger server, over the store on both backends.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Secret } from '../../config/index.ts';
import { AUDIT_CSV_COLUMNS, Store, type AuditEntry, type AuditRecord } from '../../store/index.ts';
import { buildTriggerServer, operatorAuthenticator } from '../../triggers/index.ts';
import { memoryLogger } from '../helpers/logger.ts';
import { BACKENDS, createBackend, POSTGRES_URL, postgresUrlFor, type TestBackend } from '../helpers/store-backends.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';
import { connectTemporal, type TestTemporal } from '../helpers/temporal.ts';

const run = promisify(execFile);
const TOKEN = 'admin-token-for-tests-0123456789';

function entry(n: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const runId = overrides.runId ?? `onboard-openai/E-1001/evt_${n}`;
  return {
    recordKey: `${runId}/${overrides.stepId ?? 'invite'}`,
    runId,
    definition: 'onboard-openai',
    definitionHash: 'f'.repeat(64),
    eventId: `evt_${n}`,
    eventType: 'employee.hired',
    source: 'generic',
    employeeId: 'E-1001',
    stepId: 'invite',
    action: 'openai.invite',
    target: 'ada@example.com',
    outcome: 'created',
    openaiIds: { inviteId: `invite-${n}` },
    ...overrides,
  };
}

async function tenureAudit(databaseUrl: string, args: string[]) {
  const result = await run(process.execPath, ['bin/tenure.js', 'audit', ...args], { env: { ...process.env, TENURE_DATABASE_URL: databaseUrl } }).then(
    (r) => ({ ...r, code: 0 }),
    (error: { stdout: string; stderr: string; code: number }) => error,
  );
  return { code: result.code, stdout: result.stdout, stderr: result.stderr };
}

let temporal: TestTemporal;
beforeAll(async () => {
  temporal = await connectTemporal();
});
afterAll(async () => {
  await temporal?.close();
});

describe.each(BACKENDS)('the audit log for an auditor, on %s', (name) => {
  let backend: TestBackend;
  let store: Store;
  let app: ReturnType<typeof buildTriggerServer>;

  beforeAll(async () => {
    backend = await createBackend(name);
    store = await Store.open(backend.config);
    // A hire and, a month later, the departure, plus another person's hire.
    await store.record(entry(1), new Date('2026-11-01T08:00:00.000Z'));
    await store.record(entry(1, { stepId: 'tell-it', action: 'notify', target: 'it-onboarding', openaiIds: {} }), new Date('2026-11-01T08:00:01.000Z'));
    await store.record(
      entry(2, { runId: 'offboard-openai/E-1001/evt_2', eventType: 'employee.departed', definition: 'offboard-openai', stepId: 'remove', action: 'openai.remove', outcome: 'removed', openaiIds: { userId: 'user-ada' } }),
      new Date('2026-12-01T17:00:00.000Z'),
    );
    await store.record(
      entry(3, { employeeId: 'E-2002', runId: 'onboard-openai/E-2002/evt_3', target: '=HYPERLINK("http://evil.example","x")', outcome: 'failed', openaiIds: {}, errorType: 'OPENAI_INVALID_REQUEST', errorMessage: 'Invalid email, "=1+1"' }),
      new Date('2026-12-02T09:00:00.000Z'),
    );
    app = buildTriggerServer({ client: temporal.client, taskQueue: 'unused', sources: [], plans: () => [], logger: memoryLogger().logger, audit: { store, authenticate: operatorAuthenticator({ operators: [], adminToken: new Secret(TOKEN) }) } });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
    await backend?.drop();
  });

  it('`tenure audit --employee --json` shows the invite and the removal with their outcomes and OpenAI ids', async () => {
    const { code, stdout } = await tenureAudit(backend.databaseUrl, ['--employee', 'E-1001', '--json']);
    expect(code).toBe(0);
    const entries = JSON.parse(stdout) as AuditEntry[];
    expect(entries.map((e) => [e.action, e.outcome, e.openaiIds])).toEqual([
      ['openai.invite', 'created', { inviteId: 'invite-1' }],
      ['notify', 'created', {}],
      ['openai.remove', 'removed', { userId: 'user-ada' }],
    ]);
  });

  it('`tenure audit --csv` writes a header row and guards cells against formulas', async () => {
    const { code, stdout } = await tenureAudit(backend.databaseUrl, ['--csv']);
    expect(code).toBe(0);
    expect(stdout.split('\r\n')[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    const rows = parse(stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(4);
    expect(rows[3]).toMatchObject({ employee_id: 'E-2002', target: `'=HYPERLINK("http://evil.example","x")`, error_message: 'Invalid email, "=1+1"', outcome: 'failed' });
  });

  it('`tenure audit` filters by --since and --action, and prints a line per entry by default', async () => {
    const since = await tenureAudit(backend.databaseUrl, ['--since', '2026-12-01', '--json']);
    expect((JSON.parse(since.stdout) as AuditEntry[]).map((e) => e.eventId)).toEqual(['evt_2', 'evt_3']);
    const action = await tenureAudit(backend.databaseUrl, ['--action', 'openai.remove', '--json']);
    expect((JSON.parse(action.stdout) as AuditEntry[]).map((e) => e.stepId)).toEqual(['remove']);
    const human = await tenureAudit(backend.databaseUrl, ['--employee', 'E-1001', '--action', 'openai.invite']);
    expect(human.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^2026-11-01T08:00:00.000Z {2}generic\/E-1001 {2}openai\.invite {2}ada@example\.com {2}CREATED {2}inviteId=invite-1 /), '1 entry']);
  });

  it('`tenure audit` refuses a bad date, and --json with --csv, with a non-zero exit', async () => {
    const badDate = await tenureAudit(backend.databaseUrl, ['--since', '2026-02-30']);
    expect(badDate.code).not.toBe(0);
    expect(badDate.stderr).toContain('--since');
    const both = await tenureAudit(backend.databaseUrl, ['--json', '--csv']);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--csv');
  });

  it('GET /admin/audit needs the admin token', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const res = await app.inject({ method: 'GET', url: '/admin/audit', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
    // The token guards the admin routes only; webhooks keep their own checks.
    const webhook = await app.inject({ method: 'POST', url: '/webhooks/generic', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(webhook.statusCode).toBe(404);
    expect(webhook.json()).toMatchObject({ error: { code: 'UNKNOWN_SOURCE' } });
  });

  it('GET /admin/audit answers JSON in pages and CSV in full', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const first = await app.inject({ method: 'GET', url: '/admin/audit?employee=E-1001&limit=2', headers: auth });
    expect(first.statusCode).toBe(200);
    const page1 = first.json() as { entries: AuditEntry[]; next: number | null };
    expect(page1.entries.map((e) => e.stepId)).toEqual(['invite', 'tell-it']);
    expect(page1.next).toBe(page1.entries[1]!.id);
    const page2 = (await app.inject({ method: 'GET', url: `/admin/audit?employee=E-1001&limit=2&after=${page1.next}`, headers: auth })).json() as typeof page1;
    expect(page2).toEqual({ entries: [expect.objectContaining({ action: 'openai.remove', outcome: 'removed', openaiIds: { userId: 'user-ada' } })], next: null });

    const csv = await app.inject({ method: 'GET', url: '/admin/audit?format=csv&since=2026-12-01T00:00:00Z', headers: auth });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.event_id)).toEqual(['evt_2', 'evt_3']);
  });

  it('GET /admin/audit refuses a bad query with 400 and the parameter', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const [query, param] of [
      ['since=last-week', 'since'],
      ['format=xml', 'format'],
      ['limit=0', 'limit'],
      ['employe=E-1001', 'employe'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url: `/admin/audit?${query}`, headers: auth });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'INVALID_QUERY', param } });
    }
  });
});

describe('GET /admin/audit with the store down', () => {
  it('answers 503 with Retry-After, then 200 once the store is back', async () => {
    const backend = await createBackend('postgres');
    const pgUrl = new URL(POSTGRES_URL);
    const proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const viaProxy = new URL(postgresUrlFor(backend.schema!));
    viaProxy.port = String(proxy.port);
    const store = await Store.open({ kind: 'postgres', url: new Secret(viaProxy.toString()) });
    const app = buildTriggerServer({ client: temporal.client, taskQueue: 'unused', sources: [], plans: () => [], logger: memoryLogger().logger, audit: { store, authenticate: operatorAuthenticator({ operators: [], adminToken: new Secret(TOKEN) }) } });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      await proxy.down();
      for (const url of ['/admin/audit', '/admin/audit?format=csv']) {
        const res = await app.inject({ method: 'GET', url, headers: auth });
        expect(res.statusCode).toBe(503);
        expect(res.headers['retry-after']).toBe('30');
        expect(res.json()).toMatchObject({ error: { code: 'STORE_UNAVAILABLE' } });
      }
      await proxy.up();
      const res = await app.inject({ method: 'GET', url: '/admin/audit', headers: auth });
      expect(res.statusCode).toBe(200);
    } finally {
      await app.close();
      await store.close();
      await proxy.down();
      await backend.drop();
    }
  });
});
