import { z } from 'zod';
import { readPersistedManifest, type PersistedManifest } from './persisted-manifest.js';
import { SettingError, settingProblems } from './startup.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveMs = z.coerce.number().int().min(1);
const httpUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));
const count = z.coerce.number().int().min(0);
const otlpProtocol = z.enum(['http/protobuf', 'http/json'], {
  error: 'must be http/protobuf or http/json (the gateway does not export over gRPC)',
});

function isWebOrigin(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return /^https?:$/.test(url.protocol) && url.origin === text;
}
const originList = z.string().transform((text, ctx) => {
  const origins = text
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const bad = origins.filter((origin) => origin !== '*' && !isWebOrigin(origin));
  if (bad.length > 0) {
    ctx.addIssue({
      code: 'custom',
      message: `${bad.join(', ')}: each must be * or an origin like https://app.example.com`,
    });
  }
  return origins;
});

const persistedManifest = z.string().transform((path, ctx) => {
  try {
    return { path, manifest: readPersistedManifest(path) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const envSchema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  FAL_API_URL: httpUrl.default('https://api.fal.ai/v1'),
  DIFY_API_URL: httpUrl.default('https://api.dify.ai/v1'),
  FAL_LOGS_API: z.enum(['v1', 'legacy']).default('v1'),
  FAL_LEGACY_API_URL: httpUrl.default('https://rest.alpha.fal.ai'),
  FAL_LEGACY_POLL_INTERVAL_MS: positiveMs.default(1_000),
  DIFY_POLL_INTERVAL_MS: positiveMs.default(3_000),
  FAL_REQUESTS_POLL_INTERVAL_MS: positiveMs.default(3_000),
  UPSTREAM_CONNECT_TIMEOUT_MS: positiveMs.default(5_000),
  UPSTREAM_HEADERS_TIMEOUT_MS: positiveMs.default(15_000),
  UPSTREAM_BODY_TIMEOUT_MS: positiveMs.default(30_000),
  UPSTREAM_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1024).default(64),
  UPSTREAM_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  UPSTREAM_RETRY_BASE_MS: positiveMs.default(200),
  UPSTREAM_RETRY_MAX_MS: positiveMs.default(2_000),
  UPSTREAM_MAX_RETRY_AFTER_MS: z.coerce.number().int().min(0).default(5_000),
  UPSTREAM_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(33_554_432),
  UPSTREAM_MAX_EVENT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  REQUEST_DEADLINE_MS: positiveMs.default(30_000),
  UPSTREAM_MAX_STREAMS: z.coerce.number().int().min(1).max(100_000).default(10_000),
  FAL_STREAM_IDLE_TIMEOUT_MS: positiveMs.default(45_000),
  TAIL_RECONNECT_ATTEMPTS: z.coerce.number().int().min(0).max(100).default(5),
  TAIL_RESUME_OVERLAP_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  TAIL_BACKOFF_BASE_MS: positiveMs.default(250),
  TAIL_BACKOFF_MAX_MS: positiveMs.default(10_000),
  TAIL_MAX_BACKLOG: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  TAIL_STREAM_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  MAX_SUBSCRIPTIONS_PER_CLIENT: z.coerce.number().int().min(1).default(100),
  CURSOR_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GRAPHIQL: z.stringbool().default(true),
  INTROSPECTION: z.stringbool().default(true),
  CORS_ORIGINS: originList.default([]),
  MAX_BODY_BYTES: z.coerce.number().int().min(1).default(1_048_576),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(1).default(12),
  MAX_QUERY_COST: z.coerce.number().int().min(1).default(100_000),
  MAX_QUERY_ALIASES: count.default(15),
  MAX_QUERY_TOKENS: z.coerce.number().int().min(1).default(1_000),
  MAX_QUERY_DIRECTIVES: count.default(50),
  HTTP_REQUEST_TIMEOUT_MS: positiveMs.default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: positiveMs.default(10_000),
  STREAM_RESERVATION_TTL_MS: positiveMs.default(15_000),
  MAX_STREAM_RESERVATIONS_PER_CLIENT: z.coerce.number().int().min(1).default(100),
  MAX_STREAM_RESERVATIONS: z.coerce.number().int().min(1).default(10_000),
  METRICS_MAX_OPERATION_NAMES: count.default(100),
  PERSISTED_DOCUMENTS: persistedManifest.optional(),
  PERSISTED_ONLY: z.stringbool().default(false),
  // Read by the OpenTelemetry SDK itself; checked here so that a bad value stops the start.
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: otlpProtocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: otlpProtocol.optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SDK_DISABLED: z.stringbool().default(false),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'must be 1 to 64 letters, digits, _, ., : or -')
    .default('ai-logs-gateway:'),
  REDIS_LEASE_TTL_MS: z.coerce.number().int().min(200).max(60_000).default(5_000),
  REDIS_LEASE_RENEW_MS: z.coerce.number().int().min(50).max(30_000).default(1_000),
  REDIS_STREAM_MAX_LEN: z.coerce.number().int().min(100).max(1_000_000).default(1_000),
});

const settingsSchema = envSchema
  // Node refuses a server whose headers may take longer than the whole request.
  .refine((env) => env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
  })
  .refine((env) => !env.PERSISTED_ONLY || env.PERSISTED_DOCUMENTS, {
    path: ['PERSISTED_ONLY'],
    message: 'needs PERSISTED_DOCUMENTS, the manifest of the documents to accept',
  })
  // A lease survives one missed renewal.
  .refine((env) => env.REDIS_LEASE_RENEW_MS * 2 <= env.REDIS_LEASE_TTL_MS, {
    path: ['REDIS_LEASE_RENEW_MS'],
    message: 'must be at most half of REDIS_LEASE_TTL_MS',
  })
  // Replicas must accept each other's cursors and name shared topics alike.
  .refine((env) => env.REDIS_URL === undefined || env.CURSOR_SECRET !== undefined, {
    path: ['CURSOR_SECRET'],
    message: 'must be set (the same on every replica) when REDIS_URL is',
  });

export interface QueryLimits {
  /** Deepest nesting of fields (fragments do not count as a level). */
  maxDepth: number;
  /** Estimated values in the response: every object and scalar, times the page sizes above it. */
  maxCost: number;
  maxAliases: number;
  /** Lexical tokens in the query text. */
  maxTokens: number;
  maxDirectives: number;
}

/** How long the HTTP server waits for what a client sends; a live event stream's response is not bounded. */
export interface HttpServerTimeouts {
  /** Time to receive a whole request, headers and body (408 past it). */
  requestTimeoutMs: number;
  /** Time to receive a request's headers. */
  headersTimeoutMs: number;
}

/**
 * Bounds on graphql-sse single-connection reservations: a `PUT` reserves a stream token, which
 * its event stream must claim within `ttlMs`.
 */
export interface StreamReservationLimits {
  ttlMs: number;
  /** Unclaimed reservations one remote address may hold. */
  maxPerClient: number;
  /** Unclaimed reservations in all. */
  maxTotal: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer `Retry-After` is not waited for: the caller gets RATE_LIMITED with it at once. */
  maxRetryAfterMs: number;
}

export interface TailSettings {
  /** Longest silence on the upstream stream before it counts as dropped. */
  idleTimeoutMs: number;
  /** Failed connection attempts in a row before the subscription ends with an error. */
  reconnectAttempts: number;
  /**
   * How far before the newest delivered line a reconnect resumes, to catch lines that reached
   * the upstream late. 0 resumes at the newest line's own timestamp.
   */
  resumeOverlapMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Lines a subscriber of a shared tail may fall behind before it goes on with a stream of its own. */
  maxBacklog: number;
  /**
   * How long a tail waits for one of the `UPSTREAM_MAX_STREAMS` upstream streams to free up
   * before it is refused (a new tail) or backs off and tries again (a reconnect).
   */
  streamWaitMs: number;
}

/** Documents clients may name by id instead of sending their text (`PERSISTED_DOCUMENTS`). */
export interface PersistedDocumentSettings {
  /** Where the manifest was read from, to name it in messages. */
  path: string;
  manifest: PersistedManifest;
  /** Whether every other document is refused (`PERSISTED_ONLY`). */
  only: boolean;
}

/** How spans are exported (OTLP over HTTP): where to is the SDK's to read from `OTEL_*`. */
export interface TracingSettings {
  protocol: z.infer<typeof otlpProtocol>;
}

/** Sharing live tails and feeds across replicas through Redis (`REDIS_URL`). */
export interface RedisSettings {
  url: string;
  /** Prepended to every key, so that several deployments may share one Redis. */
  keyPrefix: string;
  /** A topic's lease lapses this long after its holder's last renewal. */
  leaseTtlMs: number;
  /** How often a holder renews its leases and other replicas try to take free ones. */
  leaseRenewMs: number;
  /** Events a topic's Redis stream keeps (approximately; older ones are trimmed). */
  streamMaxLen: number;
  /** `CURSOR_SECRET`, shared by the replicas: topics are named by digests keyed with it. */
  secret: string;
}

/** Which fal API serves fal logs: the v1 platform API or the older `POST /logs/` API. */
export type FalLogsApi = z.infer<typeof envSchema>['FAL_LOGS_API'];

export interface Config {
  port: number;
  host: string;
  falApiUrl: string;
  difyApiUrl: string;
  falLogsApi: FalLogsApi;
  falLegacyApiUrl: string;
  /** How often a live tail over the legacy API (which has no stream) asks for new lines. */
  falLegacyPollIntervalMs: number;
  /** How often a live feed of Dify workflow runs (`Subscription.workflowRuns`) polls Dify. */
  difyPollIntervalMs: number;
  /** How often a live feed of fal requests (`Subscription.falRequests`) polls the requests API. */
  falRequestsPollIntervalMs: number;
  upstream: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxConnections: number;
    /** Open live streams per upstream (each live tail holds one). */
    maxStreams: number;
    /** Largest response body read from an upstream; a larger one fails the call. */
    maxBodyBytes: number;
    /**
     * Largest server-sent event (or single line) buffered from an upstream stream, in decoded
     * characters (one per byte for ASCII); a larger one fails the stream.
     */
    maxEventBytes: number;
    retry: RetryPolicy;
  };
  /** How long one GraphQL query or mutation may take, upstream retries included. */
  requestDeadlineMs: number;
  tail: TailSettings;
  /** Subscriptions one client may hold open, counted per credential and per remote address. */
  maxSubscriptionsPerClient: number;
  /** Signs pagination cursors; without one, a random per-process secret is used. */
  cursorSecret: string | undefined;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Off whenever only persisted documents are accepted. */
  graphiql: boolean;
  /** Whether `__schema` and `__type` may be queried. */
  introspection: boolean;
  /** Origins browsers may call the gateway from; `*` for any; none when empty. */
  corsOrigins: string[];
  /** Largest request body accepted; a bigger one gets 413. */
  maxBodyBytes: number;
  queryLimits: QueryLimits;
  http: HttpServerTimeouts;
  streamReservations: StreamReservationLimits;
  /** Distinct operation names shown in metric labels; any other name reads `_other`. */
  metricsMaxOperationNames: number;
  /** Persisted documents, when a manifest is configured; none by default. */
  persistedDocuments: PersistedDocumentSettings | undefined;
  /** OpenTelemetry tracing, on when an OTLP endpoint is set (and the SDK is not disabled). */
  tracing: TracingSettings | undefined;
  /** Live work shared with other replicas through Redis; undefined: shared within this process only. */
  redis: RedisSettings | undefined;
}

export class ConfigError extends SettingError {
  override name = 'ConfigError';
}

/** Reads the gateway's settings from the environment; a bad value throws a ConfigError naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) throw new ConfigError(settingProblems(parsed.error.issues, env));
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    falApiUrl: e.FAL_API_URL,
    difyApiUrl: e.DIFY_API_URL,
    falLogsApi: e.FAL_LOGS_API,
    falLegacyApiUrl: e.FAL_LEGACY_API_URL,
    falLegacyPollIntervalMs: e.FAL_LEGACY_POLL_INTERVAL_MS,
    difyPollIntervalMs: e.DIFY_POLL_INTERVAL_MS,
    falRequestsPollIntervalMs: e.FAL_REQUESTS_POLL_INTERVAL_MS,
    upstream: {
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.UPSTREAM_BODY_TIMEOUT_MS,
      maxConnections: e.UPSTREAM_MAX_CONNECTIONS,
      maxStreams: e.UPSTREAM_MAX_STREAMS,
      maxBodyBytes: e.UPSTREAM_MAX_BODY_BYTES,
      maxEventBytes: e.UPSTREAM_MAX_EVENT_BYTES,
      retry: {
        attempts: e.UPSTREAM_RETRY_ATTEMPTS,
        baseDelayMs: e.UPSTREAM_RETRY_BASE_MS,
        maxDelayMs: e.UPSTREAM_RETRY_MAX_MS,
        maxRetryAfterMs: e.UPSTREAM_MAX_RETRY_AFTER_MS,
      },
    },
    requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    tail: {
      idleTimeoutMs: e.FAL_STREAM_IDLE_TIMEOUT_MS,
      reconnectAttempts: e.TAIL_RECONNECT_ATTEMPTS,
      resumeOverlapMs: e.TAIL_RESUME_OVERLAP_MS,
      backoffBaseMs: e.TAIL_BACKOFF_BASE_MS,
      backoffMaxMs: e.TAIL_BACKOFF_MAX_MS,
      maxBacklog: e.TAIL_MAX_BACKLOG,
      streamWaitMs: e.TAIL_STREAM_WAIT_MS,
    },
    maxSubscriptionsPerClient: e.MAX_SUBSCRIPTIONS_PER_CLIENT,
    cursorSecret: e.CURSOR_SECRET,
    logLevel: e.LOG_LEVEL,
    graphiql: e.GRAPHIQL && !e.PERSISTED_ONLY,
    introspection: e.INTROSPECTION,
    corsOrigins: e.CORS_ORIGINS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    queryLimits: {
      maxDepth: e.MAX_QUERY_DEPTH,
      maxCost: e.MAX_QUERY_COST,
      maxAliases: e.MAX_QUERY_ALIASES,
      maxTokens: e.MAX_QUERY_TOKENS,
      maxDirectives: e.MAX_QUERY_DIRECTIVES,
    },
    http: {
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
    },
    streamReservations: {
      ttlMs: e.STREAM_RESERVATION_TTL_MS,
      maxPerClient: e.MAX_STREAM_RESERVATIONS_PER_CLIENT,
      maxTotal: e.MAX_STREAM_RESERVATIONS,
    },
    metricsMaxOperationNames: e.METRICS_MAX_OPERATION_NAMES,
    persistedDocuments: e.PERSISTED_DOCUMENTS && {
      ...e.PERSISTED_DOCUMENTS,
      only: e.PERSISTED_ONLY,
    },
    tracing:
      (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT) &&
      !e.OTEL_SDK_DISABLED
        ? {
            protocol:
              e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
              e.OTEL_EXPORTER_OTLP_PROTOCOL ??
              'http/protobuf',
          }
        : undefined,
    redis:
      e.REDIS_URL === undefined
        ? undefined
        : {
            url: e.REDIS_URL,
            keyPrefix: e.REDIS_KEY_PREFIX,
            leaseTtlMs: e.REDIS_LEASE_TTL_MS,
            leaseRenewMs: e.REDIS_LEASE_RENEW_MS,
            streamMaxLen: e.REDIS_STREAM_MAX_LEN,
            secret: e.CURSOR_SECRET!,
          },
  };
}
