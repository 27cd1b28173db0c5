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

/** The end of a walk: what is known once its last batch was handed out. */
export type FalLogWalkEnd = Omit<FalLogWalk, 'entries'>;

/**
 * Lines a walk hands out together: part of one upstream read, at most `BATCH_LINES`; `last`
 * when no batch follows.
 */
export interface FalLogBatch {
  entries: FalLogEntry[];
  last: boolean;
}

/**
 * The most lines handed out at once. A consumer that encodes a batch as it comes (a streamed
 * page) makes its garbage a batch at a time: at 200 lines it fits V8's young generation and its
 * text stays under the size V8 allocates outside it (about 128 KiB), so it is freed by the next
 * scavenge instead of piling up in the old generation until a full collection.
 */
export const BATCH_LINES = 200;

/** Reads the next `first` lines after `after`, newest first, exactly once each. */
export async function walkFalLogs(request: FalLogWalkRequest): Promise<FalLogWalk> {
  const entries: FalLogEntry[] = [];
  const batches = falLogBatches(request);
  for (;;) {
    const step = await batches.next();
    if (step.done) return { entries, ...step.value };
    entries.push(...step.value.entries);
  }
}

/**
 * The walk of `walkFalLogs`, handed out in batches of up to `BATCH_LINES` lines: a read is made
 * only when the next batch is asked for and the last read's lines are all handed out, so a
 * consumer holds one upstream page at a time.
 *
 * The upstream's own cursor is a timestamp used as an exclusive bound, which loses the rest of a
 * same-timestamp burst at a page boundary. Instead every upstream call ends just after the last
 * handed-out timestamp and skips the lines already handed out: those newer than it, and the first
 * `seen` lines sharing it (the upstream orders equal timestamps stably). One line beyond `first`
 * is read to tell whether another page exists; it is not handed out.
 */
export async function* falLogBatches(
  request: FalLogWalkRequest,
): AsyncGenerator<FalLogBatch, FalLogWalkEnd> {
  const unreachableBursts: string[] = [];
  let handedOut = 0;
  let hasNextPage = false;
  let position = request.after;
  let olderThan: number | undefined;
  let upstreamHasMore = true;

  while (!hasNextPage && upstreamHasMore) {
    const skipAtPosition = olderThan === undefined ? (position?.seen ?? 0) : 0;
    const end = upperBound(request.window.end, position, olderThan);
    const page = await request.reader.read({
      filter: request.filter,
      start: request.window.start,
      end,
      limit: Math.min(request.reader.maxLimit, request.first + 1 - handedOut + skipAtPosition),
    });
    upstreamHasMore = page.hasMore;

    const entries: FalLogEntry[] = [];
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
      progressed = true;
      if (handedOut === request.first) {
        hasNextPage = true;
        break;
      }
      entries.push({ line, ...position });
      handedOut += 1;
    }

    if (!progressed && upstreamHasMore) {
      if (!position || olderThan === position.micros) break;
      unreachableBursts.push(fromMicros(position.micros).iso);
      olderThan = position.micros;
    } else {
      olderThan = undefined;
    }
    const readsOn = !hasNextPage && upstreamHasMore;
    for (let from = 0; from < entries.length; from += BATCH_LINES) {
      const to = from + BATCH_LINES;
      yield { entries: entries.slice(from, to), last: to >= entries.length && !readsOn };
    }
  }

  return { hasNextPage, unreachableBursts };
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
