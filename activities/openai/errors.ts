/**
 * One error taxonomy for every OpenAI call, decided here from the HTTP status. Messages
 * carry OpenAI's own message, status and request id, never the key.
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
    super(`OpenAI ${details.method} ${details.path} answered ${details.status}: ${details.message}${id}`);
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
/** 400/422: OpenAI refused the request as invalid. */
export class OpenAIInvalidRequestError extends OpenAIError {
  override readonly name = 'OpenAIInvalidRequestError';
}
/** 409: the request conflicts with the object's state. */
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
/** 5xx, timeouts and dropped connections: retryable. */
export class OpenAIUnavailableError extends OpenAIError {
  override readonly name = 'OpenAIUnavailableError';
}

/** Longest Retry-After honoured; longer ones are capped so a run never sleeps for hours on one header. */
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
  if (status === 409) return new OpenAIConflictError(details);
  if (status === 429) return new OpenAIRateLimitError(details, parseRetryAfter(retryAfter));
  if (status >= 500) return new OpenAIUnavailableError(details);
  return new OpenAIInvalidRequestError(details);
}
