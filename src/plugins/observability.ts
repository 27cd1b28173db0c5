import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { UpstreamError, UpstreamSource } from '../errors.js';
import type { SharingObserver, UpstreamCallReport, UpstreamObserver } from '../context.js';

/** The gateway's own metrics, in a registry of its own (GraphQL phases join it from Yoga). */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly upstreamCalls = new Counter({
    name: 'gateway_upstream_requests_total',
    help: 'Upstream calls by source, route, HTTP status and outcome',
    labelNames: ['source', 'route', 'status', 'outcome'],
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Upstream call latency, one observation per attempt',
    labelNames: ['source', 'route', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly upstreamRetries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Upstream calls retried, by the outcome that caused the retry',
    labelNames: ['source', 'route', 'outcome'],
    registers: [this.registry],
  });
  private readonly upstreamStreams = new Gauge({
    name: 'gateway_upstream_open_streams',
    help: 'Upstream live streams open now',
    labelNames: ['source', 'route'],
    registers: [this.registry],
  });
  private readonly subscriptions = new Gauge({
    name: 'gateway_open_subscriptions',
    help: 'GraphQL subscriptions open now',
    registers: [this.registry],
  });
  private readonly feedPollers = new Gauge({
    name: 'gateway_feed_pollers',
    help: 'Live feed pollers running now (feeds sharing a poller count once), by source',
    labelNames: ['source'],
    registers: [this.registry],
  });
  private readonly feedPollCount = new Counter({
    name: 'gateway_feed_polls_total',
    help: 'Polls made by live feeds, by source and outcome (ok or failed)',
    labelNames: ['source', 'outcome'],
    registers: [this.registry],
  });
  private readonly reservations = new Gauge({
    name: 'gateway_stream_reservations',
    help: 'graphql-sse stream reservations (PUT on the stream endpoint) not yet claimed by their event stream',
    registers: [this.registry],
  });

  private readonly redisUp = new Gauge({
    name: 'gateway_redis_up',
    help: 'With REDIS_URL: 1 while Redis answers, 0 while live tails run on each replica alone',
    registers: [this.registry],
  });
  private readonly leasesHeld = new Gauge({
    name: 'gateway_live_leases_held',
    help: 'Shared live topics whose upstream source this replica runs for all replicas (it holds their lease)',
    registers: [this.registry],
  });
  private readonly takeovers = new Counter({
    name: 'gateway_live_takeovers_total',
    help: 'Leases this replica took to go on after the events another holder had appended',
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: 'gateway_live_fallbacks_total',
    help: 'Times a shared live topic went on with an upstream source of its own on this replica because Redis was unreachable',
    registers: [this.registry],
  });
  private readonly streamLag = new Gauge({
    name: 'gateway_live_stream_lag_seconds',
    help: 'Per shared topic followed here (named by the start of its keyed digest): how long the entry last read from its Redis stream had been there',
    labelNames: ['topic'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  readonly sharing: SharingObserver = {
    reachable: (up) => this.redisUp.set(up ? 1 : 0),
    leaseTaken: (takeover) => {
      this.leasesHeld.inc();
      if (takeover) this.takeovers.inc();
    },
    leaseGivenUp: () => this.leasesHeld.dec(),
    fellBack: () => this.fallbacks.inc(),
    lag: (topic, seconds) => this.streamLag.set({ topic }, Math.max(0, seconds)),
    forget: (topic) => this.streamLag.remove({ topic }),
  };

  readonly upstream: UpstreamObserver = {
    call: (report) => {
      this.upstreamCalls.inc(labelsOf(report, true));
      this.upstreamDuration.observe(labelsOf(report, false), report.durationMs / 1000);
    },
    retry: (report) => this.upstreamRetries.inc(labelsOf(report, false)),
    streamOpened: (source, route) => this.upstreamStreams.inc({ source, route }),
    streamClosed: (source, route) => this.upstreamStreams.dec({ source, route }),
  };

  readonly subscription = {
    started: () => this.subscriptions.inc(),
    ended: () => this.subscriptions.dec(),
  };

  readonly streamReservations = (outstanding: number) => this.reservations.set(outstanding);

  /** The pollers of one source's live feeds, and their polls. */
  readonly feedPolls = (source: UpstreamSource) => ({
    opened: () => this.feedPollers.inc({ source }),
    closed: () => this.feedPollers.dec({ source }),
    polled: (outcome: 'ok' | 'failed') => this.feedPollCount.inc({ source, outcome }),
  });
}

function labelsOf(report: UpstreamCallReport, withStatus: boolean) {
  const { source, route, outcome } = report;
  return withStatus
    ? { source, route, outcome, status: String(report.status ?? 'none') }
    : { source, route, outcome };
}

/**
 * Upstream refusals of what the client sent (its key, an id, its input) and calls the client
 * gave up on: the client's problem, not the gateway's.
 */
const CLIENTS_OWN_OUTCOMES = new Set<UpstreamCallReport['outcome']>([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'aborted',
]);

const isClientsOwn = (outcome: UpstreamCallReport['outcome']) => CLIENTS_OWN_OUTCOMES.has(outcome);

/**
 * One line, with no stack, for an upstream failure a client receives: a warning when it is the
 * client's own (a refused key), an error otherwise.
 */
export function logUpstreamFailure(
  logger: Logger,
  error: UpstreamError,
  path: readonly (string | number)[] | undefined,
): void {
  const { code, source, upstreamStatus, upstreamRequestId } = error.details;
  logger[isClientsOwn(code) ? 'warn' : 'error'](
    { code, upstream: source, upstreamStatus, upstreamRequestId, path: path?.join('.') },
    error.message,
  );
}

/** One structured line per upstream call and retry: never a payload, a key or a query value. */
export function upstreamCallLog(logger: Logger): UpstreamObserver {
  const fields = (report: UpstreamCallReport) => ({
    requestId: report.requestId,
    traceId: report.traceId,
    upstream: report.source,
    route: report.route,
    attempt: report.attempt,
    status: report.status,
    outcome: report.outcome,
    ms: Math.round(report.durationMs * 10) / 10,
  });
  return {
    call: (report) =>
      report.outcome === 'ok'
        ? logger.info(fields(report), 'upstream call')
        : logger[isClientsOwn(report.outcome) ? 'info' : 'warn'](
            fields(report),
            'upstream call failed',
          ),
    retry: (report) =>
      logger.info({ ...fields(report), delayMs: Math.round(report.delayMs) }, 'upstream retry'),
    streamOpened: (source: UpstreamSource, route) =>
      logger.debug({ upstream: source, route }, 'upstream stream opened'),
    streamClosed: (source: UpstreamSource, route) =>
      logger.debug({ upstream: source, route }, 'upstream stream closed'),
  };
}

export function bothObservers(first: UpstreamObserver, second: UpstreamObserver): UpstreamObserver {
  return {
    call: (report) => (first.call(report), second.call(report)),
    retry: (report) => (first.retry(report), second.retry(report)),
    streamOpened: (source, route) => (
      first.streamOpened(source, route),
      second.streamOpened(source, route)
    ),
    streamClosed: (source, route) => (
      first.streamClosed(source, route),
      second.streamClosed(source, route)
    ),
  };
}
