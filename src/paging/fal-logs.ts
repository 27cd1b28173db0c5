import type { FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import { fromMicros, parseMicros, type Instant } from '../time.js';

/** One upstream read of log lines within `[start, end)`, newest first. */
export interface FalLogPageRequest {
  filter: FalLogFilterParams;
  start: Instant;
  end: Instant;
  limit: number;
}

export interface FalLogPage {
  /** Newest first; lines sharing a timestamp in the same order on every read. */
  lines: readonly FalLogLine[];
  /** Whether lines of the window were left out of this read. */
  hasMore: boolean;
}

/** A fal log backend as the walks see it: one credential, one request's call options. */
export interface FalLogPageReader {
  /** The most lines one read may ask for. */
  readonly maxLimit: number;
  read(request: FalLogPageRequest): Promise<FalLogPage>;
}

/**
 * Where a newest-first walk stands: the timestamp of the last line handed out and how many
 * lines carrying exactly that timestamp have been handed out so far.
 */
export interface FalLogPosition {
  micros: number;
  seen: number;
}

export interface FalLogEntry extends FalLogPosition {
  line: FalLogLine;
}

export interface FalLogWalkRequest {
  reader: FalLogPageReader;
  filter: FalLogFilterParams;
  window: { start: Instant; end: Instant };
  after: FalLogPosition | undefined;
  first: number;
}

export interface FalLogWalk {
  entries: FalLogEntry[];
  hasNextPage: boolean;
  /** Timestamps whose lines outnumber one upstream page: the lines past the page could not be reached. */
  unreachableBursts: string[];
}

/**
 * Reads the next `first` lines after `after`, newest first, exactly once each.
 *
 * The upstream's own cursor is a timestamp used as an exclusive bound, which loses the rest of a
 * same-timestamp burst at a page boundary. Instead every upstream call ends just after the last
 * handed-out timestamp and skips the lines already handed out: those newer than it, and the first
 * `seen` lines sharing it (the upstream orders equal timestamps stably). One line beyond `first`
 * is read to tell whether another page exists.
 */
export async function walkFalLogs(request: FalLogWalkRequest): Promise<FalLogWalk> {
  const entries: FalLogEntry[] = [];
  const unreachableBursts: string[] = [];
  let position = request.after;
  let olderThan: number | undefined;
  let upstreamHasMore = true;

  while (entries.length <= request.first && upstreamHasMore) {
    const skipAtPosition = olderThan === undefined ? (position?.seen ?? 0) : 0;
    const end = upperBound(request.window.end, position, olderThan);
    const page = await request.reader.read({
      filter: request.filter,
      start: request.window.start,
      end,
      limit: Math.min(request.reader.maxLimit, request.first + 1 - entries.length + skipAtPosition),
    });
    upstreamHasMore = page.hasMore;

    let skipped = 0;
    let progressed = false;
    let previousMicros = position?.micros ?? end.micros;
    for (const line of page.lines) {
      // A timestamp that cannot be read keeps its place in the upstream's order.
      const micros = parseMicros(line.timestamp) ?? previousMicros;
      previousMicros = micros;
      if (position && micros > position.micros) continue;
      if (position && micros === position.micros) {
        if (skipped < skipAtPosition) {
          skipped += 1;
          continue;
        }
        position = { micros, seen: position.seen + 1 };
      } else {
        position = { micros, seen: 1 };
      }
      entries.push({ line, ...position });
      progressed = true;
      if (entries.length > request.first) break;
    }

    if (!progressed && upstreamHasMore) {
      if (!position || olderThan === position.micros) break;
      unreachableBursts.push(fromMicros(position.micros).iso);
      olderThan = position.micros;
    } else {
      olderThan = undefined;
    }
  }

  const hasNextPage = entries.length > request.first;
  if (hasNextPage) entries.length = request.first;
  return { entries, hasNextPage, unreachableBursts };
}

function upperBound(
  windowEnd: Instant,
  position: FalLogPosition | undefined,
  olderThan: number | undefined,
): Instant {
  if (olderThan !== undefined) return fromMicros(olderThan);
  if (!position) return windowEnd;
  // The first whole millisecond after the position, so that its own timestamp is included.
  const justAfter = (Math.floor(position.micros / 1000) + 1) * 1000;
  return justAfter < windowEnd.micros ? fromMicros(justAfter) : windowEnd;
}
