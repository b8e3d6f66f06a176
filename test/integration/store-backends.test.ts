// One suite, two backends: every behaviour of the results store is checked on a SQLite
// file and on the local PostgreSQL (a fresh schema per run, dropped afterwards).
import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ACTIONS, type ActionName } from '../../activities/index.ts';
import { Secret } from '../../config/index.ts';
import {
  Store,
  StoreError,
  StoreInputError,
  StoreSchemaError,
  LIMITS,
  type AuditRecord,
  type Identity,
} from '../../store/index.ts';
import { auditLog } from '../../store/migrations/0001-audit-log.ts';
import { knownMigrations } from '../../store/migrations/index.ts';
import { openSqlite } from '../../store/sqlite.ts';
import { freePort } from '../helpers/ports.ts';
import { BACKENDS, createBackend, openStoreOn, POSTGRES_URL } from '../helpers/store-backends.ts';

let sequence = 0;
function entry(overrides: Partial<AuditRecord> = {}): AuditRecord {
  sequence++;
  const runId = overrides.runId ?? `onboard/E-${sequence}/evt_${sequence}`;
  const stepId = overrides.stepId ?? 'invite';
  const record: AuditRecord = {
    recordKey: `${runId}/${stepId}`,
    runId,
    definition: 'onboard',
    definitionHash: 'a'.repeat(64),
    eventId: `evt_${sequence}`,
    eventType: 'employee.hired',
    source: 'generic',
    employeeId: `E-${sequence}`,
    stepId,
    action: 'openai.invite',
    target: `person${sequence}@example.com`,
    outcome: 'created',
    openaiIds: { inviteId: `invite-${sequence}` },
    ...overrides,
  };
  // The identity change the action declares, as the engine records it with the row.
  const declared = (ACTIONS as Partial<Record<string, (typeof ACTIONS)[ActionName]>>)[record.action];
  const succeeded = record.outcome === 'created' || record.outcome === 'updated' || record.outcome === 'removed' || record.outcome === 'noop';
  if ('identity' in overrides || !declared || !succeeded) return record;
  return { ...record, identity: declared.identity({ outcome: record.outcome as 'created', target: record.target, openaiIds: record.openaiIds }) };
}

const at = (iso: string) => new Date(iso);

type WriterResult = { key: string; written?: boolean; error?: string };

/**
 * Starts one `store-writer` process per batch against the same database, waits until
 * every one has opened the store, then tells them all to write at once.
 */
async function raceWriters(databaseUrl: string, batches: AuditRecord[][]): Promise<WriterResult[][]> {
  const children = batches.map((batch) =>
    spawn(process.execPath, ['test/helpers/store-writer.ts', JSON.stringify(batch)], {
      env: { ...process.env, TENURE_DATABASE_URL: databaseUrl },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const outputs = children.map((child) => createInterface({ input: child.stdout! })[Symbol.asyncIterator]());
  for (const lines of outputs) expect((await lines.next()).value).toBe('ready');
  for (const child of children) child.stdin!.write('go\n');
  const results: WriterResult[][] = [];
  for (const lines of outputs) results.push(JSON.parse((await lines.next()).value as string) as WriterResult[]);
  await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : once(child, 'exit'))));
  return results;
}

describe.each(BACKENDS)('results store on %s', (name) => {
  const opened = openStoreOn(name);

  it('keeps one row for a retried write, and applies its identity change once', async () => {
    const first = entry();
    expect(await opened.store.record(first, at('2026-11-01T10:00:00.000Z'))).toBe(true);
    // A retry after a write that committed: same key, later clock, even a different outcome.
    expect(await opened.store.record({ ...first, outcome: 'noop', openaiIds: { inviteId: 'invite-other' } }, at('2026-11-01T10:05:00.000Z'))).toBe(false);

    const rows = await opened.store.audit({ employeeId: first.employeeId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'created', openaiIds: { inviteId: first.openaiIds.inviteId }, recordedAt: '2026-11-01T10:00:00.000Z', actor: null });
    expect(await opened.store.identity('generic', first.employeeId)).toMatchObject({ status: 'invited', inviteId: first.openaiIds.inviteId, updatedAt: '2026-11-01T10:00:00.000Z' });
  });

  it('writes exactly one row when several processes record the same key at once', async () => {
    const same = entry();
    const employeeId = `E-many-${sequence}`;
    const distinct = (writer: number) =>
      Array.from({ length: 4 }, (_, i) => entry({ employeeId, runId: `notify/${employeeId}/evt_${writer}_${i}`, action: 'notify', target: 'it', openaiIds: {} }));
    // Each writer records the same entry three times and four entries of its own, all at once.
    const results = await raceWriters(opened.backend.databaseUrl, [0, 1, 2].map((w) => [same, same, same, ...distinct(w)]));
    const all = results.flat();
    expect(all.filter((r) => r.error !== undefined)).toEqual([]);
    expect(all.filter((r) => r.key === same.recordKey && r.written)).toHaveLength(1);
    expect(all.filter((r) => r.key !== same.recordKey && r.written)).toHaveLength(12);
    expect(await opened.store.audit({ runId: same.runId })).toHaveLength(1);
    expect(await opened.store.audit({ employeeId })).toHaveLength(12);
    expect(await opened.store.identity('generic', same.employeeId)).toMatchObject({ status: 'invited', inviteId: same.openaiIds.inviteId });
  });

  it('follows a person through hire, acceptance, departure and rehire in the identity map', async () => {
    const employeeId = `E-life-${sequence}`;
    const email = `life${sequence}@example.com`;
    const step = (stepId: string, o: Partial<AuditRecord>, time: string) =>
      opened.store.record(entry({ employeeId, runId: `run-${employeeId}-${stepId}`, stepId, target: email, ...o }), at(time));
    const identity = async () => (await opened.store.identity('generic', employeeId)) as Identity;

    expect(await opened.store.identity('generic', employeeId)).toBeUndefined();
    await step('invite', { action: 'openai.invite', outcome: 'created', openaiIds: { inviteId: 'invite-a' } }, '2026-11-01T08:00:00.000Z');
    expect(await identity()).toEqual({
      source: 'generic',
      employeeId,
      email,
      openaiUserId: null,
      inviteId: 'invite-a',
      scimId: null,
      status: 'invited',
      updatedAt: '2026-11-01T08:00:00.000Z',
      hrStatus: null,
      hrEventAt: null,
    });

    await step('accept', { action: 'openai.awaitAcceptance', outcome: 'updated', openaiIds: { userId: 'user-a' } }, '2026-11-02T08:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'active', openaiUserId: 'user-a', inviteId: 'invite-a' });

    // A failed removal changes nothing: the audit row says what happened.
    await step('remove-fails', { action: 'openai.remove', outcome: 'failed', openaiIds: {}, errorType: 'OPENAI_UNAVAILABLE', errorMessage: 'HTTP 503' }, '2026-12-01T08:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'active', updatedAt: '2026-11-02T08:00:00.000Z' });

    await step('remove', { action: 'openai.remove', outcome: 'removed', openaiIds: { userId: 'user-a' } }, '2026-12-01T09:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'removed', openaiUserId: 'user-a', inviteId: 'invite-a' });

    // Rehired: a fresh invite, and the old user id is no longer theirs.
    await step('reinvite', { action: 'openai.invite', outcome: 'created', openaiIds: { inviteId: 'invite-b' } }, '2027-03-01T08:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'invited', openaiUserId: null, inviteId: 'invite-b' });

    await step('scim', { action: 'openai.scim.deactivate', outcome: 'updated', openaiIds: { scimId: 'scim-9' } }, '2027-04-01T08:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'deactivated', scimId: 'scim-9', inviteId: 'invite-b' });

    // Same employee id from another HR source is another person.
    expect(await opened.store.identity('bamboohr', employeeId)).toBeUndefined();
  });

  it('applies identity changes in the order OpenAI saw them, whatever order their rows arrive in', async () => {
    const employeeId = `E-late-${sequence}`;
    const step = (stepId: string, o: Partial<AuditRecord>, observedAt: string | undefined, recorded: string) => {
      const row = entry({ employeeId, runId: `run-${employeeId}-${stepId}`, stepId, ...o });
      return opened.store.record({ ...row, identity: row.identity && { ...row.identity, ...(observedAt ? { observedAt } : {}) } }, at(recorded));
    };
    const identity = async () => (await opened.store.identity('generic', employeeId)) as Identity;

    // The invite was seen at 08:00:01 but its row was retried after a crash and arrives after the removal's.
    await step('remove', { action: 'openai.remove', outcome: 'removed', openaiIds: { inviteId: 'invite-a' } }, '2026-11-01T08:00:05.000Z', '2026-11-01T08:00:06.000Z');
    expect(await step('invite', { action: 'openai.invite', outcome: 'created', openaiIds: { inviteId: 'invite-a' } }, '2026-11-01T08:00:01.000Z', '2026-11-01T08:00:20.000Z')).toBe(true);
    expect(await identity()).toMatchObject({ status: 'removed', inviteId: 'invite-a', updatedAt: '2026-11-01T08:00:06.000Z' });
    // The audit log keeps both rows: it says what happened, in the order it was recorded.
    expect((await opened.store.audit({ employeeId })).map((r) => `${r.action} ${r.outcome}`)).toEqual(['openai.remove removed', 'openai.invite created']);

    // A later invite applies; the same instant applies too (the later row wins a tie); an offset is compared as the instant it is.
    await step('reinvite', { action: 'openai.invite', outcome: 'created', openaiIds: { inviteId: 'invite-b' } }, '2026-11-02T09:00:00+01:00', '2026-11-02T08:00:01.000Z');
    expect(await identity()).toMatchObject({ status: 'invited', inviteId: 'invite-b' });
    await step('stale-remove', { action: 'openai.remove', outcome: 'removed', openaiIds: {} }, '2026-11-02T07:59:59.999Z', '2026-11-02T08:00:02.000Z');
    expect(await identity()).toMatchObject({ status: 'invited', inviteId: 'invite-b' });
    await step('same-instant', { action: 'openai.remove', outcome: 'removed', openaiIds: {} }, '2026-11-02T08:00:00.000Z', '2026-11-02T08:00:03.000Z');
    expect(await identity()).toMatchObject({ status: 'removed' });

    // A change recorded without the time (by a run started before it was kept) applies as it arrives.
    await step('old-run', { action: 'openai.invite', outcome: 'created', openaiIds: { inviteId: 'invite-c' } }, undefined, '2026-11-03T08:00:00.000Z');
    expect(await identity()).toMatchObject({ status: 'invited', inviteId: 'invite-c' });
  });

  it('notes what HR says in event order, and finds departed people who still hold access', async () => {
    const note = (employeeId: string, eventType: string, occurredAt: string, eventId = `evt_${employeeId}_${occurredAt}`) =>
      opened.store.noteHrEvent({ source: 'hr', employeeId, email: `${employeeId.toLowerCase()}@example.com`, eventId, eventType, occurredAt });
    // Known to HR before Tenure gave them anything.
    expect(await note('N-1', 'employee.hired', '2026-11-01T09:00:00Z')).toBe(true);
    expect(await opened.store.identity('hr', 'N-1')).toMatchObject({ status: 'none', hrStatus: 'employed', email: 'n-1@example.com' });
    // Invited, then departed: has access and has left.
    await opened.store.record(entry({ source: 'hr', employeeId: 'N-1', recordKey: 'r/N-1/invite', runId: 'r/N-1', action: 'openai.invite', outcome: 'created', target: 'n-1@example.com', openaiIds: { inviteId: 'invite-n1' } }));
    expect(await note('N-1', 'employee.departed', '2026-11-20T17:00:00+01:00')).toBe(true);
    // A late, older event does not undo the departure, and neither does a newer update.
    expect(await note('N-1', 'employee.updated', '2026-11-10T09:00:00Z')).toBe(false);
    expect(await note('N-1', 'employee.updated', '2026-11-22T09:00:00Z')).toBe(true);
    expect(await opened.store.identity('hr', 'N-1')).toMatchObject({ status: 'invited', hrStatus: 'departed', hrEventAt: '2026-11-20T16:00:00.000Z' });
    // Departed with nothing at OpenAI, and employed with access: neither is a reconciliation target.
    await note('N-2', 'employee.departed', '2026-11-20T09:00:00Z');
    await opened.store.record(entry({ source: 'hr', employeeId: 'N-3', recordKey: 'r/N-3/invite', runId: 'r/N-3', action: 'openai.invite', outcome: 'created', target: 'n-3@example.com', openaiIds: { inviteId: 'invite-n3' } }));
    await note('N-3', 'employee.hired', '2026-11-01T09:00:00Z');
    expect((await opened.store.departedWithAccess()).map((i) => [i.employeeId, i.status, i.inviteId])).toEqual([['N-1', 'invited', 'invite-n1']]);
    // Removed at OpenAI: reconciled.
    await opened.store.record(entry({ source: 'hr', employeeId: 'N-1', recordKey: 'r/N-1/remove', runId: 'r/N-1', action: 'openai.remove', outcome: 'removed', target: 'n-1@example.com', openaiIds: { inviteId: 'invite-n1' } }));
    expect(await opened.store.departedWithAccess()).toEqual([]);
    await expect(note('N-4', 'employee.hired', 'yesterday')).rejects.toMatchObject({ field: 'occurredAt' });
  });

  it('leaves the identity map alone for failures, approvals and notifications', async () => {
    const employeeId = `E-quiet-${sequence}`;
    await opened.store.record(entry({ employeeId, stepId: 'invite', outcome: 'failed', openaiIds: {}, errorType: 'OPENAI_AUTH', errorMessage: 'invalid key' }));
    await opened.store.record(entry({ employeeId, stepId: 'approve', action: 'approval', outcome: 'approved', target: null, openaiIds: {}, actor: 'grace@example.com', reason: 'team lead, "urgent"' }));
    await opened.store.record(entry({ employeeId, stepId: 'tell-it', action: 'notify', outcome: 'created', target: 'it-onboarding', openaiIds: {} }));
    expect(await opened.store.identity('generic', employeeId)).toBeUndefined();
    const rows = await opened.store.audit({ employeeId });
    // Who decided and why, each in a column of its own.
    expect(rows.map((r) => [r.stepId, r.outcome, r.errorType, r.actor, r.reason])).toEqual([
      ['invite', 'failed', 'OPENAI_AUTH', null, null],
      ['approve', 'approved', null, 'grace@example.com', 'team lead, "urgent"'],
      ['tell-it', 'created', null, null, null],
    ]);
    expect(await opened.backend.rows(`SELECT actor, reason FROM audit_log WHERE employee_id = '${employeeId}' AND step_id = 'approve'`)).toEqual([{ actor: 'grace@example.com', reason: 'team lead, "urgent"' }]);
  });

  it('selects by employee, source, action and since, oldest first, and pages through everything', async () => {
    const employeeId = `E-query-${sequence}`;
    const times = ['2026-10-01T00:00:00.000Z', '2026-10-15T12:00:00.000Z', '2026-11-01T00:00:00.000Z', '2026-11-20T09:30:00.000Z', '2026-12-01T00:00:00.000Z'];
    for (const [i, time] of times.entries()) {
      await opened.store.record(entry({ employeeId, stepId: `s${i}`, runId: `run-${employeeId}`, action: i % 2 === 0 ? 'openai.invite' : 'notify', openaiIds: {} }), at(time));
    }
    await opened.store.record(entry({ employeeId, source: 'hibob', runId: `run-${employeeId}-hibob` }), at('2026-12-02T00:00:00.000Z'));

    expect((await opened.store.audit({ employeeId, source: 'generic' })).map((r) => r.stepId)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect((await opened.store.audit({ employeeId, source: 'generic', action: 'notify' })).map((r) => r.stepId)).toEqual(['s1', 's3']);
    expect((await opened.store.audit({ employeeId, source: 'generic', since: at('2026-11-01T00:00:00Z') })).map((r) => r.stepId)).toEqual(['s2', 's3', 's4']);
    expect((await opened.store.audit({ employeeId, since: at('2026-11-20T09:30:00.001Z') })).map((r) => [r.source, r.stepId])).toEqual([
      ['generic', 's4'],
      ['hibob', 'invite'],
    ]);
    expect(await opened.store.audit({ employeeId: 'nobody' })).toEqual([]);

    const paged: string[] = [];
    for await (const row of opened.store.auditRows({ employeeId, source: 'generic' }, 2)) paged.push(row.stepId);
    expect(paged).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('refuses to change or delete audit rows, in the database itself', async () => {
    const kept = entry();
    await opened.store.record(kept);
    await expect(opened.backend.exec(`UPDATE audit_log SET outcome = 'noop' WHERE record_key = '${kept.recordKey}'`)).rejects.toThrow();
    await expect(opened.backend.exec(`DELETE FROM audit_log WHERE record_key = '${kept.recordKey}'`)).rejects.toThrow();
    if (name === 'postgres') await expect(opened.backend.exec('TRUNCATE audit_log')).rejects.toThrow();
    else await expect(opened.backend.exec('DELETE FROM audit_log')).rejects.toThrow();
    const rows = await opened.store.audit({ runId: kept.runId });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('created');
    // The identity map is current state, not history: it may change.
    await expect(opened.backend.exec(`UPDATE identities SET status = 'active' WHERE employee_id = '${kept.employeeId}'`)).resolves.toBeUndefined();
  });

  it('refuses the same records on both backends and cuts long error messages', async () => {
    const tooLong = (n: number) => 'x'.repeat(n + 1);
    const refused = async (record: AuditRecord) => {
      const error = await opened.store.record(record).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreInputError);
      return [(error as StoreInputError).code, (error as StoreInputError).field];
    };
    expect(await refused(entry({ stepId: tooLong(LIMITS.stepId) }))).toEqual(['INVALID_INPUT', 'stepId']);
    expect(await refused(entry({ outcome: 'done' as never }))).toEqual(['INVALID_INPUT', 'outcome']);
    expect(await refused(entry({ target: tooLong(LIMITS.target) }))).toEqual(['INVALID_INPUT', 'target']);
    expect(await refused(entry({ employeeId: '' }))).toEqual(['INVALID_INPUT', 'employeeId']);

    const long = entry({ outcome: 'failed', errorType: 'OPENAI_INVALID_REQUEST', errorMessage: 'é'.repeat(5000) });
    expect(await opened.store.record(long)).toBe(true);
    const [row] = await opened.store.audit({ runId: long.runId });
    expect(row!.errorMessage).toHaveLength(LIMITS.errorMessage);
    expect(row!.errorMessage!.endsWith('…')).toBe(true);
  });

  it('reopens without migrating again and keeps every row', async () => {
    const applied = () => opened.backend.rows<{ name: string; timestamp: string }>('SELECT name, timestamp FROM kysely_migration ORDER BY name');
    const migrationsBefore = await applied();
    expect(migrationsBefore.map((m) => m.name)).toEqual(await knownMigrations(name));
    const before = (await opened.store.audit()).length;
    const again = await Store.open(opened.backend.config);
    try {
      expect((await again.audit()).length).toBe(before);
      // Not one migration ran again: the same ones, applied at the same moments.
      expect(await applied()).toEqual(migrationsBefore);
    } finally {
      await again.close();
    }
  });

  it('refuses to start on a schema newer than this code, and changes nothing', async () => {
    const future = await createBackend(name);
    try {
      const s = await Store.open(future.config);
      await s.record(entry());
      await s.close();
      await future.exec(`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-a-newer-tenure', '2030-01-01T00:00:00.000Z')`);

      const error = await Store.open(future.config).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreSchemaError);
      expect((error as StoreSchemaError).code).toBe('SCHEMA_TOO_NEW');
      expect((error as Error).message).toContain('9999-from-a-newer-tenure');

      // Nothing was rolled back or added: the newer Tenure's schema is intact.
      await future.exec(`DELETE FROM kysely_migration WHERE name = '9999-from-a-newer-tenure'`);
      const reopened = await Store.open(future.config);
      expect(await reopened.audit()).toHaveLength(1);
      await reopened.close();
    } finally {
      await future.drop();
    }
  });

  it('upgrades a database written by the first release (audit log only), keeping its rows', async () => {
    const old = await createBackend(name);
    try {
      const db =
        old.config.kind === 'sqlite'
          ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: openSqlite(old.config.file) }) })
          : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: old.config.url.reveal(), max: 1 }) }) });
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => ({ '0001-audit-log': auditLog(name) }) },
        ...(old.schema ? { migrationTableSchema: old.schema } : {}),
      });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      await db.destroy();
      await old.exec(
        `INSERT INTO audit_log (record_key, recorded_at, run_id, definition, definition_hash, event_id, event_type, source, employee_id, step_id, action, target, outcome, openai_ids)
         VALUES ('old/run/invite', '2026-06-01T00:00:00.000Z', 'old/run', 'onboard', 'h', 'evt', 'employee.hired', 'generic', 'E-old', 'invite', 'openai.invite', 'old@example.com', 'created', '{"inviteId":"invite-old"}')`,
      );

      const upgraded = await Store.open(old.config);
      try {
        expect(await upgraded.audit({ employeeId: 'E-old' })).toEqual([expect.objectContaining({ recordKey: 'old/run/invite', actor: null, openaiIds: { inviteId: 'invite-old' } })]);
        expect(await upgraded.record(entry({ employeeId: 'E-old' }))).toBe(true);
        expect(await upgraded.identity('generic', 'E-old')).toMatchObject({ status: 'invited' });
        await expect(old.exec(`DELETE FROM audit_log WHERE employee_id = 'E-old'`)).rejects.toThrow();
      } finally {
        await upgraded.close();
      }
    } finally {
      await old.drop();
    }
  });
});

describe('results store on an unreachable PostgreSQL', () => {
  it('fails to open with STORE_UNAVAILABLE and no password in the message', async () => {
    const port = await freePort();
    const url = new URL(POSTGRES_URL);
    url.port = String(port);
    url.password = 'pw-that-must-not-leak';
    const error = await Store.open({ kind: 'postgres', url: new Secret(url.toString()) }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('STORE_UNAVAILABLE');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('pw-that-must-not-leak');
  });
});
