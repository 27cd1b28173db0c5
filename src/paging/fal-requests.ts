import { MAX_REMEMBERED_PENDING } from '../read-bounds.js';
import type {
  FalRequestExpansion,
  FalRequestItem,
  FalRequestPage,
  FalRequestsParams,
  FalRequestSort,
  FalRequestStatusClass,
} from '../upstreams/fal/types.js';
import { parseInstant, type Instant } from '../time.js';

const FAL_REQUESTS_MAX_LIMIT = 100;

/**
 * Where a walk over the upstream's ordered rows stands.
 *
 * Rows that have finished keep their place in the order (their sort key never changes again),
 * so the last finished row handed out anchors the walk. Pending rows sort first and move once,
 * when they finish: their ids are remembered so that a moved row is not handed out twice.
 */
export interface FalRequestsPosition {
  /** Rows of the ordered list before the walk's next row when the position was taken. */
  index: number;
  /** The request id of the last finished row handed out. */
  anchor?: string | undefined;
  /** Request ids of the pending rows consumed (handed out or passed over), oldest first. */
  pending: readonly string[];
}

export interface FalRequestEntry {
  item: FalRequestItem;
  /** The position just after this row. */
  position: FalRequestsPosition;
}

export interface FalRequestsQuery {
  endpointIds: readonly string[];
  status?: FalRequestStatusClass | undefined;
  requestId?: string | undefined;
  sortBy: FalRequestSort;
  expand: readonly FalRequestExpansion[];
}

/** One call of `GET /serverless/requests/by-endpoint` with the client's credential. */
export type FalRequestsReader = (params: FalRequestsParams) => Promise<FalRequestPage>;

export interface FalRequestsWalkRequest {
  read: FalRequestsReader;
  query: FalRequestsQuery;
  /** On sent_at, pinned for the whole walk: rows sent later never enter it. */
  window: { start: Instant; end: Instant };
  /**
   * Hands out only the rows that ended within `[start, end)`; needs `sortBy: 'ended_at'`.
   * Pending rows and rows that ended at or after `end` are consumed without being handed out,
   * and the first row that ended before `start` ends the walk: none older follows it.
   */
  endedWithin?: { start: Instant; end: Instant } | undefined;
  after: FalRequestsPosition | undefined;
  first: number;
  /** Told when the anchor could not be found near its place and the walk went on by index. */
  onLostAnchor?: (() => void) | undefined;
}

export interface FalRequestsWalk {
  entries: FalRequestEntry[];
  hasNextPage: boolean;
}

/** A row whose sort key (ended_at or duration) may still change. */
function isPending(item: FalRequestItem): boolean {
  return item.ended_at == null || item.duration == null;
}

/** When the request ended; undefined while it is pending (or when the time cannot be read). */
export function endedAtOf(item: FalRequestItem): Instant | undefined {
  return item.ended_at ? parseInstant(item.ended_at) : undefined;
}

/** Where a row stands against an `endedWithin` window. */
function placeOf(
  item: FalRequestItem,
  window: { start: Instant; end: Instant } | undefined,
): 'within' | 'newer' | 'older' {
  if (!window) return 'within';
  const endedAt = endedAtOf(item);
  if (!endedAt || endedAt.micros >= window.end.micros) return 'newer';
  return endedAt.micros < window.start.micros ? 'older' : 'within';
}

/**
 * Reads the next `first` rows after `after`, in the upstream's order, exactly once each.
 *
 * The upstream pages by page number over a list sorted on a key that changes while a request is
 * pending, so a resumed walk re-reads from just before its anchor: it skips up to and including
 * the anchor (wherever rows above it have moved it to) and every pending row it already handed
 * out. The page size is chosen per call, so any row range is reachable in as few calls as the
 * upstream's page limit allows.
 */
export async function walkFalRequests(request: FalRequestsWalkRequest): Promise<FalRequestsWalk> {
  const after = request.after ?? { index: 0, pending: [] };
  // Every row above the anchor that can move below it is a pending row already handed out.
  const rewind = after.pending.length + (after.anchor === undefined ? 0 : 1);
  const resumed = await readFrom(request, after, Math.max(0, after.index - rewind), after.anchor);
  if (resumed) return resumed;
  request.onLostAnchor?.();
  return (await readFrom(request, after, after.index, undefined))!;
}

/**
 * The walk from row `from` on, skipping through `anchor` first; undefined when the anchor is not
 * within a page's worth of rows past where it was.
 */
async function readFrom(
  request: FalRequestsWalkRequest,
  after: FalRequestsPosition,
  from: number,
  anchor: string | undefined,
): Promise<FalRequestsWalk | undefined> {
  const consumedPending = new Set(after.pending);
  const entries: FalRequestEntry[] = [];
  let awaitingAnchor = anchor;
  let position = after;
  let index = from;

  for (;;) {
    const untilAnchor = awaitingAnchor === undefined ? 0 : Math.max(0, after.index - index);
    const { page, limit } = coveringPage(index, untilAnchor + request.first + 1 - entries.length);
    const result = await request.read({
      start: request.window.start.iso,
      end: request.window.end.iso,
      page,
      limit,
      ...request.query,
    });
    const rows = result.items.slice(index - (page - 1) * limit);
    for (const item of rows) {
      index += 1;
      if (awaitingAnchor !== undefined) {
        if (item.request_id === awaitingAnchor) awaitingAnchor = undefined;
        continue;
      }
      if (consumedPending.has(item.request_id)) continue;
      const place = placeOf(item, request.endedWithin);
      if (place === 'older') return { entries, hasNextPage: false };
      if (entries.length === request.first) return { entries, hasNextPage: true };
      position = advance(position, item, index);
      if (place === 'within') entries.push({ item, position });
    }
    const exhausted = !result.has_more || rows.length === 0;
    if (awaitingAnchor !== undefined) {
      if (exhausted || index >= after.index + FAL_REQUESTS_MAX_LIMIT) return undefined;
      continue;
    }
    if (exhausted) return { entries, hasNextPage: false };
    if (entries.length === request.first) return { entries, hasNextPage: true };
  }
}

function advance(
  position: FalRequestsPosition,
  item: FalRequestItem,
  index: number,
): FalRequestsPosition {
  if (!isPending(item)) return { index, anchor: item.request_id, pending: position.pending };
  const pending = [...position.pending, item.request_id].slice(-MAX_REMEMBERED_PENDING);
  return { index, anchor: position.anchor, pending };
}

/**
 * The page (1-based) and page size that return the most of the `count` rows from `index` on,
 * with the smallest page among equals.
 */
function coveringPage(index: number, count: number): { page: number; limit: number } {
  let best = { page: 1, limit: FAL_REQUESTS_MAX_LIMIT, useful: 0 };
  for (
    let limit = Math.min(count, FAL_REQUESTS_MAX_LIMIT);
    limit <= FAL_REQUESTS_MAX_LIMIT;
    limit++
  ) {
    const pageIndex = Math.floor(index / limit);
    const useful = Math.min((pageIndex + 1) * limit, index + count) - index;
    if (useful > best.useful) best = { page: pageIndex + 1, limit, useful };
  }
  return { page: best.page, limit: best.limit };
}
