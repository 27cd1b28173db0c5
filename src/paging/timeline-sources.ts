import type { Logger } from 'pino';
import { fromMicros, hoursBefore, type Instant } from '../time.js';
import type { DifyWorkflowLog } from '../upstreams/dify/types.js';
import type {
  FalLogFilterParams,
  FalLogLine,
  FalRequestExpansion,
  FalRequestItem,
  FalRequestStatusClass,
} from '../upstreams/fal/types.js';
import type { CallOptions } from '../upstreams/http.js';
import { walkFalLogs, type FalLogPageReader, type FalLogPosition } from './fal-logs.js';
import {
  endedAtOf,
  walkFalRequests,
  type FalRequestsPosition,
  type FalRequestsReader,
} from './fal-requests.js';
import {
  walkTimeline,
  type SourceCursor,
  type SourceWalk,
  type TimelineSource,
} from './timeline.js';
import {
  secondsWindow,
  walkWorkflowLogs,
  type WorkflowLogFilterParams,
  type WorkflowLogPosition,
  type WorkflowLogsReader,
} from './workflow-logs.js';

/** The timeline's sources; at equal times their entries go out in this order. */
export type TimelineSourceName = 'FAL_LOGS' | 'FAL_REQUESTS' | 'DIFY_WORKFLOWS';

/**
 * How long before the window a request that ends within it may have been sent: the requests API
 * filters on sent_at, so a request that ran longer than this across the window's start is missed.
 */
const REQUEST_LOOKBACK_HOURS = 24;

export type TimelineItem =
  | { source: 'FAL_LOGS'; line: FalLogLine }
  | { source: 'FAL_REQUESTS'; request: FalRequestItem }
  | { source: 'DIFY_WORKFLOWS'; row: DifyWorkflowLog };

/** Where each source of a walk stands; a source is in the walk when it has an entry here. */
export interface TimelinePositions {
  FAL_LOGS?: SourceCursor<FalLogPosition>;
  FAL_REQUESTS?: SourceCursor<FalRequestsPosition>;
  DIFY_WORKFLOWS?: SourceCursor<WorkflowLogPosition>;
}

interface SourceRequest<Position> {
  authorization: string;
  cursor: SourceCursor<Position>;
}

/** The sources a page reads: each with the client's credential for it and where it stands. */
export interface TimelineSourceRequests {
  FAL_LOGS?: SourceRequest<FalLogPosition> & { filter: FalLogFilterParams };
  FAL_REQUESTS?: SourceRequest<FalRequestsPosition> & {
    endpointIds: readonly string[];
    status?: FalRequestStatusClass | undefined;
    /** What to read each request with: only what the query selects. */
    expand: readonly FalRequestExpansion[];
  };
  DIFY_WORKFLOWS?: SourceRequest<WorkflowLogPosition> & {
    filter: WorkflowLogFilterParams;
    /** A status filter the gateway applies itself: refused rows are consumed, not handed out. */
    accept?: ((row: DifyWorkflowLog) => boolean) | undefined;
  };
}

export interface TimelinePageRequest {
  /** `[start, end)`, pinned by the walk's first page. */
  window: { start: Instant; end: Instant };
  first: number;
  sources: TimelineSourceRequests;
  call: CallOptions;
  logger: Logger;
}

export interface TimelinePageEntry {
  item: TimelineItem;
  at: Instant;
  /** Every source's place right after this entry. */
  positions: TimelinePositions;
}

export interface TimelinePage {
  entries: TimelinePageEntry[];
  /** Every source's place after the page. */
  end: TimelinePositions;
  hasNextPage: boolean;
}

/** Reads one page of a timeline walk. */
export type TimelinePager = (request: TimelinePageRequest) => Promise<TimelinePage>;

/** How each upstream is read, with one credential and one request's call options. */
export interface TimelineReaders {
  falLogs(authorization: string, call: CallOptions): FalLogPageReader;
  falRequests(authorization: string, call: CallOptions): FalRequestsReader;
  workflowLogs(authorization: string, call: CallOptions): WorkflowLogsReader;
}

type Position = FalLogPosition | FalRequestsPosition | WorkflowLogPosition;

/**
 * The timeline over the existing walks, each resumed from the position its own connection's
 * cursor would hold: fal log lines at their timestamp, fal requests that ended within the
 * window at their end, Dify workflow log rows at their creation.
 */
export function timelinePager(readers: TimelineReaders): TimelinePager {
  return async ({ window, first, sources, call, logger }) => {
    const { FAL_LOGS: falLogs, FAL_REQUESTS: falRequests, DIFY_WORKFLOWS: workflows } = sources;
    // In the order that breaks ties.
    const walks: TimelineSource<TimelineSourceName, TimelineItem, Position>[] = [];
    if (falLogs) {
      const reader = readers.falLogs(falLogs.authorization, call);
      const walk = falLogsWalk(reader, falLogs.filter, window, logger);
      walks.push({ name: 'FAL_LOGS', walk, cursor: falLogs.cursor });
    }
    if (falRequests) {
      const read = readers.falRequests(falRequests.authorization, call);
      const walk = falRequestsWalk(read, falRequests, window, logger);
      walks.push({ name: 'FAL_REQUESTS', walk, cursor: falRequests.cursor });
    }
    if (workflows) {
      const read = readers.workflowLogs(workflows.authorization, call);
      const walk = workflowLogsWalk(read, workflows, window);
      walks.push({ name: 'DIFY_WORKFLOWS', walk, cursor: workflows.cursor });
    }
    const page = await walkTimeline(walks, first);
    return {
      // Each source's cursor holds the position its own walk gave.
      entries: page.entries.map(({ item, at, cursors }) => ({
        item,
        at: fromMicros(at),
        positions: cursors as TimelinePositions,
      })),
      end: page.end as TimelinePositions,
      hasNextPage: page.hasNextPage,
    };
  };
}

function falLogsWalk(
  reader: FalLogPageReader,
  filter: FalLogFilterParams,
  window: { start: Instant; end: Instant },
  logger: Logger,
): SourceWalk<TimelineItem, FalLogPosition> {
  return {
    async read(after, first) {
      const walk = await walkFalLogs({ reader, filter, window, after, first });
      if (walk.unreachableBursts.length > 0) {
        logger.warn(
          { bursts: walk.unreachableBursts },
          'fal log lines sharing one timestamp outnumber an upstream page; the rest are unreachable',
        );
      }
      return {
        entries: walk.entries.map(({ line, micros, seen }) => ({
          item: { source: 'FAL_LOGS', line },
          at: micros,
          position: { micros, seen },
        })),
        hasMore: walk.hasNextPage,
      };
    },
  };
}

function falRequestsWalk(
  read: FalRequestsReader,
  request: NonNullable<TimelineSourceRequests['FAL_REQUESTS']>,
  window: { start: Instant; end: Instant },
  logger: Logger,
): SourceWalk<TimelineItem, FalRequestsPosition> {
  const query = {
    endpointIds: request.endpointIds,
    status: request.status,
    sortBy: 'ended_at' as const,
    expand: request.expand,
  };
  // Listed by when they were sent, placed by when they ended.
  const sent = {
    start: hoursBefore(window.start, REQUEST_LOOKBACK_HOURS),
    end: window.end,
  };
  return {
    async read(after, first) {
      const walk = await walkFalRequests({
        read,
        query,
        window: sent,
        endedWithin: window,
        after,
        first,
        onLostAnchor: () =>
          logger.warn(
            'fal requests moved too far while being walked; the walk went on from its index',
          ),
      });
      return {
        entries: walk.entries.map(({ item, position }) => ({
          item: { source: 'FAL_REQUESTS', request: item },
          // An endedWithin walk hands out only requests whose end it read.
          at: endedAtOf(item)!.micros,
          position,
        })),
        hasMore: walk.hasNextPage,
      };
    },
  };
}

function workflowLogsWalk(
  read: WorkflowLogsReader,
  request: NonNullable<TimelineSourceRequests['DIFY_WORKFLOWS']>,
  window: { start: Instant; end: Instant },
): SourceWalk<TimelineItem, WorkflowLogPosition> {
  const seconds = secondsWindow(window.start, window.end);
  return {
    async read(after, first) {
      const walk = await walkWorkflowLogs({
        read,
        filter: request.filter,
        window: seconds,
        after,
        first,
        accept: request.accept,
      });
      return {
        entries: walk.entries.map(({ row, position }) => ({
          item: { source: 'DIFY_WORKFLOWS', row },
          at: row.created_at.micros,
          position,
        })),
        hasMore: walk.hasNextPage,
        end: walk.end,
      };
    },
  };
}
