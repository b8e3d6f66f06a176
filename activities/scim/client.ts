import type { Dispatcher } from 'undici';
import type { Secret } from '../../config/index.ts';
import { OpenAIConflictError, OpenAINotFoundError } from '../openai/errors.ts';
import { JsonHttp, type ParsedErrorBody } from '../openai/http.ts';

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A SCIM 2.0 User as this client reads it (RFC 7643 §4.1); servers may send more. */
export interface ScimUser {
  id: string;
  userName: string;
  externalId?: string;
  active?: boolean;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  emails?: { value: string; type?: string; primary?: boolean }[];
  meta?: { resourceType?: string; created?: string; lastModified?: string; location?: string; version?: string };
}

export interface ScimListResponse {
  totalResults: number;
  startIndex?: number;
  itemsPerPage?: number;
  Resources?: ScimUser[];
}

export interface NewScimUser {
  userName: string;
  givenName?: string | undefined;
  familyName?: string | undefined;
  externalId?: string | undefined;
  active?: boolean | undefined;
}

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface ScimClientOptions {
  /** The SCIM base URL, ending in the version, e.g. https://host/scim/v2 (OPENAI_SCIM_BASE_URL). */
  baseUrl: string;
  /** Bearer token (OPENAI_SCIM_TOKEN). */
  token: Secret;
  /** Budget of one call, milliseconds. */
  timeoutMs: number;
  dispatcher?: Dispatcher;
  /** In-client retries of a read on a dropped connection or 5xx. Default 2. */
  readRetries?: number;
  /** Page size when walking `listUsers`. Default 100. */
  pageSize?: number;
}

/** Reads a SCIM Error (RFC 7644 §3.12): `status` may be a string or a number, the rest may be missing. */
function parseScimError(body: unknown): ParsedErrorBody {
  if (!body || typeof body !== 'object') return {};
  const b = body as { detail?: unknown; scimType?: unknown; status?: unknown };
  return {
    message: typeof b.detail === 'string' ? b.detail : undefined,
    type: 'scim_error',
    code: typeof b.scimType === 'string' ? b.scimType : null,
  };
}

/** Attribute names are case-insensitive (RFC 7643 §2.1): finds `key` in `record` whatever its case. */
function field(record: Record<string, unknown>, key: string): unknown {
  if (key in record) return record[key];
  const wanted = key.toLowerCase();
  const found = Object.keys(record).find((k) => k.toLowerCase() === wanted);
  return found === undefined ? undefined : record[found];
}

function readUser(raw: unknown): ScimUser {
  const r = (raw ?? {}) as Record<string, unknown>;
  return { ...(r as unknown as ScimUser), id: String(field(r, 'id')), userName: String(field(r, 'userName')), active: field(r, 'active') as boolean | undefined };
}

/** SCIM compares `userName` without case (RFC 7643 §4.1: caseExact false); so do we, whatever the server did. */
export const sameUserName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** JSON-escapes a value for a filter literal (RFC 7644 §3.4.2.2). */
const filterLiteral = (value: string) => JSON.stringify(value);

/**
 * A client for a SCIM 2.0 Users endpoint (RFC 7643/7644), following the conventions
 * identity providers agree on: `application/scim+json`, look up by
 * `filter=userName eq "…"`, lowercase PATCH ops with real booleans, 200 or 204 on PATCH,
 * 409 or `scimType: uniqueness` meaning "exists, look it up". Errors use the same taxonomy
 * as the Admin API (activities/openai/errors.ts).
 */
export class ScimClient {
  private readonly http: JsonHttp;
  private readonly pageSize: number;

  constructor(options: ScimClientOptions) {
    this.http = new JsonHttp({
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      token: options.token,
      timeoutMs: options.timeoutMs,
      service: 'SCIM',
      mediaType: 'application/scim+json',
      parseError: parseScimError,
      dispatcher: options.dispatcher,
      readRetries: options.readRetries,
    });
    this.pageSize = options.pageSize ?? 100;
  }

  /** The user whose `userName` equals `userName` without case, or undefined (a 404 answer counts as none, as Okta allows). */
  async findByUserName(userName: string): Promise<ScimUser | undefined> {
    const params = new URLSearchParams({ filter: `userName eq ${filterLiteral(userName)}`, startIndex: '1', count: String(this.pageSize) });
    let list: ScimListResponse | undefined;
    try {
      list = (await this.http.send<ScimListResponse>('GET', `/Users?${params}`)).body;
    } catch (error) {
      if (error instanceof OpenAINotFoundError) return undefined;
      throw error;
    }
    return (list?.Resources ?? []).map(readUser).find((u) => sameUserName(u.userName, userName));
  }

  /** Every user, walking `startIndex` until `totalResults` (RFC 7644 §3.4.2.4); never assumes `itemsPerPage == count`. */
  async *listUsers(): AsyncGenerator<ScimUser> {
    let startIndex = 1;
    for (;;) {
      const params = new URLSearchParams({ startIndex: String(startIndex), count: String(this.pageSize) });
      const list = (await this.http.send<ScimListResponse>('GET', `/Users?${params}`)).body;
      const resources = list?.Resources ?? [];
      for (const raw of resources) yield readUser(raw);
      startIndex += resources.length;
      if (resources.length === 0 || startIndex > (list?.totalResults ?? 0)) return;
    }
  }

  private async scanForUserName(userName: string): Promise<ScimUser | undefined> {
    for await (const user of this.listUsers()) if (sameUserName(user.userName, userName)) return user;
    return undefined;
  }

  async getUser(id: string): Promise<ScimUser> {
    return readUser((await this.http.send('GET', `/Users/${encodeURIComponent(id)}`)).body);
  }

  /**
   * Creates the user, or adopts the existing one when the server says it exists (409, or
   * `scimType: uniqueness` with another status). `created` tells which happened.
   */
  async createUser(input: NewScimUser): Promise<{ user: ScimUser; created: boolean }> {
    const name = input.givenName !== undefined || input.familyName !== undefined ? { name: { givenName: input.givenName, familyName: input.familyName } } : {};
    const body = {
      schemas: [SCIM_USER_SCHEMA],
      userName: input.userName,
      active: input.active ?? true,
      ...name,
      ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
      ...(input.userName.includes('@') ? { emails: [{ value: input.userName, type: 'work', primary: true }] } : {}),
    };
    try {
      const response = await this.http.send('POST', '/Users', body);
      return { user: readUser(response.body), created: true };
    } catch (error) {
      if (!(error instanceof OpenAIConflictError)) throw error;
      // Some servers filter `eq` with case (SCIMMY does); then walk the list and compare without it.
      const existing = (await this.findByUserName(input.userName)) ?? (await this.scanForUserName(input.userName));
      if (!existing) throw error;
      return { user: existing, created: false };
    }
  }

  /** Applies a PatchOp. Servers answer 200 with the resource or 204 without one; after a 204 the user is read back. */
  async patchUser(id: string, operations: PatchOperation[]): Promise<ScimUser> {
    const response = await this.http.send('PATCH', `/Users/${encodeURIComponent(id)}`, { schemas: [SCIM_PATCH_SCHEMA], Operations: operations });
    if (response.status === 204 || response.body === undefined) return this.getUser(id);
    return readUser(response.body);
  }

  /** `replace active` with a real boolean: false deactivates, true reactivates. */
  async setActive(id: string, active: boolean): Promise<ScimUser> {
    return this.patchUser(id, [{ op: 'replace', path: 'active', value: active }]);
  }

  /** Deletes the user; false when it was already gone (404). */
  async deleteUser(id: string): Promise<boolean> {
    try {
      await this.http.send('DELETE', `/Users/${encodeURIComponent(id)}`);
      return true;
    } catch (error) {
      if (error instanceof OpenAINotFoundError) return false;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
