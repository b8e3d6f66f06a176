// The HR emulators over HTTP, spoken to directly (not through the connectors, so a
// connector cannot hide an emulator bug): each vendor's authentication, record shapes,
// filters and error forms, faults in the vendor's shape, and loopback-only control.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { buildEmulator, Faults, HrDirectory, Organization } from '../../../emulator/index.ts';
import { hrEmulatorForTests } from '../../helpers/hr-emulator.ts';

const hr = hrEmulatorForTests();
const { hris } = hr;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BambooHR emulator', () => {
  const auth = () => ({ authorization: basic(hr.emulator.hrisCredentials.bamboohr.apiKey, 'x'), accept: 'application/json' });

  it('answers the requested fields on both URL forms, and refuses what BambooHR refuses', async () => {
    hris.put('bamboohr', '7', { firstName: 'Ada', workEmail: 'ada@acme.example' });
    const company = await fetch(`${hr.emulator.hrisUrls.bamboohr}/v1/employees/7?fields=workEmail,department`, { headers: auth() });
    expect(await company.json()).toEqual({ id: '7', workEmail: 'ada@acme.example', department: null });
    const gateway = await fetch(`${hr.emulator.url}/hris/bamboohr/api/gateway.php/sandbox/v1/employees/7`, { headers: auth() });
    expect(await gateway.json()).toEqual({ id: '7', firstName: 'Ada', lastName: null });

    const anonymous = await fetch(`${hr.emulator.hrisUrls.bamboohr}/v1/employees/7`, { headers: { accept: 'application/json' } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-bamboohr-error-message')).toBe('API key is missing');
    expect(await anonymous.text()).toBe('');
    expect((await fetch(`${hr.emulator.hrisUrls.bamboohr}/v1/employees/7`, { headers: { authorization: auth().authorization } })).status).toBe(406);
    expect((await fetch(`${hr.emulator.url}/hris/bamboohr/api/gateway.php/other/v1/employees/7`, { headers: auth() })).status).toBe(404);
    const missing = await fetch(`${hr.emulator.hrisUrls.bamboohr}/v1/employees/8`, { headers: auth() });
    expect([missing.status, missing.headers.get('x-bamboohr-error-message')]).toEqual([404, 'Employee 8 not found']);
  });

  it('pages the employee dataset, and answers RFC 7807 problems on v2', async () => {
    for (const id of ['1', '2', '3']) hris.put('bamboohr', id, { firstName: `P${id}`, status: id === '2' ? 'Inactive' : 'Active' });
    const read = (body: unknown, dataset = 'employee') =>
      fetch(`${hr.emulator.hrisUrls.bamboohr}/v2/datasets/${dataset}/data`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const second = await read({ fields: ['id', 'status'], page: 2, pageSize: 2 });
    expect(await second.json()).toEqual({
      data: [{ id: '3', status: 'Active' }],
      links: { next: null, prev: '/hris/bamboohr/api/v2/datasets/employee/data?page=1' },
      meta: { page: 2, pageSize: 2, totalPages: 2, totalItems: 3 },
    });
    const bad = await read({ fields: [] });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(await bad.json()).toMatchObject({ status: 400, title: expect.stringContaining('at least one field') });
    expect((await read({ fields: ['id'] }, 'payroll')).status).toBe(404);
  });
});

describe('HiBob emulator', () => {
  const headers = () => ({ authorization: basic(hr.emulator.hrisCredentials.hibob.serviceUserId, hr.emulator.hrisCredentials.hibob.token), 'content-type': 'application/json' });
  const search = (body: unknown, h: Record<string, string> = headers()) => fetch(`${hr.emulator.hrisUrls.hibob}/people/search`, { method: 'POST', headers: h, body: JSON.stringify(body) });

  beforeEach(() => {
    hris.put('hibob', '1', { email: 'a@acme.example', firstName: 'A', work: { title: 't1', startDate: '2026-01-01' }, internal: { status: 'Active' }, humanReadable: { work: { title: 'Analyst' } } });
    hris.put('hibob', '2', { email: 'b@acme.example', firstName: 'B', internal: { status: 'Inactive', lifecycleStatus: 'hired' } });
  });

  it('hides inactive people unless showInactive, answers only requested fields, and filters by id or email', async () => {
    expect(((await (await search({ fields: ['root.email'] })).json()) as { employees: unknown[] }).employees).toEqual([{ id: '1', email: 'a@acme.example' }]);
    const all = (await (await search({ fields: ['root.email', 'work.title', 'internal.status'], showInactive: true, humanReadable: 'APPEND' })).json()) as { employees: unknown[] };
    expect(all.employees).toEqual([
      { id: '1', email: 'a@acme.example', work: { title: 't1' }, internal: { status: 'Active' }, humanReadable: { work: { title: 'Analyst' } } },
      { id: '2', email: 'b@acme.example', internal: { status: 'Inactive' } },
    ]);
    const byEmail = (await (await search({ fields: ['root.id'], filters: [{ fieldPath: 'root.email', operator: 'equals', values: ['b@acme.example'] }] })).json()) as { employees: unknown[] };
    expect(byEmail.employees).toEqual([{ id: '2' }]);
    const refused = await search({ filters: [{ fieldPath: 'work.title', operator: 'equals', values: ['x'] }] });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: expect.stringContaining('filters.0.fieldPath') });
  });

  it('reads one person by id or email, 404 otherwise, and refuses a wrong token', async () => {
    const read = (identifier: string, h: Record<string, string> = headers()) => fetch(`${hr.emulator.hrisUrls.hibob}/people/${identifier}`, { method: 'POST', headers: h, body: JSON.stringify({ fields: ['root.firstName'] }) });
    expect(await (await read('1')).json()).toEqual({ id: '1', firstName: 'A' });
    expect(await (await read('b@acme.example')).json()).toEqual({ id: '2', firstName: 'B' });
    expect((await read('3')).status).toBe(404);
    const refused = await read('1', { ...headers(), authorization: basic(hr.emulator.hrisCredentials.hibob.serviceUserId, 'wrong') });
    expect([refused.status, await refused.json()]).toEqual([401, { error: 'Invalid service user ID or token' }]);
  });
});

describe('Merge emulator', () => {
  const headers = () => ({ authorization: `Bearer ${hr.emulator.hrisCredentials.merge.apiKey}`, 'x-account-token': hr.emulator.hrisCredentials.merge.accountToken });

  it('expands on request only, needs the account token, and throttles in its own error shape', async () => {
    hris.put('merge', 'm', { work_email: 'm@acme.example', employment_status: 'ACTIVE' });
    hris.put('merge', 'e', { work_email: 'e@acme.example', employment_status: 'PENDING', manager: 'm', groups: [{ id: 'g', name: 'Finance', type: 'DEPARTMENT' }] });
    expect(await (await fetch(`${hr.emulator.hrisUrls.merge}/employees/e`, { headers: headers() })).json()).toMatchObject({ manager: 'm', groups: ['g'], remote_was_deleted: false });
    expect(await (await fetch(`${hr.emulator.hrisUrls.merge}/employees/e?expand=manager,groups`, { headers: headers() })).json()).toMatchObject({
      manager: { id: 'm', work_email: 'm@acme.example' },
      groups: [{ name: 'Finance', type: 'DEPARTMENT' }],
    });
    const pending = (await (await fetch(`${hr.emulator.hrisUrls.merge}/employees?employment_status=PENDING`, { headers: headers() })).json()) as { results: { id: string }[]; next: unknown };
    expect([pending.results.map((r) => r.id), pending.next]).toEqual([['e'], null]);

    const anonymous = await fetch(`${hr.emulator.hrisUrls.merge}/employees`, { headers: { authorization: headers().authorization } });
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { detail: 'Missing X-Account-Token header.' }]);

    hr.emulator.faults.set({ seed: 1, rules: [{ path: '/hris/merge/**', rate: 1, kind: 'status', status: 429, retryAfter: 3, ms: 0, when: 'before' }] });
    const throttled = await fetch(`${hr.emulator.hrisUrls.merge}/employees`, { headers: headers() });
    expect([throttled.status, throttled.headers.get('retry-after'), await throttled.json()]).toEqual([429, '3', { detail: 'Rate limit exceeded' }]);
  });
});

describe('HR emulator control endpoints', () => {
  it('answer loopback clients only', async () => {
    const app = buildEmulator({ organization: new Organization(), adminKey: 'sk-admin-x', scimToken: 'sk-admin-x', log: [], faults: new Faults(), hris: new HrDirectory() });
    const put = (remoteAddress: string) => app.inject({ method: 'PUT', url: '/_emulator/hris/hibob/employees/1', remoteAddress, payload: { email: 'a@acme.example' } });
    expect((await put('10.1.2.3')).statusCode).toBe(403);
    expect((await put('127.0.0.1')).statusCode).toBe(200);
    await app.close();
  });
});
