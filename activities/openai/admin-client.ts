import type { Dispatcher } from 'undici';
import type { Secret } from '../../config/index.ts';
import { JsonHttp, type ParsedErrorBody } from './http.ts';

export type OrgRole = 'owner' | 'reader';
export type ProjectRole = 'owner' | 'member';

export interface Invite {
  object: 'organization.invite';
  id: string;
  email: string;
  role: OrgRole;
  status: 'pending' | 'accepted' | 'expired';
  /** Newer API versions send `created_at`, older ones `invited_at`; the client fills both. */
  created_at: number;
  invited_at?: number;
  expires_at?: number | null;
  accepted_at?: number | null;
  projects: { id: string; role: ProjectRole }[];
}

export interface OrgUser {
  object: 'organization.user';
  id: string;
  email?: string | null;
  name?: string | null;
  /** `owner` or `reader`; newer API versions allow other (custom) values and null. */
  role?: string | null;
  added_at: number;
  is_scim_managed?: boolean;
}

export interface Project {
  object: 'organization.project';
  id: string;
  name?: string | null;
  created_at: number;
  archived_at?: number | null;
  status?: 'active' | 'archived' | null;
}

export interface ProjectUser {
  object: 'organization.project.user';
  id: string;
  name?: string | null;
  email?: string | null;
  role: string;
  added_at: number;
}

export interface Deleted<O extends string> {
  object: O;
  id: string;
  deleted: boolean;
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more: boolean;
}

export interface AdminClientOptions {
  /** e.g. https://api.openai.com/v1 (a trailing slash is ignored). */
  baseUrl: string;
  adminKey: Secret;
  /** Budget of one call, milliseconds (OPENAI_TIMEOUT_MS, default 30000). */
  timeoutMs: number;
  /** Connection pool; default: one shared keep-alive agent per client. */
  dispatcher?: Dispatcher;
  /** In-client retries of a read on a dropped connection or 5xx. Default 2. */
  readRetries?: number;
  /** Page size when walking lists, 1–100. Default 100. */
  pageSize?: number;
}

function parseOpenAIError(body: unknown): ParsedErrorBody {
  const error = (body as { error?: ParsedErrorBody } | null)?.error;
  if (!error || typeof error !== 'object') return {};
  return { message: typeof error.message === 'string' ? error.message : undefined, type: error.type, code: error.code, param: error.param };
}

const seg = encodeURIComponent;

/**
 * A client for OpenAI's organization Admin API (invites, users, projects, project users):
 * OpenAI's paths and shapes, cursor pagination walked to the end, typed errors
 * (errors.ts), a deadline on every call and one keep-alive pool.
 */
export class AdminClient {
  private readonly http: JsonHttp;
  private readonly pageSize: number;

  constructor(options: AdminClientOptions) {
    this.http = new JsonHttp({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: options.adminKey,
      timeoutMs: options.timeoutMs,
      service: 'OpenAI',
      mediaType: 'application/json',
      parseError: parseOpenAIError,
      dispatcher: options.dispatcher,
      readRetries: options.readRetries,
    });
    this.pageSize = options.pageSize ?? 100;
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await this.http.send<T>(method, path, body);
    return response.body as T;
  }

  private static normalizeInvite(invite: Invite): Invite {
    const created = invite.created_at ?? invite.invited_at;
    return { ...invite, created_at: created, invited_at: created, projects: invite.projects ?? [] };
  }

  /** Walks a cursor-paginated list to its end (`after` = the previous page's `last_id`). */
  private async *paginate<T extends { id: string }>(path: string, query: Record<string, string | string[]> = {}): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const params = new URLSearchParams({ limit: String(this.pageSize) });
      for (const [key, value] of Object.entries(query)) {
        for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
      }
      if (after) params.set('after', after);
      const page = await this.call<ListPage<T>>('GET', `${path}?${params}`);
      yield* page.data;
      const last = page.last_id ?? page.data.at(-1)?.id;
      if (!page.has_more || !last || last === after) return;
      after = last;
    }
  }

  // Invites

  async *listInvites(): AsyncGenerator<Invite> {
    for await (const invite of this.paginate<Invite>('/organization/invites')) yield AdminClient.normalizeInvite(invite);
  }

  async createInvite(input: { email: string; role: OrgRole; projects?: { id: string; role: ProjectRole }[] }): Promise<Invite> {
    return AdminClient.normalizeInvite(await this.call<Invite>('POST', '/organization/invites', input));
  }

  async retrieveInvite(inviteId: string): Promise<Invite> {
    return AdminClient.normalizeInvite(await this.call<Invite>('GET', `/organization/invites/${seg(inviteId)}`));
  }

  /** Revokes an invite. OpenAI refuses (4xx) to delete one that was accepted. */
  async deleteInvite(inviteId: string): Promise<Deleted<'organization.invite.deleted'>> {
    return this.call('DELETE', `/organization/invites/${seg(inviteId)}`);
  }

  // Organization users

  /** `emails` filters on the server (sent as `emails[]`, as OpenAI's SDKs do); callers still compare, as the filter's case rules are undocumented. */
  async *listUsers(filter: { emails?: string[] } = {}): AsyncGenerator<OrgUser> {
    yield* this.paginate<OrgUser>('/organization/users', filter.emails ? { 'emails[]': filter.emails } : {});
  }

  async retrieveUser(userId: string): Promise<OrgUser> {
    return this.call('GET', `/organization/users/${seg(userId)}`);
  }

  async modifyUserRole(userId: string, role: OrgRole): Promise<OrgUser> {
    return this.call('POST', `/organization/users/${seg(userId)}`, { role });
  }

  async deleteUser(userId: string): Promise<Deleted<'organization.user.deleted'>> {
    return this.call('DELETE', `/organization/users/${seg(userId)}`);
  }

  // Projects

  async *listProjects(filter: { includeArchived?: boolean } = {}): AsyncGenerator<Project> {
    yield* this.paginate<Project>('/organization/projects', filter.includeArchived ? { include_archived: 'true' } : {});
  }

  async retrieveProject(projectId: string): Promise<Project> {
    return this.call('GET', `/organization/projects/${seg(projectId)}`);
  }

  // Project users

  async *listProjectUsers(projectId: string): AsyncGenerator<ProjectUser> {
    yield* this.paginate<ProjectUser>(`/organization/projects/${seg(projectId)}/users`);
  }

  async retrieveProjectUser(projectId: string, userId: string): Promise<ProjectUser> {
    return this.call('GET', `/organization/projects/${seg(projectId)}/users/${seg(userId)}`);
  }

  /** The user must already be a member of the organization. */
  async addProjectUser(projectId: string, input: { userId: string; role: ProjectRole }): Promise<ProjectUser> {
    return this.call('POST', `/organization/projects/${seg(projectId)}/users`, { user_id: input.userId, role: input.role });
  }

  async modifyProjectUserRole(projectId: string, userId: string, role: ProjectRole): Promise<ProjectUser> {
    return this.call('POST', `/organization/projects/${seg(projectId)}/users/${seg(userId)}`, { role });
  }

  async removeProjectUser(projectId: string, userId: string): Promise<Deleted<'organization.project.user.deleted'>> {
    return this.call('DELETE', `/organization/projects/${seg(projectId)}/users/${seg(userId)}`);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
