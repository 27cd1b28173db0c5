import { fromMicros, parseInstant } from '../time.js';
import type { FalLogLine } from '../upstreams/fal/types.js';
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

const floorMs = (micros: number) => Math.floor(micros / MS) * MS;
const ceilMs = (micros: number) => Math.ceil(micros / MS) * MS;

/**
 * Reads the next `first` lines after `after`, oldest first, exactly once each, from an upstream
 * that only reads newest first.
 *
 * Each read asks for a sub-window `[lo, hi)` at the old end of what is left. A read the upstream
 * answers whole (no `hasMore`) is handed out reversed, and the next sub-window starts at its
 * `hi`; a read that does not fit in one upstream page says how dense the lines are, and the
 * sub-window narrows to what should hold the rest of the page. Sub-windows end on whole
 * milliseconds, so every line of one timestamp comes from the same read; lines sharing a
 * timestamp go out in the reverse of the upstream's (stable) order, and `after.seen` skips the
 * ones already handed out. The span that worked is returned for the next page's first read.
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
  let span = request.spanHint ?? window.end.micros - lo;
  /** The lowest `hi` a read found too full for one upstream page: widening stays below it. */
  let tooFull = Number.POSITIVE_INFINITY;

  while (entries.length <= first && lo < window.end.micros) {
    const readStart = floorMs(lo);
    const hi = Math.min(window.end.micros, ceilMs(lo + Math.max(span, 1)));
    const wanted = first + 1 - entries.length + skip;
    const page = await reader.read({
      filter: request.filter,
      start: fromMicros(readStart),
      end: fromMicros(hi),
      limit: reader.maxLimit,
    });
    const lines = timed(page.lines);

    if (page.hasMore && hi - readStart > MS) {
      tooFull = Math.min(tooFull, hi);
      const oldest = lines.at(-1)?.micros ?? hi;
      const density = lines.length / Math.max(MS, hi - oldest);
      const estimate = (wanted * 1.25) / Math.max(density, Number.MIN_VALUE);
      // Strictly narrower than this read, and at least its first millisecond.
      const narrowerHi = Math.min(ceilMs(lo + estimate), ceilMs(oldest), floorMs(hi - 1));
      span = Math.max(readStart + MS, narrowerHi) - lo;
      continue;
    }
    if (page.hasMore) unreachableBursts.push(fromMicros(readStart).iso);

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
    if (stillWanted > 0) span = widened(hi, hi - lo, handed, stillWanted, tooFull);
    lo = hi;
    skip = 0;
  }

  const hasNextPage = entries.length > first;
  if (hasNextPage) entries.length = first;
  return { entries, hasNextPage, unreachableBursts, spanHint: Math.max(MS, Math.round(span)) };
}

/**
 * The span after a read of `read` µs that fit and handed out `handed` lines: what should hold
 * the `stillWanted` lines left at the density seen, or, after an empty read below a read that
 * was too full (and is still ahead), half-way up to it.
 */
function widened(
  from: number,
  read: number,
  handed: number,
  stillWanted: number,
  tooFull: number,
): number {
  const below = tooFull - from > MS ? tooFull - from : Number.POSITIVE_INFINITY;
  if (handed === 0 && Number.isFinite(below)) return below / 2;
  const estimate = handed > 0 ? (read * stillWanted * 1.25) / handed : read * 4;
  return Math.max(MS, Math.min(estimate, below));
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
