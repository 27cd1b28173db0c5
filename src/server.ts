import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import { createYoga, useReadinessCheck } from 'graphql-yoga';
import { pino, type Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type GatewayContext, type GatewayServices } from './context.js';
import { useArgumentNamingErrors } from './plugins/argument-errors.js';
import { useCompiledQueries } from './plugins/compiled-queries.js';
import { useEventStreams } from './plugins/event-streams.js';
import { useQueryLimits } from './plugins/limits.js';
import { bothObservers, GatewayMetrics, upstreamCallLog } from './plugins/observability.js';
import { renderLocalGraphiQL, useGraphiQLAssets } from './plugins/graphiql.js';
import { exampleOperations } from './operations.js';
import { useRequestId } from './plugins/request-id.js';
import { useRootPointer } from './plugins/root-pointer.js';
import { CursorCodec } from './paging/cursor.js';
import { useContractErrorCodes, useUpstreamErrors } from './plugins/error-contract.js';
import { useRequestDeadline } from './plugins/request-deadline.js';
import { createSharedFalTails } from './schema/fal/live.js';
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
   * `drainTimeoutMs`), and releases the upstream pools.
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

export function createGateway(config: Config, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger(config);
  const metrics = new GatewayMetrics();
  const observer = bothObservers(metrics.upstream, upstreamCallLog(logger));
  const shutdown = new AbortController();
  const services: GatewayServices = {
    upstreams: {
      fal: new FalClient(config.falApiUrl, config.upstream, observer),
      dify: new DifyClient(config.difyApiUrl, config.upstream, observer),
    },
    cursors: new CursorCodec(config.cursorSecret),
    logger,
    tail: config.tail,
    sharedTails: createSharedFalTails(config.tail),
    metrics,
    shutdown: shutdown.signal,
  };
  let draining = false;

  const graphqlEndpoint = '/graphql';
  const streamEndpoint = `${graphqlEndpoint}/stream`;
  const headers = options.graphiqlHeaders
    ? JSON.stringify(options.graphiqlHeaders, null, 2)
    : undefined;
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
    maxRequestBodySize: config.maxBodyBytes,
    plugins: [
      ...(config.graphiql ? [useGraphiQLAssets()] : []),
      useRequestId(),
      useRootPointer(graphqlEndpoint, config.graphiql),
      useArgumentNamingErrors(),
      ...useRequestSafety({
        maxBodyBytes: config.maxBodyBytes,
        introspection: config.introspection,
        streamEndpoint,
      }),
      ...useQueryLimits(config.queryLimits, { hideSchema: !config.introspection }),
      useRequestDeadline(config.requestDeadlineMs),
      useUpstreamErrors(),
      useContractErrorCodes(),
      useReadinessCheck({ endpoint: '/ready', check: () => !draining }),
      ...useEventStreams(streamEndpoint),
      usePrometheus({
        registry: metrics.registry,
        endpoint: '/metrics',
        // The schema deprecates nothing, and counting deprecated fields walks every document on
        // every request.
        metrics: { graphql_envelop_deprecated_field: false },
      }),
      useCompiledQueries(),
    ],
  });

  const server: Server = createServer(yoga.requestListener);

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
      const { fal, dify } = services.upstreams;
      await Promise.all([fal.close(), dify.close()]);
    },
  };
}
