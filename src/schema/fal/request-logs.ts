import { z } from 'zod';
import type { FalLogFilterParams, GatewayContext } from '../../context.js';
import { argumentsDigest } from '../../digest.js';
import type { LogOrder } from '../../log-order.js';
import { fromMicros, fromMillis, parseInstant, type Instant } from '../../time.js';
import { builder } from '../builder.js';
import { readScope } from '../errors.js';
import { LogOrderEnum } from '../log-order.js';
import { loadEach } from '../loaders.js';
import { pageSizeSchema } from '../connections.js';
import { falLogPage, FalLogConnection, LogLevelEnum, readFalLogsCursor } from './logs.js';
import type { LoadedFalRequest } from './request-loader.js';
import { FalRequestRef } from './requests.js';

const DEFAULT_FIRST = 100;
const MAX_FIRST = 1000;
/** Requests whose first pages share one upstream label filter. */
const MAX_BATCH = 100;
const MINUTE_MICROS = 60_000_000;
/** How long before its sending and after its end a request's lines are looked for. */
const CLOCK_SKEW_MICROS = MINUTE_MICROS;
const LOG_LAG_MICROS = 5 * MINUTE_MICROS;
/** How far back a request whose sending time cannot be read is looked for, as its lookup does. */
const LOOKBACK_MICROS = 90 * 24 * 60 * MINUTE_MICROS;

interface RequestLogsArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  minLevel?: string | null | undefined;
  search?: string | null | undefined;
  order?: LogOrder | null | undefined;
}

function logFilter(args: RequestLogsArgs): FalLogFilterParams {
  return { level: args.minLevel?.toLowerCase(), search: args.search ?? undefined };
}

/** Binds a cursor to its request and filters, so it is refused anywhere else. */
function digestOf(requestId: string, filter: FalLogFilterParams): string {
  return argumentsDigest({ requestId, ...filter });
}

/**
 * A window holding every line of the given requests: from just before the first was sent to a
 * while after the last ended (or now, for one still pending), and never past now.
 */
function windowOf(
  requests: readonly LoadedFalRequest[],
  now: Instant,
): { start: Instant; end: Instant } {
  let start = now.micros;
  let end = Number.NEGATIVE_INFINITY;
  for (const { item } of requests) {
    const sent = parseInstant(item.sent_at)?.micros ?? now.micros - LOOKBACK_MICROS;
    start = Math.min(start, sent - CLOCK_SKEW_MICROS);
    const ended = item.ended_at ? parseInstant(item.ended_at) : undefined;
    end = Math.max(end, ended ? ended.micros + LOG_LAG_MICROS : now.micros);
  }
  return { start: fromMicros(start), end: end < now.micros ? fromMicros(end) : now };
}

/** The first page of every request's lines, from one shared walk. */
async function firstPages(
  context: GatewayContext,
  requests: readonly LoadedFalRequest[],
  args: RequestLogsArgs,
) {
  const filter = logFilter(args);
  const order = args.order ?? 'NEWEST_FIRST';
  const window = windowOf(requests, fromMillis(Date.now()));
  const pages = await context.reads.falRequestsFirstLogs(readScope(context, 'fal'), {
    requestIds: [...new Set(requests.map(({ item }) => item.request_id))],
    filter,
    window,
    first: args.first ?? DEFAULT_FIRST,
    order,
  });
  return requests.map(({ item }) => {
    const page = pages.get(item.request_id);
    // No span hint: the shared walk's span says how dense all the requests are, not this one.
    return falLogPage(context, digestOf(item.request_id, filter), window, order, {
      entries: page?.entries ?? [],
      hasNextPage: page?.hasNextPage ?? false,
    });
  });
}

/** The page after `after` of one request's lines, walked alone. */
async function pageAfter(
  context: GatewayContext,
  request: LoadedFalRequest,
  after: string,
  args: RequestLogsArgs,
) {
  const filter = logFilter(args);
  const requestId = request.item.request_id;
  const digest = digestOf(requestId, filter);
  const order = args.order ?? 'NEWEST_FIRST';
  const { window, position, spanHint } = readFalLogsCursor(context, after, digest, order);
  const walk = await context.reads.falRequestLogs(readScope(context, 'fal'), {
    order,
    requestId,
    filter,
    window,
    after: position,
    first: args.first ?? DEFAULT_FIRST,
    spanHint,
  });
  return falLogPage(context, digest, window, order, walk);
}

builder.objectField(FalRequestRef, 'logs', (t) =>
  t.loadable({
    type: FalLogConnection,
    nullable: true,
    byPath: true,
    description: `The request’s own log lines (label \`fal_request_id\`), newest first (or oldest first with \`order: OLDEST_FIRST\`). \`first\` is 1 to ${MAX_FIRST} (default ${DEFAULT_FIRST}). The first pages of all requests in a list are read together in one upstream call; \`after\` pages one request alone.`,
    args: {
      first: t.arg.int({
        defaultValue: DEFAULT_FIRST,
        validate: pageSizeSchema(MAX_FIRST),
      }),
      after: t.arg.string(),
      minLevel: t.arg({ type: LogLevelEnum }),
      search: t.arg.string({
        description: 'Free text the message must contain.',
        validate: z.string().max(1000).nullish(),
      }),
      order: t.arg({ type: LogOrderEnum, defaultValue: 'NEWEST_FIRST' }),
    },
    loaderOptions: {
      maxBatchSize: MAX_BATCH,
      cacheKeyFn: (request: LoadedFalRequest) => request.item.request_id,
    },
    load: async (requests: LoadedFalRequest[], context, args) => {
      const { after } = args;
      if (!after) return firstPages(context, requests, args);
      // A cursor belongs to one request: the others in the list are refused, each on its own.
      return loadEach(requests, MAX_BATCH, (request) => pageAfter(context, request, after, args));
    },
    resolve: (request) => request,
  }),
);
