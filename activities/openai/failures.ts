import { ApplicationFailure } from '@temporalio/common';
import { OpenAIError, OpenAIRateLimitError } from './errors.ts';

/** The stable failure types that cross the activity boundary. Operators and tests read these. */
export const FAILURE_TYPES = {
  OpenAIAuthError: 'OPENAI_AUTH',
  OpenAINotFoundError: 'OPENAI_NOT_FOUND',
  OpenAIInvalidRequestError: 'OPENAI_INVALID_REQUEST',
  OpenAIConflictError: 'OPENAI_CONFLICT',
  OpenAIRateLimitError: 'OPENAI_RATE_LIMITED',
  OpenAIUnavailableError: 'OPENAI_UNAVAILABLE',
} as const;

export type OpenAIFailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];

const RETRYABLE: ReadonlySet<OpenAIFailureType> = new Set(['OPENAI_RATE_LIMITED', 'OPENAI_UNAVAILABLE']);

/**
 * The one place that decides whether an OpenAI error is retried: 429 and 5xx/network
 * are; every other 4xx fails the step at once. Rate limits retry after Retry-After.
 */
export function toApplicationFailure(error: OpenAIError): ApplicationFailure {
  const type = FAILURE_TYPES[error.name as keyof typeof FAILURE_TYPES] ?? 'OPENAI_UNAVAILABLE';
  return ApplicationFailure.create({
    type,
    message: error.message,
    nonRetryable: !RETRYABLE.has(type),
    details: [{ status: error.status, type: error.type, code: error.code, param: error.param, requestId: error.requestId }],
    ...(error instanceof OpenAIRateLimitError && error.retryAfterMs !== undefined ? { nextRetryDelay: error.retryAfterMs } : {}),
  });
}

/** Runs `fn`, turning OpenAI errors into ApplicationFailures; anything else propagates as is. */
export async function atOpenAIBoundary<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof OpenAIError) throw toApplicationFailure(error);
    throw error;
  }
}
