import { ApplicationFailure } from '@temporalio/common';
import { ActionRefusedError, InviteNotYetAcceptedError, OpenAIError, OpenAIRateLimitError, type ActionRefusalCode } from './errors.ts';

/** The stable failure types of HTTP errors that cross the activity boundary. Operators and tests read these. */
export const FAILURE_TYPES = {
  OpenAIAuthError: 'OPENAI_AUTH',
  OpenAINotFoundError: 'OPENAI_NOT_FOUND',
  OpenAIInvalidRequestError: 'OPENAI_INVALID_REQUEST',
  OpenAIConflictError: 'OPENAI_CONFLICT',
  OpenAIRateLimitError: 'OPENAI_RATE_LIMITED',
  OpenAIUnavailableError: 'OPENAI_UNAVAILABLE',
} as const;

/** Every `type` an OpenAI or SCIM activity can fail with. */
export type OpenAIFailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES] | ActionRefusalCode | 'INVITE_NOT_YET_ACCEPTED';

const RETRYABLE: ReadonlySet<OpenAIFailureType> = new Set(['OPENAI_RATE_LIMITED', 'OPENAI_UNAVAILABLE', 'INVITE_NOT_YET_ACCEPTED']);

/** Whether a failure of this type is retried; the one place this is decided. */
export function isRetryable(type: OpenAIFailureType): boolean {
  return RETRYABLE.has(type);
}

/**
 * The one place that decides whether an OpenAI error is retried: 429 and 5xx/network
 * are; every other 4xx fails the step at once. Rate limits retry after Retry-After.
 */
export function toApplicationFailure(error: OpenAIError | ActionRefusedError | InviteNotYetAcceptedError): ApplicationFailure {
  if (error instanceof ActionRefusedError) {
    return ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: !isRetryable(error.code) });
  }
  if (error instanceof InviteNotYetAcceptedError) {
    // A fixed interval between looks (Temporal's infrequent-polling pattern): no backoff growth.
    return ApplicationFailure.create({
      type: 'INVITE_NOT_YET_ACCEPTED',
      message: error.message,
      nonRetryable: false,
      details: [{ inviteId: error.inviteId }],
      nextRetryDelay: error.retryAfterMs,
    });
  }
  const type = FAILURE_TYPES[error.name as keyof typeof FAILURE_TYPES] ?? 'OPENAI_UNAVAILABLE';
  return ApplicationFailure.create({
    type,
    message: error.message,
    nonRetryable: !isRetryable(type),
    details: [{ status: error.status, type: error.type, code: error.code, param: error.param, requestId: error.requestId }],
    ...(error instanceof OpenAIRateLimitError && error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}

/** Runs `fn`, turning OpenAI errors and refusals into ApplicationFailures; anything else propagates as is. */
export async function atOpenAIBoundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OpenAIError || error instanceof ActionRefusedError || error instanceof InviteNotYetAcceptedError) {
      throw toApplicationFailure(error);
    }
    throw error;
  }
}
