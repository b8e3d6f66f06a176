// The emulator, started alone, against OpenAI's OpenAPI description: every described
// operation answers with a body that validates against the description's schema, lists
// paginate to their end, requests without the key get 401, and errors have OpenAI's
// `{error:{message,type,param,code}}` body. Requests go over real HTTP (fetch), not
// through Tenure's client, so the client cannot hide an emulator bug.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { describedOperations, responseSchemaName, schemaProblems } from './openapi.ts';

let emulator: RunningEmulator;
const covered = new Set<string>();

interface Answer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** Calls the Admin API; `template` names the described operation, for schema checks and coverage. */
async function api(method: string, template: string, path: string, body?: unknown, key: string | null = emulator.adminKey): Promise<Answer> {
  const response = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { ...(key !== null ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = { status: response.status, body: await response.json(), headers: response.headers };
  const schema = responseSchemaName(method, template, answer.status);
  expect({ op: `${method} ${template} ${answer.status}`, problems: schemaProblems(schema, answer.body) }).toEqual({ op: `${method} ${template} ${answer.status}`, problems: [] });
  if (answer.status < 300) covered.add(`${method} ${template}`);
  expect(answer.headers.get('x-request-id')).toMatch(/^req_/);
  return answer;
}

const control = async (path: string, body?: unknown) => {
  const response = await fetch(`${emulator.url}/_emulator${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

async function invite(email: string, extra: Record<string, unknown> = {}) {
  const answer = await api('POST', '/organization/invites', '/organization/invites', { email, role: 'reader', ...extra });
  expect(answer.status).toBe(200);
  return answer.body as { id: string; email: string; projects: { id: string; role: string }[] };
}

async function member(email: string, role = 'reader') {
  const created = await invite(email, { role });
  const accepted = await control(`/invites/${created.id}/accept`);
  expect(accepted.status).toBe(200);
  return accepted.body.user as { id: string; email: string };
}

/** Walks a list to its end the way OpenAI's SDKs do: `after` = the previous page's `last_id`, until `has_more` is false. */
async function walk(template: string, path: string, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await api('GET', template, `${path}${sep}limit=${limit}${after ? `&after=${after}` : ''}`);
    expect(page.status).toBe(200);
    pages += 1;
    expect(page.body.data.length).toBeLessThanOrEqual(limit);
    expect(page.body.first_id).toBe(page.body.data[0]?.id ?? null);
    expect(page.body.last_id).toBe(page.body.data.at(-1)?.id ?? null);
    ids.push(...page.body.data.map((d: { id: string }) => d.id));
    if (!page.body.has_more) return { ids, pages };
    after = page.body.last_id;
  }
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => {
  expect((await control('/reset')).status).toBe(200);
});

describe('emulator conformance with OpenAI’s OpenAPI description', () => {
  it('walks invites, users, projects and project users to their end with limit/after', async () => {
    const invites = [];
    for (let i = 0; i < 7; i += 1) invites.push(await invite(`walk${i}@example.com`));
    const walkedInvites = await walk('/organization/invites', '/organization/invites', 3);
    expect(walkedInvites).toEqual({ ids: invites.map((i) => i.id), pages: 3 });

    for (const i of invites.slice(0, 5)) expect((await control(`/invites/${i.id}/accept`)).status).toBe(200);
    const users = await walk('/organization/users', '/organization/users', 2);
    expect(users.ids).toHaveLength(5);
    expect(users.pages).toBe(3);
    expect(new Set(users.ids).size).toBe(5);

    // Omitted projects mean the default project: every accepted user is in it.
    const projectUsers = await walk('/organization/projects/{project_id}/users', '/organization/projects/proj_default/users', 2);
    expect(projectUsers.ids.sort()).toEqual([...users.ids].sort());

    for (let i = 0; i < 4; i += 1) expect((await api('POST', '/organization/projects', '/organization/projects', { name: `P${i}` })).status).toBe(200);
    const projects = await walk('/organization/projects', '/organization/projects', 2);
    expect(projects.ids).toHaveLength(5);
    expect(projects.ids[0]).toBe('proj_default');

    // An exact multiple of the limit ends with has_more false on the last full page.
    expect((await walk('/organization/invites', '/organization/invites', 7)).pages).toBe(1);
    const empty = await walk('/organization/projects/{project_id}/users', `/organization/projects/${projects.ids[1]}/users`, 5);
    expect(empty).toEqual({ ids: [], pages: 1 });
  });

  it('filters users by emails and emails[], one or many', async () => {
    const ada = await member('ada@example.com');
    const grace = await member('grace@example.com');
    await member('linus@example.com');
    const one = await api('GET', '/organization/users', '/organization/users?emails=ada@example.com');
    expect(one.body.data.map((u: { id: string }) => u.id)).toEqual([ada.id]);
    const many = await api('GET', '/organization/users', '/organization/users?emails[]=ada@example.com&emails[]=grace@example.com');
    expect(many.body.data.map((u: { id: string }) => u.id)).toEqual([ada.id, grace.id]);
    const none = await api('GET', '/organization/users', '/organization/users?emails[]=nobody@example.com');
    expect(none.body).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  it('answers every described operation with the described shapes, ids and delete envelopes', async () => {
    const pending = await invite('pending@example.com', { projects: [] });
    expect(pending).toMatchObject({ object: 'organization.invite', status: 'pending', projects: [], accepted_at: null });
    expect(pending.id).toMatch(/^invite-/);
    const got = await api('GET', '/organization/invites/{invite_id}', `/organization/invites/${pending.id}`);
    // Both spellings of the invite's time are sent, as the live field name is unsettled.
    expect(got.body.created_at).toBe(got.body.invited_at);
    expect((await api('DELETE', '/organization/invites/{invite_id}', `/organization/invites/${pending.id}`)).body).toEqual({
      object: 'organization.invite.deleted',
      id: pending.id,
      deleted: true,
    });

    const user = await member('user@example.com');
    expect(user.id).toMatch(/^user-/);
    expect((await api('GET', '/organization/users/{user_id}', `/organization/users/${user.id}`)).body).toMatchObject({ object: 'organization.user', email: 'user@example.com', role: 'reader' });
    expect((await api('POST', '/organization/users/{user_id}', `/organization/users/${user.id}`, { role: 'owner' })).body.role).toBe('owner');

    const project = (await api('POST', '/organization/projects', '/organization/projects', { name: 'Research' })).body;
    expect(project).toMatchObject({ object: 'organization.project', name: 'Research', status: 'active', archived_at: null });
    expect(project.id).toMatch(/^proj_/);
    expect((await api('GET', '/organization/projects/{project_id}', `/organization/projects/${project.id}`)).body.id).toBe(project.id);
    expect((await api('POST', '/organization/projects/{project_id}', `/organization/projects/${project.id}`, { name: 'Research 2' })).body.name).toBe('Research 2');

    const added = await api('POST', '/organization/projects/{project_id}/users', `/organization/projects/${project.id}/users`, { user_id: user.id, role: 'member' });
    expect(added.body).toMatchObject({ object: 'organization.project.user', id: user.id, role: 'member', email: 'user@example.com' });
    const base = `/organization/projects/${project.id}/users/${user.id}`;
    expect((await api('GET', '/organization/projects/{project_id}/users/{user_id}', base)).body.role).toBe('member');
    expect((await api('POST', '/organization/projects/{project_id}/users/{user_id}', base, { role: 'owner' })).body.role).toBe('owner');
    expect((await api('DELETE', '/organization/projects/{project_id}/users/{user_id}', base)).body).toEqual({
      object: 'organization.project.user.deleted',
      id: user.id,
      deleted: true,
    });
    // SPEC26 also lets a project member be added by email.
    expect((await api('POST', '/organization/projects/{project_id}/users', `/organization/projects/${project.id}/users`, { email: 'USER@example.com', role: 'member' })).body.id).toBe(user.id);

    const archived = await api('POST', '/organization/projects/{project_id}/archive', `/organization/projects/${project.id}/archive`);
    expect(archived.body).toMatchObject({ status: 'archived' });
    expect(typeof archived.body.archived_at).toBe('number');
    expect((await api('GET', '/organization/projects', '/organization/projects')).body.data.map((p: { id: string }) => p.id)).toEqual(['proj_default']);
    expect((await api('GET', '/organization/projects', '/organization/projects?include_archived=true')).body.data).toHaveLength(2);

    expect((await api('DELETE', '/organization/users/{user_id}', `/organization/users/${user.id}`)).body).toEqual({ object: 'organization.user.deleted', id: user.id, deleted: true });
    expect((await api('GET', '/organization/invites', '/organization/invites')).status).toBe(200);
    expect((await api('GET', '/organization/projects/{project_id}/users', '/organization/projects/proj_default/users')).status).toBe(200);
    expect((await api('GET', '/organization/users', '/organization/users')).status).toBe(200);

    expect([...covered].sort()).toEqual(describedOperations().sort());
  });

  it('answers 401 in OpenAI’s error format without a key or with a wrong one, on every operation', async () => {
    const samples: [string, string, string][] = describedOperations().map((op) => {
      const [method, template] = op.split(' ') as [string, string];
      return [method, template, template.replace('{invite_id}', 'invite-x').replace('{user_id}', 'user-x').replace('{project_id}', 'proj_default')];
    });
    for (const [method, template, path] of samples) {
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const missing = await api(method, template, path, body, null);
      expect([method, template, missing.status, missing.body.error.code]).toEqual([method, template, 401, 'invalid_api_key']);
      const wrong = await api(method, template, path, body, 'sk-admin-not-the-key');
      expect([method, template, wrong.status]).toEqual([method, template, 401]);
    }
    expect(emulator.organization.listInvites()).toEqual([]);
  });

  it('enforces OpenAI’s rules with 400/404 error bodies naming the param', async () => {
    const ada = await member('ada@example.com');
    const asMember = await api('POST', '/organization/invites', '/organization/invites', { email: 'ADA@example.com', role: 'reader' });
    expect(asMember.status).toBe(400);
    expect(asMember.body.error).toMatchObject({ type: 'invalid_request_error', param: 'email', code: 'user_already_exists' });

    await invite('bob@example.com');
    const twice = await api('POST', '/organization/invites', '/organization/invites', { email: 'bob@example.com', role: 'reader' });
    expect(twice.body.error).toMatchObject({ param: 'email', code: 'invite_already_exists' });

    const badRole = await api('POST', '/organization/invites', '/organization/invites', { email: 'c@example.com', role: 'admin' });
    expect([badRole.status, badRole.body.error.param]).toEqual([400, 'role']);
    const badUserRole = await api('POST', '/organization/users/{user_id}', `/organization/users/${ada.id}`, { role: 'member' });
    expect([badUserRole.status, badUserRole.body.error.param]).toEqual([400, 'role']);
    const badProject = await api('POST', '/organization/invites', '/organization/invites', { email: 'd@example.com', role: 'reader', projects: [{ id: 'proj_nope', role: 'member' }] });
    expect([badProject.status, badProject.body.error.param]).toEqual([400, 'projects[0].id']);

    const accepted = emulator.organization.listInvites().find((i) => i.status === 'accepted')!;
    const deleteAccepted = await api('DELETE', '/organization/invites/{invite_id}', `/organization/invites/${accepted.id}`);
    expect(deleteAccepted.status).toBe(400);

    const missing = await api('GET', '/organization/invites/{invite_id}', '/organization/invites/invite-nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'not_found' });
    expect((await api('GET', '/organization/users/{user_id}', '/organization/users/user-nope')).status).toBe(404);
    expect((await api('GET', '/organization/projects/{project_id}', '/organization/projects/proj_nope')).status).toBe(404);

    expect((await api('POST', '/organization/projects/{project_id}', '/organization/projects/proj_default', { name: 'x' })).status).toBe(400);
    const outsider = await api('POST', '/organization/projects/{project_id}/users', '/organization/projects/proj_default/users', { email: 'nobody@example.com', role: 'member' });
    expect([outsider.status, outsider.body.error.param]).toEqual([400, 'email']);
    const again = await api('POST', '/organization/projects/{project_id}/users', '/organization/projects/proj_default/users', { user_id: ada.id, role: 'member' });
    expect([again.status, again.body.error.code]).toEqual([400, 'user_already_in_project']);

    const project = (await api('POST', '/organization/projects', '/organization/projects', { name: 'Old' })).body;
    await api('POST', '/organization/projects/{project_id}/archive', `/organization/projects/${project.id}/archive`);
    expect((await api('GET', '/organization/projects/{project_id}/users', `/organization/projects/${project.id}/users`)).status).toBe(400);

    for (const query of ['limit=0', 'limit=101', 'limit=x', 'after=invite-unknown']) {
      const bad = await api('GET', '/organization/invites', `/organization/invites?${query}`);
      expect([query, bad.status, bad.body.error.type]).toEqual([query, 400, 'invalid_request_error']);
    }
    const unknownPath = await fetch(`${emulator.baseUrl}/organization/nothing`, { headers: { authorization: `Bearer ${emulator.adminKey}` } });
    expect(unknownPath.status).toBe(404);
    expect(((await unknownPath.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('accepts an invite into a user with its projects, and expires invites on request or with the clock', async () => {
    const project = (await api('POST', '/organization/projects', '/organization/projects', { name: 'Research' })).body;
    const withProjects = await invite('ada@example.com', { role: 'owner', projects: [{ id: project.id, role: 'owner' }] });
    const { body } = await control(`/invites/${withProjects.id}/accept`);
    expect(body.invite).toMatchObject({ status: 'accepted', id: withProjects.id });
    expect(body.user).toMatchObject({ object: 'organization.user', email: 'ada@example.com', role: 'owner' });
    const inProject = await api('GET', '/organization/projects/{project_id}/users/{user_id}', `/organization/projects/${project.id}/users/${body.user.id}`);
    expect(inProject.body.role).toBe('owner');
    // projects: [] means not even the default project.
    expect((await api('GET', '/organization/projects/{project_id}/users/{user_id}', `/organization/projects/proj_default/users/${body.user.id}`)).status).toBe(404);
    expect((await control(`/invites/${withProjects.id}/accept`)).status).toBe(400);

    const toExpire = await invite('bob@example.com');
    expect((await control(`/invites/${toExpire.id}/expire`)).body.status).toBe('expired');
    expect((await control(`/invites/${toExpire.id}/accept`)).status).toBe(400);
    // An expired invite does not block a fresh one.
    await invite('bob@example.com');

    await invite('carol@example.com');
    expect((await control('/clock', { advanceSeconds: 8 * 86_400 })).status).toBe(200);
    const carol = (await api('GET', '/organization/invites', '/organization/invites')).body.data.find((i: { email: string }) => i.email === 'carol@example.com');
    expect(carol.status).toBe('expired');
  });

  it('keeps control endpoints to loopback and reports state and served requests', async () => {
    await invite('ada@example.com');
    const state = (await (await fetch(`${emulator.url}/_emulator/state`)).json()) as { invites: unknown[]; projects: { id: string }[] };
    expect(state.invites).toHaveLength(1);
    expect(state.projects.map((p) => p.id)).toEqual(['proj_default']);
    const requests = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as { method: string; path: string; status: number }[];
    expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toContain('POST /v1/organization/invites 200');
  });
});

describe('the schema check itself', () => {
  it('rejects shapes that break the description and accepts its nullable (anyOf null) forms', () => {
    expect(schemaProblems('Invite', { object: 'organization.invite', id: 'invite-x', email: 'a@b.c', role: 'admin', status: 'pending', created_at: 1, projects: [] })).not.toEqual([]);
    expect(schemaProblems('InviteListResponse', { object: 'list', data: [] })).not.toEqual([]);
    expect(schemaProblems('ErrorResponse', { error: { message: 'm', type: 't' } })).not.toEqual([]);
    expect(schemaProblems('Project', { object: 'organization.project', id: 'proj_x', created_at: 1, name: null, status: null, archived_at: null })).toEqual([]);
    expect(schemaProblems('Project', { object: 'organization.project', id: 'proj_x', created_at: 1.5 })).not.toEqual([]);
  });
});
