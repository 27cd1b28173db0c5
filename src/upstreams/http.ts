import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventSourceMessage } from 'eventsource-parser';
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { Config, RetryPolicy } from '../config.js';
import { AttemptSignal } from './attempt-signal.js';
import { codeForStatus, UpstreamError } from '../errors.js';
import { jitteredBackoffMs } from './retry.js';
import type { UpstreamErrorCode, UpstreamSource } from '../errors.js';
import { redactCredentials } from './redact.js';
import { StreamClients } from './stream-clients.js';
import { isOversizeEvent, serverSentEvents } from './sse.js';
import { injectTraceContext, UpstreamSpan, type ExchangeEnd } from './tracing.js';

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
  /** The trace the call belongs to, when tracing is on. */
  traceId: string | undefined;
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
 * retried while that is safe and useful, reads a bounded body, parses it with zod and turns each
 * failure into a classified UpstreamError whose message carries no credential.
 */
export class UpstreamHttp {
  private readonly pool: Pool;
  /** Long-lived streams hold a connection each, so they must not queue behind or starve queries. */
  private readonly streamClients: StreamClients;
  private readonly baseUrl: URL;
  private readonly basePath: string;
  private readonly retry: RetryPolicy;
  private readonly maxBodyBytes: number;
  private readonly maxEventBytes: number;

  constructor(
    readonly source: UpstreamSource,
    baseUrl: string,
    settings: Config['upstream'],
    private readonly readErrorEnvelope: ErrorEnvelopeReader,
    private readonly observer: UpstreamObserver = silentObserver,
  ) {
    const url = new URL(baseUrl);
    this.baseUrl = url;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.retry = settings.retry;
    this.maxBodyBytes = settings.maxBodyBytes;
    this.maxEventBytes = settings.maxEventBytes;
    this.pool = new Pool(url.origin, {
      connections: settings.maxConnections,
      connect: { timeout: settings.connectTimeoutMs },
      headersTimeout: settings.headersTimeoutMs,
      bodyTimeout: settings.bodyTimeoutMs,
      keepAliveTimeout: 10_000,
    });
    this.streamClients = new StreamClients(url.origin, settings);
  }

  /**
   * A read that is safe to repeat. 429 (after its Retry-After), 500, 502, 503, 504 and connection
   * failures are retried with jittered exponential backoff, never past the deadline; every
   * other answer is final. Each attempt is a span of its own.
   */
  async json<Schema extends z.ZodType>(
    request: UpstreamRequest,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    for (let attempt = 1; ; attempt += 1) {
      const started = performance.now();
      const span = this.span(request, attempt);
      const report = (status: number | undefined, outcome: UpstreamCallReport['outcome']) => ({
        source: this.source,
        route: request.route,
        attempt,
        status,
        outcome,
        durationMs: performance.now() - started,
        requestId: request.requestId,
        traceId: span.traceId,
      });
      try {
        const result = await span.run(() => this.attempt(request, schema));
        this.observer.call(report(200, 'ok'));
        span.end({ status: 200, outcome: 'ok' });
        return result;
      } catch (error) {
        const upstreamError = error instanceof UpstreamError ? error : undefined;
        const status = upstreamError?.details.upstreamStatus;
        const outcome = upstreamError?.details.code ?? 'aborted';
        this.observer.call(report(status, outcome));
        const delayMs = upstreamError && this.retryDelay(upstreamError, attempt, request.deadline);
        span.end({ status, outcome, retryWaitMs: delayMs });
        if (delayMs === undefined) throw error;
        this.observer.retry({ ...report(status, outcome), delayMs });
        await sleep(delayMs, undefined, { signal: request.signal });
      }
    }
  }

  /**
   * Opens a long-lived response (server-sent events) and returns its events once the upstream
   * has answered 2xx. `idleTimeoutMs` bounds the silence between two chunks, `maxEventBytes`
   * the size of one event. Not retried here: the caller knows where to resume. The connection
   * is a span of its own, open until the stream ends.
   */
  async openEventStream(
    request: UpstreamRequest,
    idleTimeoutMs: number,
  ): Promise<AsyncIterable<EventSourceMessage>> {
    const guard = this.startAttempt(request);
    const span = this.span(request);
    const stream = this.streamClients.take();
    let response: Dispatcher.ResponseData;
    try {
      response = await span.run(() =>
        this.send(request, guard.signal, stream.client, 'text/event-stream', idleTimeoutMs),
      );
      if (response.statusCode < 200 || response.statusCode >= 300) {
        throw this.statusError(response, await this.readBody(response), request.authorization);
      }
    } catch (caught) {
      stream.release();
      guard.dispose();
      const error = guard.expired ? this.deadlineError() : caught;
      span.end(endOf(error));
      throw error;
    }
    const { source, observer, maxEventBytes } = this;
    const readFailure = (cause: unknown) =>
      guard.expired
        ? this.deadlineError()
        : isOversizeEvent(cause)
          ? this.limitError('a stream event', 'UPSTREAM_MAX_EVENT_BYTES', maxEventBytes, response)
          : this.transportError(cause, response);
    async function* events(): AsyncGenerator<EventSourceMessage> {
      observer.streamOpened(source, request.route);
      let ended: ExchangeEnd = { status: response.statusCode, outcome: 'ok' };
      try {
        yield* serverSentEvents(response.body, maxEventBytes);
      } catch (cause) {
        const error = readFailure(cause);
        ended = { ...endOf(error), status: response.statusCode };
        throw error;
      } finally {
        stream.release();
        guard.dispose();
        observer.streamClosed(source, request.route);
        span.end(ended);
      }
    }
    return events();
  }

  private span(request: UpstreamRequest, attempt?: number): UpstreamSpan {
    return new UpstreamSpan({
      source: this.source,
      route: request.route,
      method: request.method,
      baseUrl: this.baseUrl,
      attempt,
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.streamClients.close()]);
  }

  private async attempt<Schema extends z.ZodType>(
    request: UpstreamRequest,
    schema: Schema,
  ): Promise<z.output<Schema>> {
    const { response, text } = await this.exchange(request);
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw this.statusError(response, text, request.authorization);
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
    if (!retryable || error.details.limit !== undefined) return undefined;
    const retryAfterMs = (retryAfter ?? 0) * 1000;
    if (retryAfterMs > this.retry.maxRetryAfterMs) return undefined;
    const delayMs = Math.max(
      retryAfterMs,
      jitteredBackoffMs(attempt, { baseMs: this.retry.baseDelayMs, maxMs: this.retry.maxDelayMs }),
    );
    if (deadline !== undefined && Date.now() + delayMs >= deadline) return undefined;
    return delayMs;
  }

  /** One request and its whole body, cut off at the deadline. */
  private async exchange(
    request: UpstreamRequest,
  ): Promise<{ response: Dispatcher.ResponseData; text: string }> {
    const guard = this.startAttempt(request);
    try {
      const response = await this.send(request, guard.signal);
      return { response, text: await this.readBody(response) };
    } catch (error) {
      throw guard.expired ? this.deadlineError() : error;
    } finally {
      guard.dispose();
    }
  }

  /** The signal of one attempt, or UPSTREAM_TIMEOUT at once when the deadline has passed. */
  private startAttempt(request: UpstreamRequest): AttemptSignal {
    if (request.deadline !== undefined && request.deadline <= Date.now()) {
      throw this.deadlineError();
    }
    return new AttemptSignal(request.signal, request.deadline);
  }

  private async send(
    request: UpstreamRequest,
    signal: AbortSignal,
    dispatcher: Dispatcher = this.pool,
    accept = 'application/json',
    bodyTimeout?: number,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = {
      authorization: request.authorization,
      accept,
    };
    if (request.requestId) headers['x-request-id'] = request.requestId;
    injectTraceContext(headers);
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    try {
      return await dispatcher.request({
        method: request.method,
        path: this.basePath + request.path + queryString(request.query),
        headers,
        body,
        signal,
        ...(bodyTimeout !== undefined && { bodyTimeout }),
      });
    } catch (cause) {
      throw this.transportError(cause);
    }
  }

  /**
   * The whole body as text. Past `maxBodyBytes` (or at once, when `content-length` says it will
   * be) reading stops, the connection is dropped, and the call fails.
   */
  private async readBody(response: Dispatcher.ResponseData): Promise<string> {
    const tooLarge = () =>
      this.limitError('a response body', 'UPSTREAM_MAX_BODY_BYTES', this.maxBodyBytes, response);
    const declared = Number(headerValue(response.headers, 'content-length')) || 0;
    if (declared > this.maxBodyBytes) {
      response.body.destroy();
      throw tooLarge();
    }
    try {
      const body = await readWhole(response.body, this.maxBodyBytes, tooLarge);
      return body.toString('utf8');
    } catch (cause) {
      throw cause instanceof UpstreamError ? cause : this.transportError(cause, response);
    }
  }

  private statusError(
    response: Dispatcher.ResponseData,
    text: string,
    authorization: string,
  ): UpstreamError {
    let envelope: ErrorEnvelope = {};
    try {
      envelope = this.readErrorEnvelope(JSON.parse(text));
    } catch {
      // A non-JSON error body (a proxy's HTML page, say) still maps by status.
    }
    const status = response.statusCode;
    const upstreamMessage = envelope.message?.trim();
    const message = upstreamMessage
      ? redactCredentials(upstreamMessage, authorization)
      : `answered HTTP ${status}`;
    const error = this.error(codeForStatus(status), message, response);
    if (envelope.requestId) error.details.upstreamRequestId = envelope.requestId;
    if (status === 429 || status === 503) error.details.retryAfter = retryAfterSeconds(response);
    return error;
  }

  private transportError(cause: unknown, response?: Dispatcher.ResponseData): Error {
    const code = (cause as { code?: unknown } | null)?.code;
    const name = (cause as Error | null)?.name;
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

  /** A bound on what is read from the upstream was hit: retrying would read the same again. */
  private limitError(
    what: string,
    setting: string,
    limit: number,
    response: Dispatcher.ResponseData,
  ): UpstreamError {
    const error = this.error(
      'UPSTREAM_ERROR',
      `sent ${what} larger than ${setting} (${limit} bytes)`,
      response,
    );
    error.details.limit = setting;
    return error;
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

/** How a failed exchange ended: its status and contract code, or `aborted` when called off. */
function endOf(error: unknown): ExchangeEnd {
  return error instanceof UpstreamError
    ? { status: error.details.upstreamStatus, outcome: error.details.code }
    : { status: undefined, outcome: 'aborted' };
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

/**
 * The chunks of `body` joined, read with plain `data` events (an async iterator's promise per
 * chunk costs more). Past `maxBytes` the body is destroyed, which drops the connection, and the
 * read fails with `oversize()`.
 */
function readWhole(body: Readable, maxBytes: number, oversize: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      body.destroy();
      reject(oversize());
    });
    body.once('end', () => resolve(Buffer.concat(chunks, size)));
    body.once('error', reject);
  });
}
