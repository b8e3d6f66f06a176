// The HR connectors against the HR emulators, over real HTTP: each vendor's pagination
// (several pages), everyone listed (future hires and leavers too), one person read, the
// field mapping applied, 429/503 retried after Retry-After, and 401/403/404/500 turned
// into typed HrApiErrors whose messages say what to fix and never carry a credential.
import { describe, expect, it } from '@jest/globals';
import { Secret, type FieldMapping, type MappableField } from '../../../config/index.ts';
import type { FaultRule } from '../../../emulator/index.ts';
import { bamboohrConnector, HrApiError, hibobConnector, mergeConnector, type HrConnector, type HrPerson } from '../../../hris/index.ts';
import { hrEmulatorForTests } from '../../helpers/hr-emulator.ts';

const hr = hrEmulatorForTests();
const { hris } = hr;
const NOW = Date.parse('2026-06-15T12:00:00Z');
const fast = { timeoutMs: 15_000, retries: 2, maxRetryWaitMs: 5_000, now: () => NOW };

const bamboo = (options: { key?: string; pageSize?: number; fields?: Partial<Record<MappableField, FieldMapping>> } = {}) =>
  bamboohrConnector(
    { apiKey: new Secret(options.key ?? hr.emulator.hrisCredentials.bamboohr.apiKey), companyDomain: 'sandbox', baseUrl: hr.emulator.hrisUrls.bamboohr, emulated: false },
    { ...fast, pageSize: options.pageSize, fields: options.fields },
  );
const bob = (token?: string) =>
  hibobConnector({ serviceUserId: hr.emulator.hrisCredentials.hibob.serviceUserId, token: new Secret(token ?? hr.emulator.hrisCredentials.hibob.token), baseUrl: hr.emulator.hrisUrls.hibob, emulated: false }, fast);
const merge = (options: { key?: string; account?: string; pageSize?: number; fields?: Partial<Record<MappableField, FieldMapping>> } = {}) =>
  mergeConnector(
    {
      apiKey: new Secret(options.key ?? hr.emulator.hrisCredentials.merge.apiKey),
      accountToken: new Secret(options.account ?? hr.emulator.hrisCredentials.merge.accountToken),
      baseUrl: hr.emulator.hrisUrls.merge,
      emulated: false,
    },
    { ...fast, pageSize: options.pageSize, fields: options.fields },
  );

async function everyone(connector: HrConnector): Promise<HrPerson[][]> {
  const pages: HrPerson[][] = [];
  for await (const page of connector.listPeople()) pages.push(page);
  return pages;
}

async function failure(promise: Promise<unknown>): Promise<HrApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HrApiError) return error;
    throw error;
  }
  throw new Error('expected an HrApiError');
}

const calls = (prefix: string) => hr.emulator.requests.filter((r) => r.path.startsWith(prefix)).map((r) => `${r.method} ${r.path.slice(prefix.length)} ${r.status}`);
const fault = (rule: Partial<FaultRule> & Pick<FaultRule, 'path' | 'kind'>) =>
  hr.emulator.faults.set({ seed: 1, rules: [{ rate: 1, status: 503, ms: 0, when: 'before', ...rule }] });

function seedBamboo(count: number) {
  for (let i = 1; i <= count; i++) {
    const leaver = i === 2;
    const future = i === 3;
    hris.put('bamboohr', String(100 + i), {
      firstName: `First${i}`,
      lastName: `Last${i}`,
      workEmail: `person${i}@acme.example`,
      department: 'Finance',
      division: 'EMEA',
      jobTitle: 'Analyst',
      status: leaver || future ? 'Inactive' : 'Active',
      employmentHistoryStatus: leaver ? 'Terminated' : 'Full-Time',
      hireDate: future ? '2026-09-01' : '2024-03-04',
      terminationDate: leaver ? '2026-05-31' : '0000-00-00',
      supervisorEId: '100',
      lastChanged: '2026-06-01T10:00:00+00:00',
    });
  }
}

describe('BambooHR connector', () => {
  it('lists everyone, Active and Inactive, across dataset pages, mapped into HrEvent terms', async () => {
    seedBamboo(5);
    const connector = bamboo({ pageSize: 2 });
    const pages = await everyone(connector);
    await connector.close();
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(calls('/hris/bamboohr/api')).toEqual(['POST /v2/datasets/employee/data 200', 'POST /v2/datasets/employee/data 200', 'POST /v2/datasets/employee/data 200']);
    const people = pages.flat();
    expect(people.map((p) => [p.id, p.employment])).toEqual([
      ['101', 'active'],
      ['102', 'terminated'],
      ['103', 'pending'],
      ['104', 'active'],
      ['105', 'active'],
    ]);
    expect(people[0]).toEqual({
      vendor: 'bamboohr',
      id: '101',
      employee: { id: '101', email: 'person1@acme.example', firstName: 'First1', lastName: 'Last1', department: 'Finance', title: 'Analyst', employmentType: 'full_time', startDate: '2024-03-04', manager: { id: '100' } },
      employment: 'active',
      terminationDate: null,
      updatedAt: '2026-06-01T10:00:00+00:00',
    });
    expect(people[1]).toMatchObject({ terminationDate: '2026-05-31', employee: { endDate: '2026-05-31' } });
  });

  it('reads one person with the configured field mapping, and answers undefined for a person BambooHR does not have', async () => {
    seedBamboo(1);
    const connector = bamboo({ fields: { department: { field: 'division', values: { EMEA: 'Europe' } } } });
    expect(await connector.getPerson('101')).toMatchObject({ id: '101', employment: 'active', employee: { department: 'Europe', email: 'person1@acme.example' } });
    expect(await connector.getPerson('999')).toBeUndefined();
    await connector.close();
    expect(calls('/hris/bamboohr/api')).toEqual(['GET /v1/employees/101 200', 'GET /v1/employees/999 404']);
  });

  it('reads a mapping written with display names (as field-based webhooks name fields) through their API aliases', async () => {
    seedBamboo(1);
    hris.put('bamboohr', '101', { ...hris.get('bamboohr', '101'), location: 'London', employmentHistoryStatus: 'Seasonal' });
    const connector = bamboo({
      fields: {
        department: { field: 'Division' },
        employmentType: { field: 'Employment Status', values: { Seasonal: 'contractor' } },
        timezone: { field: 'Location', values: { London: 'Europe/London' } },
      },
    });
    expect((await connector.getPerson('101'))?.employee).toMatchObject({ department: 'EMEA', employmentType: 'contractor', timezone: 'Europe/London' });
    await connector.close();
    const [call] = hr.emulator.requests.filter((r) => r.path === '/hris/bamboohr/api/v1/employees/101');
    expect(call?.status).toBe(200);
  });

  it('waits out a 503 (BambooHR before 2026-09-16) and a 429 with Retry-After, then reads', async () => {
    seedBamboo(1);
    fault({ path: '/hris/bamboohr/api/v1/employees/*', kind: 'status', status: 503, retryAfter: 1, times: 1 });
    const connector = bamboo();
    expect(await connector.getPerson('101')).toMatchObject({ id: '101' });
    fault({ path: '/hris/bamboohr/api/v1/employees/*', kind: 'status', status: 429, retryAfter: 1, times: 1 });
    expect(await connector.getPerson('101')).toMatchObject({ id: '101' });
    await connector.close();
    const served = hr.emulator.requests.filter((r) => r.path === '/hris/bamboohr/api/v1/employees/101');
    expect(served.map((r) => r.status)).toEqual([503, 200, 429, 200]);
    // Each retry came no sooner than the one second Retry-After asked for.
    expect(Date.parse(served[1]!.at) - Date.parse(served[0]!.at)).toBeGreaterThanOrEqual(990);
    expect(Date.parse(served[3]!.at) - Date.parse(served[2]!.at)).toBeGreaterThanOrEqual(990);
  });

  it('refuses a wrong API key as HR_API_UNAUTHORIZED, naming the variables and not the key', async () => {
    const wrong = 'bamboo-wrong-key-SHOULD-NOT-LEAK';
    const connector = bamboo({ key: wrong });
    const error = await failure(connector.getPerson('101'));
    await connector.close();
    expect(error).toMatchObject({ type: 'HR_API_UNAUTHORIZED', vendor: 'bamboohr', status: 401 });
    expect(error.message).toContain('BAMBOOHR_API_KEY');
    expect(error.message).toContain('API key is invalid');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(hr.emulator.hrisCredentials.bamboohr.apiKey);
  });
});

describe('HiBob connector', () => {
  const person = (id: string, email: string, lifecycle: string, status: string, terminationDate: string | null = null) => ({
    email,
    firstName: 'Rosa',
    surname: 'Ortiz',
    work: { department: '209192163', title: '118446207', startDate: '2026-10-01', reportsTo: { id: '2128438031986721630', email: 'm.lee@acme.example' } },
    internal: { lifecycleStatus: lifecycle, status, terminationDate },
    humanReadable: { work: { department: 'Finance', title: 'Senior Analyst' }, internal: { lifecycleStatus: lifecycle } },
    [`/root/id`]: { value: id },
  });

  it('lists everyone in one search with showInactive (Bob has no pagination), hired and terminated people included', async () => {
    hris.put('hibob', '1', person('1', 'a@acme.example', 'employed', 'Active'));
    hris.put('hibob', '2', person('2', 'b@acme.example', 'hired', 'Inactive'));
    hris.put('hibob', '3', person('3', 'c@acme.example', 'terminated', 'Inactive', '2026-05-31'));
    const connector = bob();
    const pages = await everyone(connector);
    await connector.close();
    expect(pages).toHaveLength(1);
    expect(pages[0]!.map((p) => [p.id, p.employment, p.terminationDate])).toEqual([
      ['1', 'active', null],
      ['2', 'pending', null],
      ['3', 'terminated', '2026-05-31'],
    ]);
    // List fields are read by their labels (humanReadable), not their ids.
    expect(pages[0]![0]!.employee).toEqual({
      id: '1',
      email: 'a@acme.example',
      firstName: 'Rosa',
      lastName: 'Ortiz',
      department: 'Finance',
      title: 'Senior Analyst',
      startDate: '2026-10-01',
      manager: { id: '2128438031986721630', email: 'm.lee@acme.example' },
    });
    expect(calls('/hris/hibob/v1')).toEqual(['POST /people/search 200']);
  });

  it('reads one person; a person Bob does not have is undefined', async () => {
    hris.put('hibob', '1', person('1', 'a@acme.example', 'employed', 'Active'));
    const connector = bob();
    expect(await connector.getPerson('1')).toMatchObject({ vendor: 'hibob', id: '1', employment: 'active', employee: { email: 'a@acme.example' } });
    expect(await connector.getPerson('404404')).toBeUndefined();
    await connector.close();
  });

  it('honours 429 with Retry-After; when throttling outlasts the retries, fails as HR_API_UNAVAILABLE with the wait', async () => {
    hris.put('hibob', '1', person('1', 'a@acme.example', 'employed', 'Active'));
    fault({ path: '/hris/hibob/v1/people/search', kind: 'status', status: 429, retryAfter: 1, times: 1 });
    const connector = bob();
    expect((await everyone(connector)).flat()).toHaveLength(1);
    fault({ path: '/hris/hibob/v1/people/search', kind: 'status', status: 429, retryAfter: 1 });
    const error = await failure(everyone(connector));
    await connector.close();
    expect(error).toMatchObject({ type: 'HR_API_UNAVAILABLE', status: 429, retryAfterMs: 1000 });
    // One good call after one 429; then the first try and two retries, all 429.
    expect(calls('/hris/hibob/v1')).toEqual(['POST /people/search 429', 'POST /people/search 200', 'POST /people/search 429', 'POST /people/search 429', 'POST /people/search 429']);
  });

  it('does not hold the call through a Retry-After longer than it may wait: fails at once, passing the wait on', async () => {
    hris.put('hibob', '1', person('1', 'a@acme.example', 'employed', 'Active'));
    fault({ path: '/hris/hibob/v1/people/1', kind: 'status', status: 429, retryAfter: 120 });
    const connector = bob();
    const error = await failure(connector.getPerson('1'));
    await connector.close();
    expect(error).toMatchObject({ type: 'HR_API_UNAVAILABLE', status: 429, retryAfterMs: 120_000 });
    expect(error.message).toContain('HiBob asks to wait 120 s');
    expect(calls('/hris/hibob/v1/people/1')).toEqual(['POST  429']);
  });

  it('maps 401 and 500 to typed failures without the token', async () => {
    const wrong = 'hibob-wrong-token-SHOULD-NOT-LEAK';
    const refused = bob(wrong);
    const unauthorized = await failure(refused.getPerson('1'));
    await refused.close();
    expect(unauthorized).toMatchObject({ type: 'HR_API_UNAUTHORIZED', status: 401 });
    expect(unauthorized.message).toMatch(/HIBOB_SERVICE_USER_ID and HIBOB_SERVICE_USER_TOKEN/);
    expect(unauthorized.message).not.toContain(wrong);

    fault({ path: '/hris/hibob/v1/**', kind: 'status', status: 500 });
    const connector = bob();
    const broken = await failure(connector.getPerson('1'));
    await connector.close();
    expect(broken).toMatchObject({ type: 'HR_API_UNAVAILABLE', status: 500 });
    expect(broken.message).toContain('HiBob POST /people/1');
    expect(broken.message).not.toContain(hr.emulator.hrisCredentials.hibob.token);
    // A 500 is left to the caller's retry policy (Temporal's), not retried in the client.
    expect(calls('/hris/hibob/v1/people/1')).toEqual(['POST  401', 'POST  500']);
  });
});

describe('Merge connector', () => {
  function seedMerge(count: number) {
    hris.put('merge', 'mgr', { first_name: 'Min', last_name: 'Lee', work_email: 'm.lee@acme.example', employment_status: 'ACTIVE' });
    for (let i = 1; i <= count; i++) {
      hris.put('merge', `emp-${i}`, {
        remote_id: String(1000 + i),
        first_name: `First${i}`,
        last_name: `Last${i}`,
        work_email: `person${i}@acme.example`,
        employment_status: i === 1 ? 'INACTIVE' : i === 2 ? 'PENDING' : 'ACTIVE',
        start_date: '2026-02-01T00:00:00Z',
        termination_date: i === 1 ? '2026-05-31T00:00:00Z' : null,
        manager: 'mgr',
        employments: [
          { id: `e${i}-old`, job_title: 'Intern', employment_type: 'INTERN', effective_date: '2025-01-01T00:00:00Z' },
          { id: `e${i}`, job_title: 'Engineer', employment_type: 'FULL_TIME', effective_date: '2026-02-01T00:00:00Z' },
        ],
        groups: [{ id: 'g1', name: 'Engineering', type: 'DEPARTMENT' }],
        modified_at: '2026-06-01T00:00:00Z',
      });
    }
  }

  it('follows the next cursor across pages; INACTIVE and PENDING people are listed too', async () => {
    seedMerge(4);
    const connector = merge({ pageSize: 2 });
    const pages = await everyone(connector);
    await connector.close();
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    const people = pages.flat();
    expect(people.map((p) => [p.id, p.employment])).toEqual([
      ['emp-1', 'terminated'],
      ['emp-2', 'pending'],
      ['emp-3', 'active'],
      ['emp-4', 'active'],
      ['mgr', 'active'],
    ]);
    expect(people[0]).toEqual({
      vendor: 'merge',
      id: 'emp-1',
      employee: { id: 'emp-1', email: 'person1@acme.example', firstName: 'First1', lastName: 'Last1', department: 'Engineering', title: 'Engineer', employmentType: 'full_time', startDate: '2026-02-01', endDate: '2026-05-31', manager: { id: 'mgr', email: 'm.lee@acme.example' } },
      employment: 'terminated',
      terminationDate: '2026-05-31',
      updatedAt: '2026-06-01T00:00:00Z',
    });
    const listed = calls('/hris/merge/api/hris/v1');
    expect(listed).toHaveLength(3);
    expect(listed.every((c) => c === 'GET /employees 200')).toBe(true);
  });

  it('tries a page again when the connection drops', async () => {
    seedMerge(1);
    fault({ path: '/hris/merge/api/hris/v1/employees', kind: 'drop', when: 'before', times: 1 });
    const connector = merge();
    expect((await everyone(connector)).flat().map((p) => p.id)).toEqual(['emp-1', 'mgr']);
    await connector.close();
    expect(calls('/hris/merge/api/hris/v1')).toEqual(['GET /employees 0', 'GET /employees 200']);
  });

  it('reads one person by Merge id with the configured mapping (hris.merge.fields); unknown ids are undefined', async () => {
    seedMerge(1);
    hris.put('merge', 'emp-1', { ...hris.get('merge', 'emp-1'), groups: [{ id: 'g1', name: 'Engineering', type: 'DEPARTMENT' }, { id: 'g2', name: 'R&D', type: 'COST_CENTER' }] });
    expect((await merge({ fields: { department: { field: 'groups.COST_CENTER' } } }).getPerson('emp-1'))?.employee.department).toBe('R&D');
    const connector = merge();
    expect(await connector.getPerson('emp-1')).toMatchObject({ id: 'emp-1', employee: { email: 'person1@acme.example', manager: { email: 'm.lee@acme.example' } } });
    expect(await connector.getPerson('nobody')).toBeUndefined();
    await connector.close();
  });

  it('maps a refused account token to HR_API_UNAUTHORIZED, and a wrong base URL (404 on the list) to HR_API_INVALID', async () => {
    const wrong = 'merge-wrong-account-SHOULD-NOT-LEAK';
    const refused = merge({ account: wrong });
    const error = await failure(everyone(refused));
    await refused.close();
    expect(error).toMatchObject({ type: 'HR_API_UNAUTHORIZED', status: 401 });
    expect(error.message).toContain('Invalid X-Account-Token');
    expect(error.message).toContain('MERGE_API_KEY and MERGE_ACCOUNT_TOKEN');
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(hr.emulator.hrisCredentials.merge.apiKey);

    const misplaced = mergeConnector(
      { apiKey: new Secret(hr.emulator.hrisCredentials.merge.apiKey), accountToken: new Secret(hr.emulator.hrisCredentials.merge.accountToken), baseUrl: `${hr.emulator.url}/hris/merge/api/hris/v9`, emulated: false },
      fast,
    );
    const notFound = await failure(everyone(misplaced));
    await misplaced.close();
    expect(notFound).toMatchObject({ type: 'HR_API_INVALID', status: 404 });
    expect(notFound.message).toContain('Check the base URL');
  });
});

describe('HR emulator control endpoints', () => {
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${hr.emulator.url}/_emulator/hris${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(async (r) => ({
      status: r.status,
      body: (await r.json()) as Record<string, unknown>,
    }));

  it('puts, lists and deletes a person in the vendor JSON, and refuses an unknown vendor or a non-object body', async () => {
    expect(await control('PUT', '/bamboohr/employees/7', { firstName: 'Ada', workEmail: 'ada@acme.example', status: 'Active' })).toMatchObject({ status: 200, body: { id: '7', firstName: 'Ada' } });
    expect(await control('GET', '/bamboohr/employees')).toEqual({ status: 200, body: { vendor: 'bamboohr', employees: [{ id: '7', firstName: 'Ada', workEmail: 'ada@acme.example', status: 'Active' }] } });
    expect(await control('DELETE', '/bamboohr/employees/7')).toEqual({ status: 200, body: { deleted: true } });
    expect(await control('DELETE', '/bamboohr/employees/7')).toEqual({ status: 200, body: { deleted: false } });
    const unknown = await control('GET', '/workday/employees');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('bamboohr, hibob, merge');
    expect((await control('PUT', '/hibob/employees/1', ['not', 'a', 'record'])).status).toBe(400);
  });
});
