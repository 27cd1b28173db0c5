import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { UpstreamError, type UpstreamSource } from '../errors.js';

/**
 * Spans of upstream work, made through the OpenTelemetry API alone: until an SDK is registered
 * (tracing is off unless configured) every call here is the API's no-op. No attribute carries a
 * credential, a query value, a body or a log line: an exchange is named by its source and route.
 */
const tracer = trace.getTracer('ai-logs-gateway');

/** The trace of the active context, when tracing is on. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** Adds the active context's `traceparent` (and `tracestate`) to an upstream request's headers. */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

export interface UpstreamExchange {
  source: UpstreamSource;
  /** The route's stable name, e.g. `logs.history`. */
  route: string;
  method: string;
  /** The upstream's base URL: only its host and port are recorded. */
  baseUrl: URL;
  /** Which attempt of a retried call this is; absent for a stream connection. */
  attempt?: number;
}

/** What ended an exchange: the HTTP status when the upstream answered, and the outcome. */
export interface ExchangeEnd {
  status: number | undefined;
  /** `ok`, `aborted`, or the failure's contract code. */
  outcome: string;
  /** The wait before the next attempt, when the call is retried. */
  retryWaitMs?: number | undefined;
}

/** One exchange with an upstream, a client span: an attempt of a call, or a stream connection. */
export class UpstreamSpan {
  private readonly span: Span;
  private readonly active;

  constructor(exchange: UpstreamExchange) {
    const { source, route, method, baseUrl, attempt } = exchange;
    this.span = tracer.startSpan(`${source} ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'upstream.source': source,
        'upstream.route': route,
        ...(attempt !== undefined && { 'upstream.attempt': attempt }),
        'http.request.method': method,
        'server.address': baseUrl.hostname,
        ...(baseUrl.port && { 'server.port': Number(baseUrl.port) }),
      },
    });
    this.active = trace.setSpan(context.active(), this.span);
  }

  /** The trace the exchange belongs to, when tracing is on. */
  get traceId(): string | undefined {
    const spanContext = this.span.spanContext();
    return trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
  }

  /** Runs `work` with this exchange's span active: the request it sends carries its `traceparent`. */
  run<Result>(work: () => Result): Result {
    return context.with(this.active, work);
  }

  end({ status, outcome, retryWaitMs }: ExchangeEnd): void {
    if (status !== undefined) this.span.setAttribute('http.response.status_code', status);
    this.span.setAttribute('upstream.outcome', outcome);
    if (retryWaitMs !== undefined) {
      this.span.setAttribute('upstream.retry_wait_ms', Math.round(retryWaitMs));
    }
    if (outcome !== 'ok' && outcome !== 'aborted') {
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    }
    this.span.end();
  }
}

/** A failure's contract code; none for work that was called off. */
function failureCode(error: unknown): string | undefined {
  if (error instanceof UpstreamError) return error.details.code;
  return (error as Error | null)?.name === 'AbortError' ? undefined : 'INTERNAL_SERVER_ERROR';
}

/**
 * Runs `work` in an internal span of its own (one poll of a live tail, say). A failure marks the
 * span with its contract code, never its message.
 */
export function inSpan<Result>(name: string, work: () => Promise<Result>): Promise<Result> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      return await work();
    } catch (error) {
      const code = failureCode(error);
      if (code) {
        span.setAttribute('upstream.outcome', code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: code });
      }
      throw error;
    } finally {
      span.end();
    }
  });
}
