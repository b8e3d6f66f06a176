import { Agent, RetryAgent, request, type Dispatcher } from 'undici';
import type { Secret } from '../../config/index.ts';
import { errorForStatus, type OpenAIErrorDetails } from './errors.ts';

/** What an error body says, in the service's own words. */
export interface ParsedErrorBody {
  message?: string | undefined;
  type?: string | null | undefined;
  code?: string | null | undefined;
  param?: string | null | undefined;
}

export interface JsonHttpOptions {
  /** Base URL without a trailing slash, e.g. https://api.openai.com/v1. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never appears in errors or logs. */
  token: Secret;
  /** Budget of one call (all its in-client retries included), milliseconds. */
  timeoutMs: number;
  service: 'OpenAI' | 'SCIM';
  /** Media type of request bodies and of `Accept`. */
  mediaType: string;
  parseError: (body: unknown) => ParsedErrorBody;
  /** Connection pool; default one keep-alive agent per client. Closed by `close()` only when created here. */
  dispatcher?: Dispatcher | undefined;
  /** In-client retries of a GET on a dropped connection or 5xx (never on 429, never on writes). Default 2. */
  readRetries?: number | undefined;
}

export interface HttpResponse<T> {
  status: number;
  body: T | undefined;
}

/**
 * JSON over undici with one keep-alive pool, a deadline on every call, and errors mapped
 * into the taxonomy of errors.ts. Reads (GET) that hit a dropped connection or a 5xx are
 * retried here twice with a short backoff by undici's RetryAgent; everything else — 429
 * (which must wait its Retry-After without holding a worker slot) and every write — is
 * left to the activity's Temporal retry policy, so a write's outcome is always decided
 * by a fresh look-up.
 */
export class JsonHttp {
  private readonly options: JsonHttpOptions;
  private readonly pool: Dispatcher;
  private readonly reads: Dispatcher;
  private readonly ownsPool: boolean;

  constructor(options: JsonHttpOptions) {
    this.options = options;
    this.ownsPool = !options.dispatcher;
    this.pool = options.dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 16, connect: { timeout: Math.min(options.timeoutMs, 10_000) } });
    this.reads = new RetryAgent(this.pool, {
      maxRetries: options.readRetries ?? 2,
      minTimeout: 200,
      maxTimeout: 1_000,
      methods: ['GET'],
      statusCodes: [500, 502, 503, 504],
      // Return the last response rather than a bare error, so its body (the service's message) is kept.
      throwOnError: false,
    });
  }

  /** Removes the token from text that may echo it (some services quote the key they refused). */
  private scrub(text: string): string {
    const token = this.options.token.reveal();
    return token ? text.split(token).join('[redacted]') : text;
  }

  async send<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse<T>> {
    const bare = path.split('?')[0] ?? path;
    const base: Omit<OpenAIErrorDetails, 'status' | 'message'> = { method, path: bare, service: this.options.service };
    let response: Dispatcher.ResponseData;
    try {
      response = await request(`${this.options.baseUrl}${path}`, {
        method,
        dispatcher: method === 'GET' ? this.reads : this.pool,
        headers: {
          authorization: `Bearer ${this.options.token.reveal()}`,
          accept: this.options.mediaType,
          ...(body !== undefined ? { 'content-type': this.options.mediaType } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : `network error: ${(error as Error).message}`;
      throw errorForStatus({ ...base, status: 0, message: this.scrub(reason) });
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw errorForStatus({ ...base, status: 0, message: this.scrub(`connection lost while reading the answer: ${(error as Error).message}`) });
    }
    const header = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const requestId = header('x-request-id') ?? null;
    let parsed: unknown;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Proxies answer errors with HTML; then the status alone decides.
        parsed = undefined;
      }
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      if (text.length > 0 && parsed === undefined) {
        throw errorForStatus({ ...base, status: 502, message: 'the answer was not JSON', requestId });
      }
      return { status: response.statusCode, body: parsed as T | undefined };
    }
    const said = parsed === undefined ? {} : this.options.parseError(parsed);
    throw errorForStatus(
      {
        ...base,
        status: response.statusCode,
        message: this.scrub(said.message ?? (text.slice(0, 200) || `HTTP ${response.statusCode}`)),
        type: said.type ?? null,
        code: said.code ?? null,
        param: said.param ?? null,
        requestId,
      },
      header('retry-after'),
    );
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.close();
  }
}
