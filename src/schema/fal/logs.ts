import { z } from 'zod';
import { canonicalIso, type Instant } from '../../time.js';
import { cursorLayout, digest, instant, int, oneOf, optional, uint } from '../../cursor-layout.js';
import { argumentsDigest } from '../../digest.js';
import { LOG_ORDERS, type LogOrder } from '../../log-order.js';
import type {
  FalLabelFilter,
  FalLogBatch,
  FalLogEntry,
  FalLogFilterParams,
  FalLogLine,
  FalLogPosition,
  FalLogWalkEnd,
  GatewayContext,
} from '../../context.js';
import { builder } from '../builder.js';
import { orderedTimeBounds, windowFrom } from '../inputs.js';
import { forwardPage, LazyCursorEdge, pageSizeSchema, readAfterCursor } from '../connections.js';
import { readScope } from '../errors.js';
import { batchedForwardPage, pageSliceOf, type EdgeBatch } from '../streamed-pages.js';
import { legacyRefusal } from './legacy-refusals.js';
import { LogOrderEnum, requireCursorOrder } from '../log-order.js';

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'STDOUT', 'STDERR'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_BY_UPSTREAM_NAME = new Map<string, LogLevel>([
  ...LOG_LEVELS.map((level) => [level.toLowerCase(), level] as const),
  ['warn', 'WARNING'],
  ['critical', 'ERROR'],
  ['fatal', 'ERROR'],
]);

/** Upstream levels arrive in either case; one the enum does not know reads as INFO. */
export function logLevelOf(upstreamLevel: string): LogLevel {
  return (
    LEVEL_BY_UPSTREAM_NAME.get(upstreamLevel) ??
    LEVEL_BY_UPSTREAM_NAME.get(upstreamLevel.toLowerCase()) ??
    'INFO'
  );
}

export const LogLevelEnum = builder.enumType('LogLevel', {
  description:
    'Severity of a log line. STDOUT and STDERR are raw process output; as a minimum level they rank above ERROR, and STDERR above STDOUT.',
  values: LOG_LEVELS,
});

const FalRunSourceEnum = builder.enumType('FalRunSource', {
  values: {
    GRPC_RUN: { value: 'grpc-run' },
    GRPC_REGISTER: { value: 'grpc-register' },
    GATEWAY: { value: 'gateway' },
    CRON: { value: 'cron' },
  } as const,
});

const LabelOpEnum = builder.enumType('LabelOp', {
  values: {
    EQUALS: { value: 'equals' },
    IN: { value: 'in' },
    NOT_EQUALS: { value: 'not_equals' },
    NOT_IN: { value: 'not_in' },
  } as const,
});

const nonBlank = z.string().trim().min(1, 'must not be empty');

const LabelFilterInput = builder.inputType('LabelFilter', {
  description:
    'A condition on one label of a log line. EQUALS and NOT_EQUALS take exactly one value; IN and NOT_IN take one or more.',
  fields: (t) => ({
    key: t.string({ required: true, validate: nonBlank.max(200) }),
    values: t.stringList({
      required: true,
      validate: z.array(z.string().max(1000)).min(1, 'needs at least one value').max(100),
    }),
    op: t.field({ type: LabelOpEnum, defaultValue: 'equals' }),
  }),
  validate: z
    .looseObject({ values: z.array(z.string()), op: z.string().nullish() })
    .refine(
      ({ values, op }) => !(op === 'equals' || op === 'not_equals' || !op) || values.length === 1,
      { message: 'EQUALS and NOT_EQUALS take exactly one value', path: ['values'] },
    ),
});

/**
 * One segment of a fal app or endpoint id. Ids travel in upstream query parameters, where a
 * comma separates ids: letters, digits, `_`, `-` and dots (never first) only, so no `..`, `/`,
 * `%`, `?`, `#`, `,` or space can change what the upstream is asked for.
 */
export const FAL_ID_SEGMENT = '\\w[\\w.-]*';
export const FAL_ID_MAX_LENGTH = 200;
const APP_ID = new RegExp(`^${FAL_ID_SEGMENT}/${FAL_ID_SEGMENT}$`);

export const FalLogFilterInput = builder.inputType('FalLogFilter', {
  fields: (t) => ({
    appIds: t.stringList({
      description: 'Apps as `owner/name`, 1 to 50.',
      validate: z
        .array(z.string().max(FAL_ID_MAX_LENGTH).regex(APP_ID, 'must be an app id like owner/name'))
        .min(1, 'needs at least one app id')
        .max(50, 'takes at most 50 app ids'),
    }),
    revision: t.string({ validate: nonBlank.max(200) }),
    runSource: t.field({ type: FalRunSourceEnum }),
    search: t.string({
      description: 'Free text the message must contain.',
      validate: z.string().max(1000),
    }),
    minLevel: t.field({
      type: LogLevelEnum,
      description:
        'The lowest level returned, in fal’s order: TRACE < DEBUG < INFO < WARNING < ERROR < STDOUT < STDERR. STDOUT and STDERR (a process’s raw output) rank above ERROR, so `ERROR` also returns them, often as most of the lines, and `STDERR` returns STDERR lines alone. fal cannot select ERROR lines alone: ask for `ERROR` and keep the lines whose `level` is `ERROR`.',
    }),
    jobId: t.string({
      description: 'The runner (label `fal_job_id`).',
      validate: nonBlank.max(200),
    }),
    requestId: t.string({
      description: 'The request that emitted the line (label `fal_request_id`).',
      validate: nonBlank.max(200),
    }),
    since: t.field({
      type: 'DateTime',
      description: 'Inclusive. Default: 24 hours before `until`.',
    }),
    until: t.field({
      type: 'DateTime',
      description: 'Exclusive. Default: now, pinned when the first page is read.',
    }),
    labels: t.field({
      type: [LabelFilterInput],
      validate: z.array(z.unknown()).max(50, 'takes at most 50 label conditions'),
    }),
    traceback: t.boolean({ description: 'Include tracebacks (label `traceback`) on error lines.' }),
  }),
  validate: orderedTimeBounds,
});

export type FalLogFilter = NonNullable<typeof FalLogFilterInput.$inferInput>;

/** The upstream's own filter parameters for a FalLogFilter (time bounds excluded). */
export function falFilterParams(filter: FalLogFilter | null | undefined): FalLogFilterParams {
  if (!filter) return {};
  return {
    appIds: filter.appIds ?? undefined,
    revision: filter.revision ?? undefined,
    runSource: filter.runSource ?? undefined,
    traceback: filter.traceback ?? undefined,
    search: filter.search ?? undefined,
    level: filter.minLevel?.toLowerCase(),
    jobId: filter.jobId ?? undefined,
    requestId: filter.requestId ?? undefined,
    labels: filter.labels?.map((label): FalLabelFilter => ({
      key: label.key,
      value: label.op === 'in' || label.op === 'not_in' ? label.values : (label.values[0] ?? ''),
      condition_type: label.op ?? 'equals',
    })),
  };
}

const LogLabelRef = builder.objectRef<{ key: string; value: string }>('LogLabel').implement({
  fields: (t) => ({
    key: t.exposeString('key'),
    value: t.exposeString('value'),
  }),
});

function labelOf(line: FalLogLine, key: string): string | null {
  const labels = line.labels;
  return labels && Object.hasOwn(labels, key) ? (labels[key] ?? null) : null;
}

export const FalLogLineRef = builder.objectRef<FalLogLine>('FalLogLine').implement({
  description: 'One line of a fal app’s logs.',
  fields: (t) => ({
    timestamp: t.field({
      type: 'DateTime',
      resolve: (line) => canonicalIso(line.timestamp),
    }),
    level: t.field({ type: LogLevelEnum, resolve: (line) => logLevelOf(line.level) }),
    message: t.exposeString('message'),
    app: t.exposeString('app'),
    revision: t.exposeString('revision'),
    labels: t.field({
      type: [LogLabelRef],
      resolve: (line) => Object.entries(line.labels ?? {}).map(([key, value]) => ({ key, value })),
    }),
    label: t.string({
      nullable: true,
      args: { key: t.arg.string({ required: true }) },
      resolve: (line, { key }) => labelOf(line, key),
    }),
    requestId: t.string({ nullable: true, resolve: (line) => labelOf(line, 'fal_request_id') }),
    jobId: t.string({ nullable: true, resolve: (line) => labelOf(line, 'fal_job_id') }),
  }),
});

export const FalLogConnection = builder.connectionObject(
  { type: FalLogLineRef, name: 'FalLogConnection' },
  { name: 'FalLogEdge' },
);

const DEFAULT_WINDOW_HOURS = 24;

/** A fal log walk's cursor: its window, order and, oldest first, the span that held a page. */
const falLogsCursor = cursorLayout(
  'falLogs',
  {
    args: digest,
    order: oneOf(LOG_ORDERS),
    start: instant,
    end: instant,
    /** Oldest first: the span (µs) that held about one page, so the next page need not search. */
    spanHint: optional(uint),
  },
  { micros: int, seen: uint },
);

/**
 * Reads a cursor of a fal log walk (`falLogs` and `FalRequest.logs`) in `order`: its window,
 * position and, oldest first, the span that held a page.
 */
export function readFalLogsCursor(
  context: GatewayContext,
  after: string,
  args: string,
  order: LogOrder,
) {
  const cursor = readAfterCursor(context, falLogsCursor, after, args);
  requireCursorOrder(cursor.order, order);
  return {
    window: { start: cursor.start, end: cursor.end },
    position: { micros: cursor.micros, seen: cursor.seen },
    spanHint: cursor.spanHint,
  };
}

/** Signs the cursors of a page of a fal log walk, each resuming that same walk. */
function falLogCursorEncoder(
  context: GatewayContext,
  args: string,
  window: { start: Instant; end: Instant },
  order: LogOrder,
  spanHint: number | undefined,
) {
  return context.cursors.pageEncoder(falLogsCursor, {
    args,
    order,
    start: window.start,
    end: window.end,
    spanHint,
  });
}

function falLogEdges(
  entries: readonly FalLogEntry[],
  encodeCursor: ReturnType<typeof falLogCursorEncoder>,
) {
  // An entry is its own position: the cursor layout reads only its `micros` and `seen`.
  return entries.map(
    (entry) => new LazyCursorEdge<FalLogLine, FalLogPosition>(entry.line, encodeCursor, entry),
  );
}

/** A page of a fal log walk whose edge cursors resume that same walk. */
export function falLogPage(
  context: GatewayContext,
  args: string,
  window: { start: Instant; end: Instant },
  order: LogOrder,
  walk: { entries: readonly FalLogEntry[]; hasNextPage: boolean; spanHint?: number | undefined },
) {
  const encodeCursor = falLogCursorEncoder(context, args, window, order, walk.spanHint);
  return forwardPage(falLogEdges(walk.entries, encodeCursor), walk.hasNextPage);
}

/** The edges of a newest-first walk read batch by batch; `onEnd` sees how the walk ended. */
async function* falLogEdgeBatches(
  batches: AsyncGenerator<FalLogBatch, FalLogWalkEnd>,
  encodeCursor: ReturnType<typeof falLogCursorEncoder>,
  onEnd: (end: FalLogWalkEnd) => void,
): AsyncGenerator<EdgeBatch<LazyCursorEdge<FalLogLine, FalLogPosition>>, FalLogWalkEnd> {
  for (;;) {
    const step = await batches.next();
    if (step.done) {
      onEnd(step.value);
      return step.value;
    }
    yield { edges: falLogEdges(step.value.entries, encodeCursor), last: step.value.last };
  }
}

function warnOfUnreachableBursts(context: GatewayContext, { unreachableBursts }: FalLogWalkEnd) {
  if (unreachableBursts.length === 0) return;
  context.logger.warn(
    { bursts: unreachableBursts },
    'fal log lines sharing one timestamp outnumber an upstream page; the rest are unreachable',
  );
}

builder.queryField('falLogs', (t) =>
  t.field({
    type: FalLogConnection,
    nullable: true,
    description:
      'fal serverless log history, newest first (or oldest first with `order: OLDEST_FIRST`). `first` is 1 to 5000 (default 100). Without `filter.since` the window is the 24 hours before `filter.until` (or now); the window is pinned by the first page, so later pages neither skip nor repeat lines while new ones arrive.',
    args: {
      filter: t.arg({ type: FalLogFilterInput }),
      first: t.arg.int({ defaultValue: 100, validate: pageSizeSchema(5000) }),
      after: t.arg.string(),
      order: t.arg({ type: LogOrderEnum, defaultValue: 'NEWEST_FIRST' }),
    },
    resolve: async (root, args, context) => {
      const slice = pageSliceOf(root);
      if (slice) return slice as ReturnType<typeof falLogPage>;
      const order = args.order ?? 'NEWEST_FIRST';
      const filterParams = falFilterParams(args.filter);
      const digest = argumentsDigest({
        filter: filterParams,
        since: args.filter?.since?.iso,
        until: args.filter?.until?.iso,
      });
      const cursor = args.after ? readFalLogsCursor(context, args.after, digest, order) : undefined;
      if (context.falLogsApi === 'legacy') {
        const refusal = legacyRefusal(args.filter);
        if (refusal) throw refusal;
      }
      const scope = readScope(context, 'fal');

      const window = cursor?.window ?? windowFrom(args.filter, DEFAULT_WINDOW_HOURS, Date.now());
      const walkRequest = {
        filter: filterParams,
        window,
        after: cursor?.position,
        first: args.first ?? 100,
      };
      if (order === 'NEWEST_FIRST') {
        const batches = context.reads.falLogBatches(scope, walkRequest);
        const encodeCursor = falLogCursorEncoder(context, digest, window, order, undefined);
        return batchedForwardPage(
          root,
          falLogEdgeBatches(batches, encodeCursor, (end) => warnOfUnreachableBursts(context, end)),
        );
      }
      const walk = await context.reads.falLogs(scope, {
        ...walkRequest,
        order,
        spanHint: cursor?.spanHint,
      });
      warnOfUnreachableBursts(context, walk);
      return falLogPage(context, digest, window, order, walk);
    },
  }),
);
