import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Config, RetryPolicy } from '../config.js';
import { codeForStatus, UpstreamError } from './errors.js';
import type { UpstreamErrorCode, UpstreamSource } from './errors.js';

export type QueryValue = string | number | boolean | readonly string[] | undefined;

/** What a GraphQL request lends to each upstream call it makes. */
export interface CallOptions {
  /** Aborted when the client goes away. */
  signal?: AbortSignal | undefined;
  /** Epoch ms by which the whole GraphQL request must be answered; no call or retry runs past it. */
  deadline?: number | undefined;
  /** Sent as `x-request-id`, so upstream logs can be matched with the gateway's. */
  requestId?: string | undefined;
}

export interface UpstreamRequest extends CallOptions {
  /** A stable name for logs and metrics, never containing client input (e.g. `logs.history`). */
  route: string;
  method: 'GET' | 'POST';
  /** Path below the upstream's base URL, with any client-given segments already encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** The client's own `Authorization` value for this upstream, forwarded unchanged. */
  authorization: string;
}

export interface UpstreamCallReport {
  source: UpstreamSource;
  route: string;
  attempt: number;
  /** HTTP status, when the upstream answered. */
  status: number | undefined;
  outcome: 'ok' | UpstreamErrorCode | 'aborted';
  durationMs: number;
  requestId: string | undefined;
}

/** Where the upstream layer reports what it does, for logs and metrics. */
export interface UpstreamObserver {
  call(report: UpstreamCallReport): void;
  retry(report: UpstreamCallReport & { delayMs: number }): void;
  streamOpened(source: UpstreamSource, route: string): void;
  streamClosed(source: UpstreamSource, route: string): void;
}

export const silentObserver: UpstreamObserver = {
  call: () => undefined,
  retry: () => undefined,
  streamOpened: () => undefined,
  streamClosed: () => undefined,
};

/** What an upstream's error envelope says, as far as it can be read. */
export interface ErrorEnvelope {
  message?: string | undefined;
  requestId?: string | undefined;
}

export type ErrorEnvelopeReader = (body: unknown) => ErrorEnvelope;

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

/**
 * One keep-alive undici pool per upstream. Every call forwards the caller's credential, is
 * retried while that is safe and useful, parses the body with zod and turns each failure into
 * a classified UpstreamError.
 */
export class UpstreamHttp {
  private readonly pool: Pool;
  /** Long-lived streams hold a connection each, so they must not queue behind or starve queries. */
  private readonly streamPool: Pool;
  private readonly basePath: string;
  private readonly retry: RetryPolicy;

  constructor(
    readonly source: UpstreamSource,
    baseUrl: string,
    settings: Config['upstream'],
    private readonly readErrorEnvelope: ErrorEnvelopeReader,
    private readonly observer: UpstreamObserver = silentObserver,
  ) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.retry = settings.retry;
    this.pool = new Pool(url.origin, {
      connections: settings.maxConnections,
      connect: { timeout: settings.connectTimeoutMs },
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.streamPool = new Pool(url.origin, {
      connections: settings.maxStreams,
      connect: { timeout: settings.connectTimeoutMs },
      headersTimeout: settings.headersTimeoutMs,
      keepAliveTimeout: 1_000,
    });
  }

  /**
   * A read that is safe to repeat. 429 (after its Retry-After), 500, 502, 503, 504 and connection
   * failures are retried with jittered exponential backoff, never past the deadline; every
   * other answer is final.
   */
  async json<Schema extends z.ZodType>(
    request: UpstreamRequest,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      const report = (status: number | undefined, outcome: UpstreamCallReport['outcome']) => ({
        source: this.source,
        route: request.route,
        attempt,
        status,
        outcome,
        durationMs: performance.now() - started,
        requestId: request.requestId,
      });
      try {
        const result = await this.attempt(request, schema);
        this.observer.call(report(200, 'ok'));
        return result;
      } catch (error) {
        const upstreamError = error instanceof UpstreamError ? error : undefined;
        const outcome = upstreamError?.details.code ?? 'aborted';
        this.observer.call(report(upstreamError?.details.upstreamStatus, outcome));
        const delayMs = upstreamError && this.retryDelay(upstreamError, attempt, request.deadline);
        if (delayMs === undefined) throw error;
        this.observer.retry({ ...report(upstreamError?.details.upstreamStatus, outcome), delayMs });
        await sleep(delayMs, undefined, { signal: request.signal });
      }
    }
  }

  /**
   * Opens a long-lived response (server-sent events) and returns its body once the upstream
   * has answered 2xx. `idleTimeoutMs` bounds the silence between two chunks. Not retried here:
   * the caller knows where to resume.
   */
  async openStream(
    request: UpstreamRequest,
    idleTimeoutMs: number,
  ): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.send(request, this.streamPool, 'text/event-stream', idleTimeoutMs);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw this.statusError(response, await this.readBody(response));
    }
    const { source, observer } = this;
    const readFailure = (cause: unknown) => this.transportError(cause, response);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      observer.streamOpened(source, request.route);
      try {
        for await (const chunk of response.body) yield chunk as Uint8Array;
      } catch (cause) {
        throw readFailure(cause);
      } finally {
        observer.streamClosed(source, request.route);
      }
    }
    return chunks();
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.streamPool.destroy()]);
  }

  private async attempt<Schema extends z.ZodType>(
    request: UpstreamRequest,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const response = await this.send(request);
    const text = await this.readBody(response);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw this.statusError(response, text);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (cause) {
      throw this.error('UPSTREAM_ERROR', 'returned a body that is not JSON', response, cause);
    }
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw this.error(
        'UPSTREAM_ERROR',
        `returned an unexpected response (${where}${issue?.message ?? 'invalid'})`,
        response,
      );
    }
    return parsed.data;
  }

  private retryDelay(
    error: UpstreamError,
    attempt: number,
    deadline: number | undefined,
  ): number | undefined {
    if (attempt >= this.retry.attempts) return undefined;
    const { code, upstreamStatus, retryAfter } = error.details;
    // UPSTREAM_UNAVAILABLE covers 502, 503 and connection failures, a reset mid-body included;
    // a 500 is usually a passing fault on these read endpoints.
    const retryable =
      code === 'RATE_LIMITED' ||
      code === 'UPSTREAM_UNAVAILABLE' ||
      upstreamStatus === 500 ||
      upstreamStatus === 504;
    if (!retryable) return undefined;
    const retryAfterMs = (retryAfter ?? 0) * 1000;
    if (retryAfterMs > this.retry.maxRetryAfterMs) return undefined;
    const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1));
    const delayMs = Math.max(retryAfterMs, backoff / 2 + Math.random() * (backoff / 2));
    if (deadline !== undefined && Date.now() + delayMs >= deadline) return undefined;
    return delayMs;
  }

  private async send(
    request: UpstreamRequest,
    pool = this.pool,
    accept = 'application/json',
    bodyTimeout?: number,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      authorization: request.authorization,
      accept,
    };
    if (request.requestId) headers['x-request-id'] = request.requestId;
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const remainingMs = request.deadline === undefined ? undefined : request.deadline - Date.now();
    if (remainingMs !== undefined && remainingMs <= 0) throw this.deadlineError();
    const deadlineSignal = remainingMs === undefined ? undefined : AbortSignal.timeout(remainingMs);
    const signal =
      request.signal && deadlineSignal
        ? AbortSignal.any([request.signal, deadlineSignal])
        : (request.signal ?? deadlineSignal);
    try {
      return await pool.request({
        method: request.method,
        path: this.basePath + request.path + queryString(request.query),
        headers,
        body,
        signal,
        ...(bodyTimeout !== undefined && { bodyTimeout }),
      });
    } catch (cause) {
      if (deadlineSignal?.aborted && !request.signal?.aborted) throw this.deadlineError();
      throw this.transportError(cause);
    }
  }

  private async readBody(response: Dispatcher.ResponseData): Promise<string> {
    try {
      return await response.body.text();
    } catch (cause) {
      throw this.transportError(cause, response);
    }
  }

  private statusError(response: Dispatcher.ResponseData, text: string): UpstreamError {
    let envelope: ErrorEnvelope = {};
    try {
      envelope = this.readErrorEnvelope(JSON.parse(text));
    } catch {
      // A non-JSON error body (a proxy's HTML page, say) still maps by status.
    }
    const status = response.statusCode;
    const message = envelope.message?.trim() || `answered HTTP ${status}`;
    const error = this.error(codeForStatus(status), message, response);
    if (envelope.requestId) error.details.upstreamRequestId = envelope.requestId;
    if (status === 429 || status === 503) error.details.retryAfter = retryAfterSeconds(response);
    return error;
  }

  private transportError(cause: unknown, response?: Dispatcher.ResponseData): Error {
    const code = (cause as { code?: unknown } | null)?.code;
    const name = (cause as Error | null)?.name;
    if (name === 'TimeoutError') return this.deadlineError();
    if (name === 'AbortError' || code === 'UND_ERR_ABORTED') return cause as Error;
    if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
      return this.error('UPSTREAM_TIMEOUT', 'did not answer in time', response, cause);
    }
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) {
      return this.error('UPSTREAM_UNAVAILABLE', 'could not be reached', response, cause);
    }
    return this.error('UPSTREAM_UNAVAILABLE', 'failed before answering', response, cause);
  }

  private deadlineError(): UpstreamError {
    return this.error('UPSTREAM_TIMEOUT', "did not answer within the request's deadline");
  }

  private error(
    code: UpstreamErrorCode,
    what: string,
    response?: Dispatcher.ResponseData,
    cause?: unknown,
  ): UpstreamError {
    const message = `${this.source === 'fal' ? 'fal' : 'Dify'}: ${what}`;
    return new UpstreamError(
      message,
      {
        code,
        source: this.source,
        upstreamStatus: response?.statusCode,
        upstreamRequestId: response ? headerValue(response.headers, 'x-request-id') : undefined,
      },
      { cause },
    );
  }
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === 'object') for (const item of value) params.append(key, item);
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function headerValue(
  headers: Dispatcher.ResponseData['headers'],
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` (seconds or an HTTP date) or `x-ratelimit-reset` (seconds), whichever is present. */
function retryAfterSeconds(response: Dispatcher.ResponseData): number | undefined {
  const retryAfter = headerValue(response.headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }
  const reset = Number(headerValue(response.headers, 'x-ratelimit-reset'));
  return Number.isFinite(reset) && reset >= 0 ? reset : undefined;
}
