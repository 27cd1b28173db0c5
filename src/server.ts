import { createServer, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { pino, type Logger } from 'pino';
import type { Config, HttpServerTimeouts } from './config.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { EncodedServerResponse } from './encoded-response.js';
import { gatewayRequestListener } from './node-listener.js';
import { useArgumentNamingErrors } from './plugins/argument-errors.js';
import { useCompiledQueries } from './plugins/compiled-queries.js';
import { useEventStreams } from './plugins/event-streams.js';
import { OperationLabels, useGraphQLMetrics } from './plugins/graphql-metrics.js';
import { useQueryLimits } from './plugins/limits.js';
import { bothObservers, GatewayMetrics, upstreamCallLog } from './plugins/observability.js';
import { renderLocalGraphiQL, useGraphiQLAssets } from './plugins/graphiql.js';
import { exampleOperations } from './operations.js';
import { useReadiness } from './plugins/readiness.js';
import { useRequestId } from './plugins/request-id.js';
import { useRequestParamChecks } from './plugins/request-params.js';
import { PersistedDocuments, usePersistedDocuments } from './plugins/persisted-documents.js';
import { useTracing } from './plugins/tracing.js';
import { useRootPointer } from './plugins/root-pointer.js';
import { useStreamedPages } from './plugins/streamed-pages.js';
import { CursorCodec } from './paging/cursor.js';
import { falHistoryReader } from './paging/fal-log-readers.js';
import { falLegacyReader } from './paging/fal-legacy-reader.js';
import { createReads } from './paging/reads.js';
import { FalLegacyClient } from './upstreams/fal-legacy/client.js';
import { useContractErrorCodes, useUpstreamErrors } from './plugins/error-contract.js';
import { useRequestDeadline } from './plugins/request-deadline.js';
import { tailFalLogs, type FalLiveSource, type FalTailEvent } from './live/fal-tail.js';
import { pollFalLegacyLogs } from './live/fal-legacy-poller.js';
import { sharedFalLogTails } from './live/fal-log-tails.js';
import { memoryTailHubs, tailFailure, type TailHubs } from './live/hub.js';
import { redisTailHubs } from './live/redis-tail-hub.js';
import { falRequestFeedKind } from './live/fal-request-feed.js';
import { liveFeed } from './live/live-feed.js';
import type { FeedEvent } from './live/poll-loop.js';
import { workflowRunFeedKind } from './live/workflow-run-feed.js';
import { StreamSlots } from './live/stream-slots.js';
import { ClientQuota } from './live/client-quota.js';
import { useSubscriptionLimits } from './plugins/subscription-limits.js';
import { useSharedEventStreams } from './plugins/shared-event-results.js';
import { SubscriptionStreamHooks } from './plugins/stream-hooks.js';
import { schema } from './schema/index.js';
import { corsPolicy, useRequestSafety } from './plugins/security.js';
import { DifyClient } from './upstreams/dify/client.js';
import { FalClient } from './upstreams/fal/client.js';

export interface GatewayOptions {
  logger?: Logger;
  /** Headers GraphiQL starts with, e.g. the demo's upstream keys. */
  graphiqlHeaders?: Record<string, string>;
  /** How long `close()` waits for in-flight requests before cutting them off. */
  drainTimeoutMs?: number;
}

export interface Gateway {
  yoga: ReturnType<typeof createYoga<Record<string, unknown>, GatewayContext>>;
  /** Starts listening; resolves to the base URL (no path). */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Stops accepting, completes live tails, lets in-flight requests finish (within
   * `drainTimeoutMs`), releases the upstream pools, and gives up the live topics' Redis leases.
   */
  close(): Promise<void>;
}

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-fal-authorization"]',
  'req.headers["x-dify-authorization"]',
  'authorization',
  'credentials',
];

export function createLogger(config: Config): Logger {
  return pino({ level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
}

/**
 * Node bounds only the receiving of a request (headers, then body): a response streamed for
 * minutes, as a live tail is, is not cut. Node checks the timeouts every
 * `connectionsCheckingInterval` (30 s by default), which would let a slow client overstay a
 * short timeout by that much.
 */
function serverTimeouts({ requestTimeoutMs, headersTimeoutMs }: HttpServerTimeouts): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: headersTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
  };
}

/**
 * The gateway for `config`. Throws a ConfigError naming `PERSISTED_DOCUMENTS` when a persisted
 * document is not valid against the schema.
 */
export function createGateway(config: Config, options: GatewayOptions = {}): Gateway {
  const persisted =
    config.persistedDocuments && new PersistedDocuments(config.persistedDocuments, schema);
  const logger = options.logger ?? createLogger(config);
  const metrics = new GatewayMetrics();
  const observer = bothObservers(metrics.upstream, upstreamCallLog(logger));
  const shutdown = new AbortController();
  const fal = new FalClient(config.falApiUrl, config.upstream, observer);
  const falLegacy =
    config.falLogsApi === 'legacy'
      ? new FalLegacyClient(config.falLegacyApiUrl, config.upstream, observer)
      : undefined;
  const dify = new DifyClient(config.difyApiUrl, config.upstream, observer);
  const falStreams = new StreamSlots(config.upstream.maxStreams);
  const falLive: FalLiveSource =
    config.falLogsApi === 'legacy'
      ? (request) =>
          pollFalLegacyLogs({
            ...request,
            client: falLegacy!,
            settings: config.tail,
            intervalMs: config.falLegacyPollIntervalMs,
          })
      : (request) =>
          tailFalLogs({ ...request, client: fal, streams: falStreams, settings: config.tail });
  const hubs: TailHubs = config.redis
    ? redisTailHubs(config.redis, logger, metrics.sharing)
    : memoryTailHubs();
  const feedHub = <Change, State>(name: string) =>
    hubs.hub<FeedEvent<Change, State>>({
      name,
      maxBacklog: config.tail.maxBacklog,
      failure: tailFailure,
      shutdown: shutdown.signal,
    });
  const services: GatewayServices = {
    upstreams: {
      fal,
      dify,
      falLegacy,
    },
    falLogsApi: config.falLogsApi,
    reads: createReads({
      fal,
      dify,
      falLogReader: falLegacy
        ? (authorization, call) => falLegacyReader(falLegacy, authorization, call)
        : (authorization, call) => falHistoryReader(fal, authorization, call),
    }),
    cursors: new CursorCodec(config.cursorSecret),
    logger,
    tail: config.tail,
    falLogTails: sharedFalLogTails({
      live: falLive,
      hub: hubs.hub<FalTailEvent>({
        name: `fal-logs-${config.falLogsApi}`,
        maxBacklog: config.tail.maxBacklog,
        failure: tailFailure,
        shutdown: shutdown.signal,
      }),
      resumeOverlapMs: config.tail.resumeOverlapMs,
      maxBrought: config.tail.maxBacklog,
      shutdown: shutdown.signal,
    }),
    workflowRunFeed: liveFeed(workflowRunFeedKind(dify), {
      hub: feedHub('dify-runs'),
      intervalMs: config.difyPollIntervalMs,
      settings: config.tail,
      observer: metrics.feedPolls('dify'),
      shutdown: shutdown.signal,
    }),
    falRequestFeed: liveFeed(falRequestFeedKind(fal, config.tail.resumeOverlapMs), {
      hub: feedHub('fal-requests'),
      intervalMs: config.falRequestsPollIntervalMs,
      settings: config.tail,
      observer: metrics.feedPolls('fal'),
      shutdown: shutdown.signal,
    }),
    metrics,
  };
  let draining = false;

  const graphqlEndpoint = '/graphql';
  const streamEndpoint = `${graphqlEndpoint}/stream`;
  const headers = options.graphiqlHeaders
    ? JSON.stringify(options.graphiqlHeaders, null, 2)
    : undefined;
  const streamHooks = new SubscriptionStreamHooks();
  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    context: (initial) => createContext(services, initial),
    graphqlEndpoint,
    healthCheckEndpoint: '/health',
    logging: logger,
    graphiql: config.graphiql && {
      title: 'AI logs gateway',
      defaultHeaders: headers,
      // GraphiQL opens live tails with a plain GET; this marks them as not cross-site.
      additionalHeaders: { 'x-graphql-yoga-csrf': 'graphiql' },
      defaultTabs: exampleOperations().map(({ document }) => ({ query: document, headers })),
    },
    renderGraphiQL: renderLocalGraphiQL,
    landingPage: false,
    cors: corsPolicy(config.corsOrigins),
    // `useRequestSafety` bounds bodies at less cost.
    maxRequestBodySize: false,
    // The schema takes no uploads.
    multipart: false,
    plugins: [
      ...(config.graphiql ? [useGraphiQLAssets()] : []),
      useRequestId(),
      useRequestParamChecks(),
      ...(persisted ? usePersistedDocuments(persisted) : []),
      useRootPointer(graphqlEndpoint, config.graphiql),
      useArgumentNamingErrors(),
      ...useRequestSafety({
        maxBodyBytes: config.maxBodyBytes,
        introspection: config.introspection,
        streamEndpoint,
      }),
      // Before tracing, which reads the contract codes of upstream errors.
      streamHooks.hold(useUpstreamErrors()),
      // Before the plugins that refuse an operation before it runs, so that it sees them.
      ...(config.tracing ? [streamHooks.hold(useTracing())] : []),
      ...useQueryLimits(config.queryLimits, { hideSchema: !config.introspection }),
      useRequestDeadline(config.requestDeadlineMs),
      useContractErrorCodes(),
      // Queries need no Redis: without it the gateway is still ready, and says what is degraded.
      useReadiness('/ready', (fetchAPI) => {
        const trouble = hubs.trouble();
        if (draining || !trouble) return !draining;
        return fetchAPI.Response.json({ status: 'degraded', degraded: [trouble] });
      }),
      ...useEventStreams(
        streamEndpoint,
        config.streamReservations,
        metrics.streamReservations,
        persisted && ((params, request) => persisted.paramsToRun(params, request)),
      ),
      streamHooks.hold(useSubscriptionLimits(new ClientQuota(config.maxSubscriptionsPerClient))),
      ...useGraphQLMetrics(
        metrics.registry,
        new OperationLabels(config.metricsMaxOperationNames, persisted?.operationNames),
      ).map((plugin) => streamHooks.hold(plugin)),
      // After every held plugin: runs their stream hooks for subscriptions read through their chain.
      streamHooks.runner,
      useCompiledQueries(),
      ...useSharedEventStreams(metrics.registry, streamHooks),
      // After the compiled queries: it runs each batch of a page on the executor they chose.
      useStreamedPages(graphqlEndpoint),
    ],
  });

  const server: Server = createServer(
    { ...serverTimeouts(config.http), ServerResponse: EncodedServerResponse },
    gatewayRequestListener(yoga, logger),
  );

  return {
    yoga,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    async close() {
      draining = true;
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(
        () => server.closeAllConnections(),
        options.drainTimeoutMs ?? 10_000,
      );
      if (server.listening) await closed;
      clearTimeout(deadline);
      const { fal, dify, falLegacy } = services.upstreams;
      await Promise.all([fal.close(), dify.close(), falLegacy?.close(), hubs.close()]);
    },
  };
}
