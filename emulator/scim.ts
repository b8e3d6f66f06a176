/**
 * The emulator's generic SCIM 2.0 (RFC 7643/7644) Users service: filters, ListResponse,
 * PatchOp, errors. It is *generic* SCIM, not OpenAI's (OpenAI publishes no SCIM contract);
 * state.ts maps its users onto the organization.
 */
import { SCIM_USER_SCHEMA, ScimHttpError, type ScimUser } from './state.ts';

export const SCIM_MEDIA_TYPE = 'application/scim+json';
export const SCIM_ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SCIM_LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Largest `count` served; larger requests get this many (RFC 7644 §3.4.2.4 lets a server return fewer). */
export const SCIM_MAX_RESULTS = 200;

type Literal = string | boolean | null;
interface Comparison {
  attr: string;
  value: Literal;
}

/** Attributes a filter may compare, with their case rule (RFC 7643 §4.1: userName is caseExact false, id and externalId true). */
const FILTERABLE: Record<string, { caseExact: boolean; read: (u: ScimUser) => unknown[] }> = {
  username: { caseExact: false, read: (u) => [u.userName] },
  id: { caseExact: true, read: (u) => [u.id] },
  externalid: { caseExact: true, read: (u) => [u.externalId] },
  displayname: { caseExact: false, read: (u) => [u.displayName] },
  active: { caseExact: true, read: (u) => [u.active] },
  'name.givenname': { caseExact: false, read: (u) => [u.name?.givenName] },
  'name.familyname': { caseExact: false, read: (u) => [u.name?.familyName] },
  'emails.value': { caseExact: false, read: (u) => (u.emails ?? []).map((e) => e.value) },
};

const USER_URN_PREFIX = `${SCIM_USER_SCHEMA.toLowerCase()}:`;
const normalizeAttr = (attr: string) => {
  const a = attr.toLowerCase();
  return a.startsWith(USER_URN_PREFIX) ? a.slice(USER_URN_PREFIX.length) : a;
};

const COMPARISON = /^\s*([A-Za-z][\w.:-]*)\s+([A-Za-z]+)\s+("(?:[^"\\]|\\.)*"|true|false|null)\s*/i;

/**
 * Parses the filters identity providers send to look users up: `attr eq value`, joined by
 * `and` (what Entra ID documents it uses; Okta uses `userName eq`). Anything else is an
 * RFC 7644 `invalidFilter`, rather than a silently wrong answer.
 */
export function parseScimFilter(filter: string): Comparison[] {
  const comparisons: Comparison[] = [];
  let rest = filter;
  for (;;) {
    const match = COMPARISON.exec(rest);
    if (!match) throw new ScimHttpError(400, `Unsupported or malformed filter '${filter}': this server supports 'attribute eq value' joined by 'and'`, 'invalidFilter');
    const [whole, attr, op, literal] = match as unknown as [string, string, string, string];
    if (op.toLowerCase() !== 'eq') throw new ScimHttpError(400, `Unsupported filter operator '${op}': this server supports 'eq' only`, 'invalidFilter');
    if (!FILTERABLE[normalizeAttr(attr)]) {
      throw new ScimHttpError(400, `Cannot filter on '${attr}': filterable attributes are ${Object.keys(FILTERABLE).join(', ')}`, 'invalidFilter');
    }
    comparisons.push({ attr: normalizeAttr(attr), value: JSON.parse(literal) as Literal });
    rest = rest.slice(whole.length);
    if (rest.trim() === '') return comparisons;
    const and = /^and\s+/i.exec(rest);
    if (!and) throw new ScimHttpError(400, `Unsupported or malformed filter '${filter}': this server supports 'attribute eq value' joined by 'and'`, 'invalidFilter');
    rest = rest.slice(and[0].length);
  }
}

export function matchesScimFilter(user: ScimUser, comparisons: Comparison[]): boolean {
  return comparisons.every(({ attr, value }) => {
    const rule = FILTERABLE[attr]!;
    return rule.read(user).some((actual) => {
      if (typeof actual === 'string' && typeof value === 'string') {
        return rule.caseExact ? actual === value : actual.toLowerCase() === value.toLowerCase();
      }
      return (actual ?? null) === value;
    });
  });
}

/** The writable attributes of a SCIM user (what PUT and PATCH may set). */
export type ScimUserAttributes = Omit<ScimUser, 'id' | 'meta' | 'schemas'>;

function invalid(detail: string, scimType = 'invalidValue'): ScimHttpError {
  return new ScimHttpError(400, detail, scimType);
}

function asString(value: unknown, attr: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(`'${attr}' must be a non-empty string`);
  return value;
}

/** Validates a POST or PUT body (RFC 7643 §4.1: `schemas` and `userName` are required). */
export function parseScimUserBody(body: unknown): ScimUserAttributes {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalid('the request body must be a SCIM User object', 'invalidSyntax');
  const b = body as Record<string, unknown>;
  const schemas = b.schemas;
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SCIM_USER_SCHEMA.toLowerCase())) {
    throw invalid(`'schemas' must list ${SCIM_USER_SCHEMA}`);
  }
  const user: ScimUserAttributes = { userName: asString(b.userName, 'userName'), active: true };
  if (b.active !== undefined) {
    if (typeof b.active !== 'boolean') throw invalid(`'active' must be a boolean, not ${JSON.stringify(b.active)}`);
    user.active = b.active;
  }
  if (b.externalId !== undefined) user.externalId = asString(b.externalId, 'externalId');
  if (b.displayName !== undefined) user.displayName = asString(b.displayName, 'displayName');
  if (b.name !== undefined) user.name = parseName(b.name);
  if (b.emails !== undefined) user.emails = parseEmails(b.emails);
  return user;
}

function parseName(value: unknown): NonNullable<ScimUser['name']> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(`'name' must be an object`);
  const v = value as Record<string, unknown>;
  const name: NonNullable<ScimUser['name']> = {};
  for (const key of ['givenName', 'familyName', 'formatted'] as const) {
    if (v[key] !== undefined) name[key] = asString(v[key], `name.${key}`);
  }
  return name;
}

function parseEmails(value: unknown): NonNullable<ScimUser['emails']> {
  if (!Array.isArray(value)) throw invalid(`'emails' must be an array`);
  return value.map((e, i) => {
    if (!e || typeof e !== 'object') throw invalid(`'emails[${i}]' must be an object`);
    const r = e as Record<string, unknown>;
    return {
      value: asString(r.value, `emails[${i}].value`),
      ...(typeof r.type === 'string' ? { type: r.type } : {}),
      ...(typeof r.primary === 'boolean' ? { primary: r.primary } : {}),
    };
  });
}

/** Sets (or removes, with `undefined`) one attribute by path on a copy being patched. */
function setPath(user: ScimUserAttributes, rawPath: string, value: unknown, op: 'add' | 'replace' | 'remove'): void {
  const path = normalizeAttr(rawPath);
  const remove = op === 'remove';
  switch (path) {
    case 'username':
      if (remove) throw invalid(`'userName' is required and cannot be removed`, 'mutability');
      user.userName = asString(value, 'userName');
      return;
    case 'active':
      if (remove) throw invalid(`'active' cannot be removed`, 'mutability');
      if (typeof value !== 'boolean') throw invalid(`'active' must be a boolean, not ${JSON.stringify(value)}`);
      user.active = value;
      return;
    case 'externalid':
    case 'displayname': {
      const key = path === 'externalid' ? 'externalId' : 'displayName';
      if (remove) delete user[key];
      else user[key] = asString(value, key);
      return;
    }
    case 'name':
      if (remove) delete user.name;
      else user.name = op === 'add' ? { ...user.name, ...parseName(value) } : parseName(value);
      return;
    case 'name.givenname':
    case 'name.familyname':
    case 'name.formatted': {
      const key = path === 'name.givenname' ? 'givenName' : path === 'name.familyname' ? 'familyName' : 'formatted';
      const name = { ...user.name };
      if (remove) delete name[key];
      else name[key] = asString(value, `name.${key}`);
      user.name = name;
      return;
    }
    case 'emails':
      if (remove) delete user.emails;
      else user.emails = op === 'add' ? [...(user.emails ?? []), ...parseEmails(value)] : parseEmails(value);
      return;
    case 'id':
    case 'meta':
    case 'schemas':
      throw invalid(`'${rawPath}' is read-only`, 'mutability');
    default:
      throw invalid(`Unsupported path '${rawPath}'`, 'invalidPath');
  }
}

/**
 * Applies a PatchOp (RFC 7644 §3.5.2) to a copy of `current` and returns it; the caller
 * stores it only if every operation succeeded (PATCH is atomic). `op` is matched without
 * case; `active` must be a real boolean.
 */
export function applyScimPatch(current: ScimUser, body: unknown): ScimUserAttributes {
  const b = (body ?? {}) as Record<string, unknown>;
  if (!Array.isArray(b.schemas) || !b.schemas.includes(SCIM_PATCH_SCHEMA)) throw invalid(`'schemas' must list ${SCIM_PATCH_SCHEMA}`);
  const ops = b.Operations;
  if (!Array.isArray(ops) || ops.length === 0) throw invalid(`'Operations' must be a non-empty array`);
  const { id: _id, meta: _meta, schemas: _schemas, ...attributes } = current;
  const next = structuredClone(attributes) as ScimUserAttributes;
  for (const [index, raw] of ops.entries()) {
    const operation = (raw ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
    const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw invalid(`Operations[${index}].op must be add, replace or remove`, 'invalidSyntax');
    if (operation.path !== undefined && typeof operation.path !== 'string') throw invalid(`Operations[${index}].path must be a string`, 'invalidPath');
    if (typeof operation.path === 'string') {
      setPath(next, operation.path, operation.value, op);
    } else {
      if (op === 'remove') throw invalid(`Operations[${index}]: remove needs a path`, 'noTarget');
      const value = operation.value;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(`Operations[${index}].value must be an object when there is no path`);
      for (const [key, v] of Object.entries(value)) setPath(next, key, v, op);
    }
  }
  return next;
}

export function scimError(status: number, detail: string, scimType: string | null = null) {
  return { schemas: [SCIM_ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function serviceProviderConfig() {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      { type: 'oauthbearertoken', name: 'Bearer token', description: 'Authorization: Bearer <token> (the emulator takes its admin key)', primary: true },
    ],
    meta: { resourceType: 'ServiceProviderConfig' },
  };
}
