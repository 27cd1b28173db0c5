import { IncomingMessage } from 'node:http';
import { initContextCache } from '@pothos/core';
import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { FalLogsApi, TailSettings } from './config.js';
import type { FalLogTails } from './live/fal-log-tails.js';
import type { FalRequestChange, FalRequestFeedFilter } from './live/fal-request-feed.js';
import type { LiveFeed } from './live/live-feed.js';
import type { WorkflowRunChange, WorkflowRunFeedFilter } from './live/workflow-run-feed.js';
import type { GatewayMetrics } from './plugins/observability.js';
import type { CursorCodec } from './paging/cursor.js';
import type { Reads } from './paging/reads.js';
import { requestIdOf } from './plugins/request-id.js';
import type { CallOptions } from './upstreams/http.js';
import type { DifyClient } from './upstreams/dify/client.js';
import type { FalClient } from './upstreams/fal/client.js';
import type { FalLegacyClient } from './upstreams/fal-legacy/client.js';
import { activeTraceId } from './upstreams/tracing.js';
import type { UpstreamSource } from './errors.js';

export type { ClientQuota } from './live/client-quota.js';
export type { FalTailEvent } from './live/fal-tail.js';
export type { FalRequestChange, FalRequestFeedFilter } from './live/fal-request-feed.js';
export type { TailFailure } from './live/hub.js';
export type { LiveFeed, LiveFeedRequest } from './live/live-feed.js';
export type { RunChange } from './live/run-change.js';
export type { WorkflowRunChange, WorkflowRunFeedFilter } from './live/workflow-run-feed.js';
export type { SharingObserver } from './live/shared-topic.js';
export type { Followable, ReplayFollower } from './live/catch-up.js';
export type { PageCursorEncoder } from './paging/cursor.js';
export type { FalLogContext } from './paging/fal-log-context.js';
export type { FalLogBatch, FalLogEntry, FalLogPosition, FalLogWalkEnd } from './paging/fal-logs.js';
export type { FalRequestsPosition, FalRequestsQuery } from './paging/fal-requests.js';
export type { ReadScope, Reads } from './paging/reads.js';
export type {
  TimelineItem,
  TimelinePage,
  TimelinePositions,
  TimelineSourceName,
} from './paging/timeline-sources.js';
export type { WorkflowLogFilterParams, WorkflowLogPosition } from './paging/workflow-logs.js';
export type {
  DifyStatusFilter,
  DifyWorkflowLog,
  DifyWorkflowRunDetail,
  DifyWorkflowRunSummary,
} from './upstreams/dify/types.js';
export type {
  FalApp,
  FalLabelFilter,
  FalLogFilterParams,
  FalLogLine,
  FalRequestExpansion,
  FalRequestItem,
  FalRequestStatusClass,
} from './upstreams/fal/types.js';
export type { UpstreamCallReport, UpstreamObserver } from './upstreams/http.js';

/** Each upstream's full `Authorization` value as the client sent it; never logged or echoed. */
export type Credentials = Partial<Record<UpstreamSource, string>>;

export interface Upstreams {
  fal: FalClient;
  dify: DifyClient;
  /** fal's legacy logs API, when it serves fal logs (`FAL_LOGS_API=legacy`). */
  falLegacy: FalLegacyClient | undefined;
}

/** Long-lived parts shared by every request. */
export interface GatewayServices {
  upstreams: Upstreams;
  /** Which fal logs API serves fal logs (`FAL_LOGS_API`): the schema refuses what it cannot honour. */
  falLogsApi: FalLogsApi;
  /** The walks and lookups fields are served from, over the backends chosen at start. */
  reads: Reads;
  cursors: CursorCodec;
  logger: Logger;
  tail: TailSettings;
  /**
   * Live fal tails from the chosen backend (fal's stream, or polls of the legacy API); tails
   * without `since` share one upstream source per credential and filter.
   */
  falLogTails: FalLogTails;
  /** Live feeds of Dify workflow runs by polling, one poller per credential and filter without `since`. */
  workflowRunFeed: LiveFeed<WorkflowRunFeedFilter, WorkflowRunChange>;
  /** Live feeds of fal requests by polling, one poller per credential and filter without `since`. */
  falRequestFeed: LiveFeed<FalRequestFeedFilter, FalRequestChange>;
  metrics: GatewayMetrics;
}

export interface GatewayContext extends GatewayServices {
  credentials: Credentials;
  /** The address the client connects from, as this process's socket sees it (a proxy's, behind one). */
  remoteAddress: string | undefined;
  /** Aborted when the client goes away (or the gateway shuts down). */
  signal: AbortSignal;
  /** Lent to every upstream call a query makes: the client's signal, the deadline, the request id. */
  call: CallOptions;
}

/**
 * `X-Fal-Authorization` and `X-Dify-Authorization` carry a whole upstream `Authorization` value
 * each; a plain `Authorization` goes to fal when it is `Key …` and to Dify when it is `Bearer …`.
 */
export function credentialsFrom(headers: Headers): Credentials {
  const credentials: Credentials = {};
  const fal = headers.get('x-fal-authorization')?.trim();
  const dify = headers.get('x-dify-authorization')?.trim();
  const plain = headers.get('authorization')?.trim();
  if (fal) credentials.fal = fal;
  else if (plain && /^key\s/i.test(plain)) credentials.fal = plain;
  if (dify) credentials.dify = dify;
  else if (plain && /^bearer\s/i.test(plain)) credentials.dify = plain;
  return credentials;
}

/** The server context of a request over node:http carries its `IncomingMessage` as `req`. */
function remoteAddressOf(initial: { req?: unknown }): string | undefined {
  return initial.req instanceof IncomingMessage ? initial.req.socket.remoteAddress : undefined;
}

// Invariant: an entry lives while its request does.
const contextsByRequest = new WeakMap<Request, GatewayContext>();

export function createContext(
  services: GatewayServices,
  initial: YogaInitialContext & { req?: unknown },
): GatewayContext {
  const requestId = requestIdOf(initial.request);
  // With tracing on, the context is built inside the operation's span.
  const traceId = activeTraceId();
  const signal = initial.request.signal;
  // Not an object literal spreading `services`: on Node 20, V8 builds a literal that spreads an
  // object and then adds several properties about a hundred times slower (tens of µs a request).
  const context = Object.assign(initContextCache(), services, {
    logger: services.logger.child(traceId ? { requestId, traceId } : { requestId }),
    credentials: credentialsFrom(initial.request.headers),
    remoteAddress: remoteAddressOf(initial),
    signal,
    call: { signal, requestId },
  });
  contextsByRequest.set(initial.request, context);
  return context;
}

/**
 * The context `createContext` made for `request`: what the schema's resolvers read, without the
 * HTTP request, its parameters and the rest that Yoga's context holds beside it (and that a
 * subscription open for hours need not keep).
 */
export const gatewayContextOf = (request: Request): GatewayContext | undefined =>
  contextsByRequest.get(request);
