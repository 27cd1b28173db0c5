import {
  bool,
  cursorLayout,
  digest,
  id,
  instant,
  int,
  list,
  object,
  optional,
  uint,
  type CursorField,
  type CursorOf,
} from '../cursor-layout.js';
import type {
  GatewayContext,
  PageCursorEncoder,
  TimelineItem,
  TimelinePage,
  TimelinePositions,
  TimelineSourceName,
} from '../context.js';
import { argumentsDigest } from '../digest.js';
import { builder } from './builder.js';
import {
  TimelineEventUnion,
  TimelineFilterInput,
  TimelineSourceEnum,
  type TimelineFilter,
} from './timeline-types.js';
import { forwardPage, LazyCursorEdge, pageSizeSchema, readAfterCursor } from './connections.js';
import { filterPlan, unknownAccount } from './dify/workflow-logs.js';
import { missingCredential, requireCredential } from './errors.js';
import { legacyRefusal } from './fal/legacy-refusals.js';
import { falFilterParams } from './fal/logs.js';
import { rememberRequests } from './fal/request-loader.js';
import { expansionsSelected, STATUS_CLASS } from './fal/requests.js';
import { windowFrom, type TimeWindow } from './inputs.js';

const DEFAULT_FIRST = 50;
const MAX_FIRST = 500;
const DEFAULT_WINDOW_HOURS = 24;

/** In the order that breaks ties between sources (the walk's own). */
const TIMELINE_SOURCES = [
  'FAL_LOGS',
  'FAL_REQUESTS',
  'DIFY_WORKFLOWS',
] as const satisfies readonly TimelineSourceName[];

/** The credential that reads each source. */
const SOURCES = {
  FAL_LOGS: { credential: 'fal' },
  FAL_REQUESTS: { credential: 'fal' },
  DIFY_WORKFLOWS: { credential: 'dify' },
} as const satisfies Record<TimelineSourceName, object>;

type TimelineNode = typeof TimelineEventUnion.$inferType;

class TimelineEdge extends LazyCursorEdge<TimelineNode, TimelinePositions> {
  constructor(
    node: TimelineNode,
    encodeCursor: PageCursorEncoder<TimelinePositions>,
    positions: TimelinePositions,
    readonly at: string,
    readonly source: TimelineSourceName,
  ) {
    super(node, encodeCursor, positions);
  }
}

const TimelineEdgeRef = builder.objectRef<TimelineEdge>('TimelineEdge').implement({
  fields: (t) => ({
    cursor: t.string({ resolve: (edge) => edge.cursor }),
    at: t.field({
      type: 'DateTime',
      description: 'When it happened: the time the timeline is ordered by.',
      resolve: (edge) => edge.at,
    }),
    source: t.field({ type: TimelineSourceEnum, resolve: (edge) => edge.source }),
    node: t.field({ type: TimelineEventUnion, resolve: (edge) => edge.node }),
  }),
});

interface Unavailable {
  source: TimelineSourceName;
  code: 'UNAUTHENTICATED';
  message: string;
}

const UnavailableSourceRef = builder.objectRef<Unavailable>('UnavailableSource').implement({
  description: 'A source the filter includes that this walk leaves out, and why.',
  fields: (t) => ({
    source: t.field({ type: TimelineSourceEnum, resolve: (unavailable) => unavailable.source }),
    code: t.exposeString('code'),
    message: t.exposeString('message'),
  }),
});

type TimelineConnection = ReturnType<typeof forwardPage<TimelineEdge>> & {
  unavailable: Unavailable[];
};

const TimelineConnectionRef = builder
  .objectRef<TimelineConnection>('TimelineConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [TimelineEdgeRef], resolve: (connection) => connection.edges }),
      pageInfo: t.field({
        type: builder.pageInfoRef(),
        resolve: (connection) => connection.pageInfo,
      }),
      unavailable: t.field({
        type: [UnavailableSourceRef],
        description:
          'Included sources left out of the walk: their credential was missing when it began.',
        resolve: (connection) => connection.unavailable,
      }),
    }),
  });

const sourceCursor = <Position>(after: CursorField<Position>) =>
  optional(object({ after: optional(after), done: optional(bool) }));

/** The pinned window, then each walked source's place: its own connection's position. */
const timelineCursor = cursorLayout(
  'timeline',
  { args: digest, since: instant, until: instant },
  {
    FAL_LOGS: sourceCursor(object({ micros: int, seen: uint })),
    FAL_REQUESTS: sourceCursor(object({ index: uint, anchor: optional(id), pending: list(id) })),
    DIFY_WORKFLOWS: sourceCursor(object({ second: uint, ids: list(id) })),
  },
);
type TimelineCursor = CursorOf<typeof timelineCursor>;

/** What each included source reads, as its own connection would. */
function sourcePlans(filter: TimelineFilter) {
  const { falLogs, falRequests, workflowRuns } = filter;
  const status = falRequests?.status;
  return {
    FAL_LOGS: falLogs ? { filter: falFilterParams(falLogs) } : undefined,
    FAL_REQUESTS: falRequests
      ? {
          endpointIds: [...new Set(falRequests.endpointIds)].sort(),
          status: status && status !== 'PENDING' ? STATUS_CLASS[status] : undefined,
        }
      : undefined,
    DIFY_WORKFLOWS: workflowRuns ? filterPlan(workflowRuns) : undefined,
  };
}
type SourcePlans = ReturnType<typeof sourcePlans>;

/** Binds a cursor to the filter it was issued for. */
function digestOf(filter: TimelineFilter, plans: SourcePlans) {
  return argumentsDigest({
    since: filter.since?.iso,
    until: filter.until?.iso,
    falLogs: plans.FAL_LOGS?.filter,
    falRequests: plans.FAL_REQUESTS,
    workflowRuns: plans.DIFY_WORKFLOWS && {
      params: plans.DIFY_WORKFLOWS.params,
      status: filter.workflowRuns?.status,
    },
  });
}

/**
 * The sources the walk reads. The first page takes every included source whose credential the
 * request carries; later pages keep that set (the cursor holds it), so a source never joins or
 * leaves a walk halfway, and each needs its credential again.
 */
function walkedSources(
  context: GatewayContext,
  included: readonly TimelineSourceName[],
  cursor: TimelineCursor | undefined,
) {
  if (!cursor) return included.filter((source) => context.credentials[SOURCES[source].credential]);
  const walked = included.filter((source) => cursor[source] !== undefined);
  for (const source of walked) requireCredential(context, SOURCES[source].credential);
  return walked;
}

function unavailableSource(
  context: GatewayContext,
  source: TimelineSourceName,
  resumed: boolean,
): Unavailable {
  const credential = SOURCES[source].credential;
  const message =
    resumed && context.credentials[credential]
      ? `Left out of this walk: its first page had no ${credential} credential. Start again without \`after\` to include it.`
      : missingCredential(credential).message;
  return { source, code: 'UNAUTHENTICATED', message };
}

type Expansions = ReturnType<typeof expansionsSelected>;

function nodeOf(item: TimelineItem, expansions: Expansions): TimelineNode {
  if (item.source === 'FAL_LOGS') return item.line;
  if (item.source === 'DIFY_WORKFLOWS') return item.row;
  return { item: item.request, expansions };
}

builder.queryField('timeline', (t) =>
  t.field({
    type: TimelineConnectionRef,
    nullable: true,
    description: `fal log lines, fal requests (at their endedAt) and Dify workflow log rows merged newest first; at equal times FAL_LOGS, FAL_REQUESTS, DIFY_WORKFLOWS, then each source's own order. \`first\` is 1 to ${MAX_FIRST} (default ${DEFAULT_FIRST}). The window is pinned by the first page, and so are the sources walked: one whose credential the first page lacks is listed in \`unavailable\` and the others are served. Walking to the end yields every item of every walked source exactly once; a page costs at most about one upstream call per source.`,
    args: {
      filter: t.arg({ type: TimelineFilterInput, required: true }),
      first: t.arg.int({ defaultValue: DEFAULT_FIRST, validate: pageSizeSchema(MAX_FIRST) }),
      after: t.arg.string(),
    },
    resolve: async (_root, args, context, info) => {
      const { filter } = args;
      const plans = sourcePlans(filter);
      const argsDigest = digestOf(filter, plans);
      const cursor = args.after
        ? readAfterCursor(context, timelineCursor, args.after, argsDigest)
        : undefined;
      if (filter.falLogs && context.falLogsApi === 'legacy') {
        const refusal = legacyRefusal(filter.falLogs, 'filter.falLogs');
        if (refusal) throw refusal;
      }
      const included = TIMELINE_SOURCES.filter((source) => plans[source] !== undefined);
      const walked = walkedSources(context, included, cursor);
      const unavailable = included
        .filter((source) => !walked.includes(source))
        .map((source) => unavailableSource(context, source, cursor !== undefined));
      if (walked.length === 0) return { ...forwardPage<TimelineEdge>([], false), unavailable };

      const window = cursor
        ? { start: cursor.since, end: cursor.until }
        : windowFrom(filter, DEFAULT_WINDOW_HOURS, Date.now());
      const expand = expansionsSelected(info, ['edges', 'node']);
      const page = await readPage(context, {
        plans,
        walked,
        cursor,
        window,
        expand,
        first: args.first ?? DEFAULT_FIRST,
      }).catch((error: unknown) => {
        const email = plans.DIFY_WORKFLOWS?.params.accountEmail;
        if (email && context.reads.isUnknownAccount(error)) {
          throw unknownAccount('filter.workflowRuns.accountEmail', email);
        }
        throw error;
      });

      const encodeCursor = context.cursors.pageEncoder(timelineCursor, {
        args: argsDigest,
        since: window.start,
        until: window.end,
      });
      const edges = page.entries.map(
        ({ item, at, positions }) =>
          new TimelineEdge(nodeOf(item, expand), encodeCursor, positions, at.iso, item.source),
      );
      rememberRequests(
        context,
        page.entries.flatMap(({ item }) =>
          item.source === 'FAL_REQUESTS' ? [{ item: item.request, expansions: expand }] : [],
        ),
      );
      return {
        ...forwardPage(edges, page.hasNextPage, () =>
          edges.length > 0 || page.hasNextPage ? encodeCursor(page.end) : null,
        ),
        unavailable,
      };
    },
  }),
);

/** One page over the walked sources, each from where the cursor left it. */
function readPage(
  context: GatewayContext,
  request: {
    plans: SourcePlans;
    walked: readonly TimelineSourceName[];
    cursor: TimelineCursor | undefined;
    window: TimeWindow;
    expand: Expansions;
    first: number;
  },
): Promise<TimelinePage> {
  const { plans, walked, cursor, window, expand, first } = request;
  const walks = (source: TimelineSourceName) => walked.includes(source);
  const authorization = (source: TimelineSourceName) =>
    requireCredential(context, SOURCES[source].credential);
  const falLogs = plans.FAL_LOGS;
  const falRequests = plans.FAL_REQUESTS;
  const workflows = plans.DIFY_WORKFLOWS;
  return context.reads.timeline({
    window,
    first,
    call: context.call,
    logger: context.logger,
    sources: {
      FAL_LOGS:
        falLogs && walks('FAL_LOGS')
          ? {
              authorization: authorization('FAL_LOGS'),
              cursor: cursor?.FAL_LOGS ?? {},
              filter: falLogs.filter,
            }
          : undefined,
      FAL_REQUESTS:
        falRequests && walks('FAL_REQUESTS')
          ? {
              authorization: authorization('FAL_REQUESTS'),
              cursor: cursor?.FAL_REQUESTS ?? {},
              ...falRequests,
              expand,
            }
          : undefined,
      DIFY_WORKFLOWS:
        workflows && walks('DIFY_WORKFLOWS')
          ? {
              authorization: authorization('DIFY_WORKFLOWS'),
              cursor: cursor?.DIFY_WORKFLOWS ?? {},
              filter: workflows.params,
              accept: workflows.accept,
            }
          : undefined,
    },
  });
}
