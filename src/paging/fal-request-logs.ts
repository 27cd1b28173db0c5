import type { FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import type { Instant } from '../time.js';
import type { FalLogPageReader, FalLogEntry, FalLogPosition } from './fal-logs.js';
import { walkFalLogsInOrder, type OrderedFalLogWalk } from './fal-logs-ordered.js';
import type { LogOrder } from '../log-order.js';

const REQUEST_ID_LABEL = 'fal_request_id';

export interface RequestLogsWalkRequest {
  reader: FalLogPageReader;
  requestIds: readonly string[];
  /** Filters applied to every request's lines (level, search); the label filter is added here. */
  filter: FalLogFilterParams;
  /** Spans every line of every request in `requestIds`. */
  window: { start: Instant; end: Instant };
  first: number;
  order: LogOrder;
}

/** One request's own first page in the walk's order: positions count that request's lines only. */
export interface RequestLogsPage {
  entries: FalLogEntry[];
  hasNextPage: boolean;
}

/** The lines of the given requests only: the upstream label filter on `fal_request_id`. */
export function requestLogsFilter(
  requestIds: readonly string[],
  filter: FalLogFilterParams,
): FalLogFilterParams {
  return Object.assign({}, filter, {
    labels: [{ key: REQUEST_ID_LABEL, value: requestIds, condition_type: 'in' as const }],
  });
}

/**
 * The first page of each request's lines, read for all of them at once.
 *
 * One upstream walk reads the lines of every request together, in `order`, and splits them by
 * `fal_request_id`. Restricted to one request, that order is the request's own order (in either
 * direction: lines sharing a timestamp keep the upstream's relative order under any label
 * filter), so each request's share is the start of its own walk. A request that got fewer than
 * `first + 1` lines while the shared walk had more is continued in the next round, together with
 * the others still short, from the merged position of the lines they were handed: the last
 * timestamp reached and how many of their lines carry it.
 */
export async function walkRequestLogs(
  request: RequestLogsWalkRequest,
): Promise<Map<string, RequestLogsPage>> {
  const wanted = request.first + 1;
  const shares = new Map<string, FalLogEntry[]>(request.requestIds.map((id) => [id, []]));
  let short = [...shares.keys()];
  let after: FalLogPosition | undefined;
  let spanHint: number | undefined;

  while (short.length > 0) {
    const walk: OrderedFalLogWalk = await walkFalLogsInOrder({
      order: request.order,
      reader: request.reader,
      filter: requestLogsFilter(short, request.filter),
      window: request.window,
      after,
      first: roundSize(short, shares, wanted, after, request.reader.maxLimit),
      spanHint,
    });
    spanHint = walk.spanHint;
    for (const { line, micros } of walk.entries) {
      const share = shares.get(requestIdOf(line) ?? '');
      if (share && share.length < wanted) share.push({ line, ...nextPosition(share, micros) });
    }
    const last = walk.entries.at(-1);
    if (!walk.hasNextPage || !last) break;
    short = short.filter((id) => shares.get(id)!.length < wanted);
    after = { micros: last.micros, seen: seenAt(short, shares, last.micros) };
  }

  return new Map(
    [...shares].map(([id, share]) => [
      id,
      { entries: share.slice(0, request.first), hasNextPage: share.length > request.first },
    ]),
  );
}

/**
 * Lines to read in one round: what a lone request still needs, or else as many as one upstream
 * page holds beside the lines at the position that are skipped again.
 */
function roundSize(
  short: readonly string[],
  shares: ReadonlyMap<string, readonly FalLogEntry[]>,
  wanted: number,
  after: FalLogPosition | undefined,
  maxLimit: number,
): number {
  const [only] = short;
  if (short.length === 1 && only !== undefined) return wanted - (shares.get(only)?.length ?? 0);
  return Math.max(1, maxLimit - 1 - (after?.seen ?? 0));
}

export function requestIdOf(line: FalLogLine): string | undefined {
  return line.labels?.[REQUEST_ID_LABEL];
}

function nextPosition(share: readonly FalLogEntry[], micros: number): FalLogPosition {
  const previous = share.at(-1);
  return { micros, seen: previous?.micros === micros ? previous.seen + 1 : 1 };
}

/** How many lines of these requests carrying exactly `micros` have been handed out. */
function seenAt(
  requestIds: readonly string[],
  shares: ReadonlyMap<string, readonly FalLogEntry[]>,
  micros: number,
): number {
  let seen = 0;
  for (const id of requestIds) {
    const last = shares.get(id)?.at(-1);
    if (last?.micros === micros) seen += last.seen;
  }
  return seen;
}
