/**
 * One error taxonomy for every OpenAI call (Admin API and SCIM), decided here from the
 * HTTP status. Messages carry the service's own message, status and request id, never
 * the key or token.
 */

export interface OpenAIErrorDetails {
  status: number;
  message: string;
  type?: string | null;
  code?: string | null;
  param?: string | null;
  requestId?: string | null;
  method: string;
  path: string;
  /** Which API answered; names the error in messages. Default `OpenAI`. */
  service?: 'OpenAI' | 'SCIM';
}

export class OpenAIError extends Error {
  override readonly name: string = 'OpenAIError';
  readonly status: number;
  readonly type: string | null;
  readonly code: string | null;
  readonly param: string | null;
  readonly requestId: string | null;
  readonly details: OpenAIErrorDetails;

  constructor(details: OpenAIErrorDetails) {
    const id = details.requestId ? `, request ${details.requestId}` : '';
    const answered = details.status === 0 ? 'failed' : `answered ${details.status}`;
    super(`${details.service ?? 'OpenAI'} ${details.method} ${details.path} ${answered}: ${details.message}${id}`);
    this.status = details.status;
    this.type = details.type ?? null;
    this.code = details.code ?? null;
    this.param = details.param ?? null;
    this.requestId = details.requestId ?? null;
    this.details = details;
  }
}

/** 401/403: the key is wrong, revoked or lacks a scope. Retrying cannot help. */
export class OpenAIAuthError extends OpenAIError {
  override readonly name = 'OpenAIAuthError';
}
/** 404: the object does not exist. */
export class OpenAINotFoundError extends OpenAIError {
  override readonly name = 'OpenAINotFoundError';
}
/** 400/422 (and other 4xx): the service refused the request as invalid. */
export class OpenAIInvalidRequestError extends OpenAIError {
  override readonly name = 'OpenAIInvalidRequestError';
}
/** 409 (and SCIM's `uniqueness`): the request conflicts with the object's state. */
export class OpenAIConflictError extends OpenAIError {
  override readonly name = 'OpenAIConflictError';
}
/** 429: slow down; retry after `retryAfterMs` (from Retry-After, capped). */
export class OpenAIRateLimitError extends OpenAIError {
  override readonly name = 'OpenAIRateLimitError';
  readonly retryAfterMs: number | undefined;

  constructor(details: OpenAIErrorDetails, retryAfterMs: number | undefined) {
    super(details);
    this.retryAfterMs = retryAfterMs;
  }
}
/** 5xx, 408, timeouts and dropped connections: retryable. */
export class OpenAIUnavailableError extends OpenAIError {
  override readonly name = 'OpenAIUnavailableError';
}

/** Longest Retry-After honoured, milliseconds; longer ones are capped so a run never sleeps for hours on one header. */
export const MAX_RETRY_AFTER_MS = 60_000;

export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

export function errorForStatus(details: OpenAIErrorDetails, retryAfter?: string): OpenAIError {
  const { status } = details;
  if (status === 401 || status === 403) return new OpenAIAuthError(details);
  if (status === 404) return new OpenAINotFoundError(details);
  // SCIM servers that answer a duplicate with 400 still say `scimType: uniqueness` (RFC 7644 §3.3).
  if (status === 409 || (status === 400 && details.code === 'uniqueness')) return new OpenAIConflictError(details);
  if (status === 429) return new OpenAIRateLimitError(details, parseRetryAfter(retryAfter));
  if (status >= 500 || status === 408 || status === 0) return new OpenAIUnavailableError(details);
  return new OpenAIInvalidRequestError(details);
}

/**
 * Why an action cannot do what it was asked, found by looking at the organization
 * (not an HTTP error): e.g. setting the role of someone who is not a member. Never retried.
 */
export type ActionRefusalCode =
  | 'OPENAI_NOT_A_MEMBER'
  | 'OPENAI_NO_INVITE'
  | 'OPENAI_INVITE_EXPIRED'
  | 'OPENAI_ACCEPTANCE_TIMEOUT'
  | 'SCIM_USER_NOT_FOUND'
  | 'SCIM_NOT_CONFIGURED'
  | 'INVALID_ACTION_INPUT';

export class ActionRefusedError extends Error {
  override readonly name = 'ActionRefusedError';
  readonly code: ActionRefusalCode;

  constructor(code: ActionRefusalCode, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The invite is still pending: `openai.awaitAcceptance` looks again after `retryAfterMs`.
 * Thrown as a retryable failure so the wait holds no worker slot between looks.
 */
export class InviteNotYetAcceptedError extends Error {
  override readonly name = 'InviteNotYetAcceptedError';
  readonly retryAfterMs: number;
  readonly inviteId: string;
  /** When the invite waited for was sent, Unix ms (when known). */
  readonly sentAtMs: number | undefined;

  constructor(message: string, inviteId: string, retryAfterMs: number, sentAtMs?: number) {
    super(message);
    this.inviteId = inviteId;
    this.retryAfterMs = retryAfterMs;
    this.sentAtMs = sentAtMs;
  }
}
