import type { HrApiFailureType, HrVendor } from './types.ts';

/**
 * A failed HR API call. `type` says whether waiting can help (`HR_API_UNAVAILABLE`) or a
 * person must fix something (`HR_API_UNAUTHORIZED`: credentials or permissions;
 * `HR_API_INVALID`: the request or the answer). Messages name the variables to check and
 * never carry a credential.
 */
export class HrApiError extends Error {
  override readonly name = 'HrApiError';
  readonly type: HrApiFailureType;
  readonly vendor: HrVendor;
  /** HTTP status, 0 when no answer came. */
  readonly status: number;
  /** How long the vendor asked us to wait (`Retry-After`), milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(options: { type: HrApiFailureType; vendor: HrVendor; status: number; message: string; retryAfterMs?: number | undefined }) {
    super(options.message);
    this.type = options.type;
    this.vendor = options.vendor;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
