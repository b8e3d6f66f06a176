import { Agent, request, type Dispatcher } from 'undici';
import type { Secret } from '../../config/index.ts';
import { errorForStatus, OpenAIUnavailableError, type OpenAIError } from './errors.ts';

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
  role?: string | null;
  added_at: number;
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more: boolean;
}

export interface AdminClientOptions {
  /** e.g. https://api.openai.com/v1 (no trailing slash). */
  baseUrl: string;
  adminKey: Secret;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /** Connection pool; default: one shared keep-alive agent per client. */
  dispatcher?: Dispatcher;
}

/** A client for OpenAI's organization Admin API: exact paths and shapes, typed errors. */
export class AdminClient {
  private readonly dispatcher: Dispatcher;
  private readonly options: AdminClientOptions;

  constructor(options: AdminClientOptions) {
    this.options = options;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${this.options.baseUrl}${path}`;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: `Bearer ${this.options.adminKey.reveal()}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
    } catch (error) {
      throw new OpenAIUnavailableError({
        status: 0,
        message: `network error: ${(error as Error).message}`,
        method,
        path: path.split('?')[0] ?? path,
      });
    }
    const text = await response.body.text();
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    if (response.statusCode >= 200 && response.statusCode < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new OpenAIUnavailableError({ status: response.statusCode, message: 'response was not JSON', method, path, requestId: header('x-request-id') ?? null });
      }
    }
    let parsed: { error?: { message?: string; type?: string; code?: string; param?: string } } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Some proxies answer with HTML; the status alone then decides.
    }
    const error: OpenAIError = errorForStatus(
      {
        status: response.statusCode,
        message: parsed.error?.message ?? (text.slice(0, 200) || `HTTP ${response.statusCode}`),
        type: parsed.error?.type ?? null,
        code: parsed.error?.code ?? null,
        param: parsed.error?.param ?? null,
        requestId: header('x-request-id') ?? null,
        method,
        path: path.split('?')[0] ?? path,
      },
      header('retry-after'),
    );
    throw error;
  }

  private static normalizeInvite(invite: Invite): Invite {
    const created = invite.created_at ?? invite.invited_at;
    return { ...invite, created_at: created, invited_at: created, projects: invite.projects ?? [] };
  }

  /** Walks a cursor-paginated list to its end. */
  private async *paginate<T extends { id: string }>(path: string, query: Record<string, string | string[]> = {}): AsyncGenerator<T> {
    let after: string | undefined;
    for (;;) {
      const params = new URLSearchParams({ limit: '100' });
      for (const [key, value] of Object.entries(query)) {
        for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
      }
      if (after) params.set('after', after);
      const page = await this.call<ListPage<T>>('GET', `${path}?${params}`);
      yield* page.data;
      const last = page.last_id ?? page.data.at(-1)?.id;
      if (!page.has_more || !last) return;
      after = last;
    }
  }

  async *listInvites(): AsyncGenerator<Invite> {
    for await (const invite of this.paginate<Invite>('/organization/invites')) yield AdminClient.normalizeInvite(invite);
  }

  async createInvite(input: { email: string; role: OrgRole; projects?: { id: string; role: ProjectRole }[] }): Promise<Invite> {
    return AdminClient.normalizeInvite(await this.call<Invite>('POST', '/organization/invites', input));
  }

  async retrieveInvite(inviteId: string): Promise<Invite> {
    return AdminClient.normalizeInvite(await this.call<Invite>('GET', `/organization/invites/${encodeURIComponent(inviteId)}`));
  }

  async *listUsers(filter: { emails?: string[] } = {}): AsyncGenerator<OrgUser> {
    yield* this.paginate<OrgUser>('/organization/users', filter.emails ? { 'emails[]': filter.emails } : {});
  }

  async close(): Promise<void> {
    if (!this.options.dispatcher) await this.dispatcher.close();
  }
}
