import { Agent, RetryAgent, request, type Dispatcher, type RetryHandler } from 'undici';
import type { Secret } from '../config/index.ts';
import { HrApiError, retryAfterMs } from './errors.ts';
import type { HrVendor } from './types.ts';

export interface HrHttpOptions {
  vendor: HrVendor;
  /** The vendor's name in messages: `BambooHR`, `HiBob`, `Merge`. */
  label: string;
  baseUrl: string;
  /** Authentication and content headers of every request. */
  headers: () => Record<string, string>;
  /** Values that must never appear in a message (the credentials). */
  secrets: readonly Secret[];
  /** What to check when the vendor refuses the credentials, e.g. `HIBOB_SERVICE_USER_ID and HIBOB_SERVICE_USER_TOKEN`. */
  credentialVariables: string;
  /** Budget of one call, its in-client retries included, milliseconds. */
  timeoutMs: number;
  /** Retries of a 429/502/503/504 (after `Retry-After` when sent). Default 3. */
  retries?: number | undefined;
  /** Longest wait between two tries, milliseconds; a longer Retry-After ends the call at once, with it. Default 10,000. */
  maxRetryWaitMs?: number | undefined;
  dispatcher?: Dispatcher | undefined;
}

/** Statuses worth trying again: throttling (BambooHR said 503 until 2026-09-16, 429 since) and gateway trouble. */
const RETRIED = [429, 502, 503, 504];
/** Connection failures worth trying again (undici's own defaults). */
const NETWORK_ERRORS = ['ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'ENETDOWN', 'ENETUNREACH', 'EHOSTDOWN', 'EHOSTUNREACH', 'EPIPE', 'UND_ERR_SOCKET'];

/**
 * When undici's RetryAgent tries again: a retried status or a dropped connection, after the
 * vendor's Retry-After or an exponential backoff (500 ms, doubling). A Retry-After longer
 * than `maxWaitMs` is not waited here, holding a worker slot: the call fails at once with
 * it, and the caller (Temporal's retry policy) waits instead.
 */
function retryPolicy(maxRetries: number, maxWaitMs: number): RetryHandler.RetryCallback {
  return (err, { state }, cb) => {
    const { statusCode, code, headers } = err as Error & { statusCode?: number; code?: string; headers?: Record<string, string | string[] | undefined> };
    const retryable = statusCode !== undefined ? RETRIED.includes(statusCode) : code === undefined || code === 'UND_ERR_REQ_RETRY' || NETWORK_ERRORS.includes(code);
    if (!retryable || state.counter > maxRetries) return cb(err);
    const header = headers?.['retry-after'];
    const asked = retryAfterMs(Array.isArray(header) ? header[0] : header);
    if (asked !== undefined && asked > maxWaitMs) return cb(err);
    setTimeout(() => cb(null), asked ?? Math.min(500 * 2 ** (state.counter - 1), maxWaitMs));
  };
}

/**
 * JSON over undici for the HR connectors. Every call is a read (HiBob reads with POST), so
 * every method is retried by undici's RetryAgent on 429/502/503/504 and dropped
 * connections, waiting the vendor's `Retry-After` (seconds or a date) or an exponential
 * backoff (see {@link retryPolicy}); what is left becomes an {@link HrApiError}.
 */
export class HrHttp {
  private readonly options: HrHttpOptions;
  private readonly pool: Dispatcher;
  private readonly retrying: Dispatcher;
  private readonly ownsPool: boolean;

  constructor(options: HrHttpOptions) {
    this.options = options;
    this.ownsPool = !options.dispatcher;
    this.pool = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 8, connect: { timeout: Math.min(options.timeoutMs, 10_000) } });
    this.retrying = new RetryAgent(this.pool, {
      retry: retryPolicy(options.retries ?? 3, options.maxRetryWaitMs ?? 10_000),
      methods: ['GET', 'POST'],
      statusCodes: RETRIED,
      // Give back the last answer rather than a bare error, so its status and Retry-After are kept.
      throwOnError: false,
    });
  }

  /** Removes the credentials from text that may echo them. */
  private scrub(text: string): string {
    let out = text;
    for (const secret of this.options.secrets) {
      const value = secret.reveal();
      if (value) out = out.split(value).join('[redacted]');
    }
    return out;
  }

  private fail(status: number, message: string, retryAfter?: number): HrApiError {
    const type = status === 0 || status === 429 || status >= 500 ? 'HR_API_UNAVAILABLE' : status === 401 || status === 403 ? 'HR_API_UNAUTHORIZED' : 'HR_API_INVALID';
    return new HrApiError({ type, vendor: this.options.vendor, status, message: this.scrub(message), retryAfterMs: retryAfter });
  }

  /**
   * One call. Resolves with the parsed JSON body, or `undefined` for a 404 when
   * `notFound: 'undefined'`; throws {@link HrApiError} otherwise.
   */
  async json<T>(method: 'GET' | 'POST', path: string, options: { body?: unknown; signal?: AbortSignal | undefined; notFound?: 'undefined' | 'error'; what: string }): Promise<T | undefined> {
    const { label } = this.options;
    const bare = path.split('?')[0] ?? path;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.options.timeoutMs)]) : AbortSignal.timeout(this.options.timeoutMs);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${this.options.baseUrl}${path}`, {
        method,
        dispatcher: this.retrying,
        headers: { accept: 'application/json', ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.options.headers() },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal,
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : (error as Error).name === 'AbortError' ? 'the call was cancelled' : `network error: ${(error as Error).message}`;
      throw this.fail(0, `${label} ${method} ${bare} (${options.what}): ${reason}; ${label} will be tried again`);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.fail(0, `${label} ${method} ${bare} (${options.what}): connection lost while reading the answer: ${(error as Error).message}`);
    }
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw this.fail(502, `${label} ${method} ${bare} (${options.what}) answered ${status} with a body that is not JSON; is ${this.options.baseUrl} ${label}'s API?`);
      }
    }
    if (status === 404 && options.notFound === 'undefined') return undefined;
    // Vendors say why in a header (BambooHR), `detail` (Merge) or `message`/`error` (HiBob).
    let said = header('x-bamboohr-error-message') ?? '';
    if (!said) {
      try {
        const body = JSON.parse(text) as Record<string, unknown>;
        const value = body.detail ?? body.message ?? body.error ?? body.title;
        said = typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string' ? (value as { message: string }).message : '';
      } catch {
        said = '';
      }
    }
    const because = said ? `: ${said.slice(0, 300)}` : '';
    const at = `${label} ${method} ${bare} (${options.what}) answered ${status}${because}`;
    if (status === 401) throw this.fail(status, `${at}. ${label} refused the credentials: check ${this.options.credentialVariables}`);
    if (status === 403) throw this.fail(status, `${at}. The credentials are valid but may not read this: give the API user access to every employee and the fields Tenure reads (see docs/sources.md)`);
    if (status === 429 || status === 503) {
      const wait = retryAfterMs(header('retry-after'));
      throw this.fail(status, `${at}${wait !== undefined ? `; ${label} asks to wait ${Math.ceil(wait / 1000)} s` : ''}; Tenure will try again`, wait);
    }
    if (status >= 500) throw this.fail(status, `${at}. ${label} is having trouble; Tenure will try again`);
    if (status === 404) throw this.fail(status, `${at}. Check the base URL (${this.options.baseUrl}) and, for BambooHR, BAMBOOHR_COMPANY_DOMAIN`);
    throw this.fail(status, at);
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }
}
