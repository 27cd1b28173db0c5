import { fromMicros, parseInstant } from '../time.js';
import type { FalLogLine } from '../upstreams/fal/types.js';
import { OldestFirstSpan } from './fal-logs-oldest-first-span.js';
import type { FalLogEntry, FalLogPosition, FalLogWalk, FalLogWalkRequest } from './fal-logs.js';

const MS = 1000;

export interface OldestFirstWalkRequest extends FalLogWalkRequest {
  /** The span (µs) that held about one page last time; the whole window when unknown. */
  spanHint: number | undefined;
}

export interface OldestFirstWalk extends FalLogWalk {
  /** What to pass as `spanHint` for the next page. */
  spanHint: number;
}

interface Timed {
  line: FalLogLine;
  micros: number;
}

/** What a read too full for one upstream page told. */
interface Ceiling {
  /**
   * No read goes above this before the walk gets here: the end of the read's oldest line's
   * millisecond, as all the read left out is at or below that line.
   */
  below: number;
  /** The read's lines from `below` up to its end, newest first: all there are in that stretch. */
  known: { lines: Timed[]; end: number } | undefined;
}

const floorMs = (micros: number) => Math.floor(micros / MS) * MS;

/**
 * Reads the next `first` lines after `after`, oldest first, exactly once each, from an upstream
 * that only reads newest first.
 *
 * Each read asks for a sub-window `[lo, hi)` at the old end of what is left. A read the upstream
 * answers whole (no `hasMore`) is handed out reversed, and the next sub-window starts at its
 * `hi`. A read that does not fit in one upstream page becomes a ceiling: no later read of the
 * page goes above it before the walk gets there, and the lines that read returned above it are
 * handed out from memory when it does. How far each read reaches is `OldestFirstSpan`'s call.
 * Sub-windows end on whole milliseconds, so every line of one timestamp comes from the same read;
 * lines sharing a timestamp go out in the reverse of the upstream's (stable) order, and
 * `after.seen` skips the ones already handed out.
 */
export async function walkFalLogsOldestFirst(
  request: OldestFirstWalkRequest,
): Promise<OldestFirstWalk> {
  const { reader, window, first } = request;
  const entries: FalLogEntry[] = [];
  const unreachableBursts: string[] = [];
  let position: FalLogPosition | undefined = request.after;
  let lo = position?.micros ?? window.start.micros;
  let skip = position?.seen ?? 0;
  const span = new OldestFirstSpan(request.spanHint ?? window.end.micros - lo);
  /** Lowest last; every `below` is at or above `lo`, as no read goes above the lowest. */
  const ceilings: Ceiling[] = [];

  while (entries.length <= first && lo < window.end.micros) {
    const reached = ceilings.at(-1)?.below === lo ? ceilings.pop() : undefined;
    let lines: Timed[];
    let hi: number;
    if (reached?.known) {
      ({ lines, end: hi } = reached.known);
    } else {
      const readStart = floorMs(lo);
      hi = span.end(lo, ceilings.at(-1)?.below ?? window.end.micros);
      const page = await reader.read({
        filter: request.filter,
        start: fromMicros(readStart),
        end: fromMicros(hi),
        limit: reader.maxLimit,
      });
      lines = timed(page.lines);
      if (page.hasMore && hi - readStart > MS) {
        const oldest = Math.max(readStart, lines.at(-1)?.micros ?? hi);
        ceilings.push(ceilingOf(lines, oldest, hi));
        forgetUnreached(ceilings, first + 1 - entries.length);
        span.tooFull(lo, hi, lines.length, oldest, first + 1 - entries.length + skip);
        continue;
      }
      if (page.hasMore) unreachableBursts.push(fromMicros(readStart).iso);
    }

    let handed = 0;
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      const { line, micros } = lines[i]!;
      if (micros < lo || micros >= hi) continue;
      if (micros === lo && skip > 0) {
        skip -= 1;
        continue;
      }
      position = { micros, seen: position?.micros === micros ? position.seen + 1 : 1 };
      entries.push({ line, ...position });
      handed += 1;
    }
    const stillWanted = first + 1 - entries.length;
    if (stillWanted > 0) span.fitted(lo, hi, handed, stillWanted);
    lo = hi;
    skip = 0;
  }

  const hasNextPage = entries.length > first;
  if (hasNextPage) entries.length = first;
  return { entries, hasNextPage, unreachableBursts, spanHint: span.hint };
}

/**
 * The ceiling a too-full read of up to `end` leaves. When its oldest line is in its last
 * millisecond, the ceiling is that millisecond's start instead, so that reads still narrow, and
 * the millisecond is read again (it may hold more lines than one upstream page).
 */
function ceilingOf(lines: readonly Timed[], oldest: number, end: number): Ceiling {
  const oldestEnd = floorMs(oldest) + MS;
  const below = Math.min(oldestEnd, floorMs(end - 1));
  if (below !== oldestEnd) return { below, known: undefined };
  return { below, known: { lines: lines.filter(({ micros }) => micros >= below), end } };
}

/**
 * Drops the known lines of ceilings the page will not get to: those above enough known lines
 * for the `stillWanted` it needs, so that a page holds at most one upstream page more than that.
 */
function forgetUnreached(ceilings: Ceiling[], stillWanted: number): void {
  let known = 0;
  for (let i = ceilings.length - 1; i >= 0; i -= 1) {
    const ceiling = ceilings[i]!;
    if (known >= stillWanted) ceiling.known = undefined;
    known += ceiling.known?.lines.length ?? 0;
  }
}

/** Each line with its timestamp; one that cannot be read keeps its place in the upstream's order. */
function timed(lines: readonly FalLogLine[]): Timed[] {
  let previous = Number.POSITIVE_INFINITY;
  return lines.map((line) => {
    const micros = parseInstant(line.timestamp)?.micros ?? previous;
    previous = micros;
    return { line, micros };
  });
}
