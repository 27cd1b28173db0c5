import { fromMicros, parseInstant } from '../time.js';
import type { FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import type { FalLogPageReader } from './fal-logs.js';

const MS = 1000;
/** How far from the line its neighbours are looked for, on each side. */
export const CONTEXT_REACH_MICROS = 24 * 3_600_000_000;
/** The span read after the line when nothing tells how fast its runner logs. */
const UNKNOWN_RATE_SPAN_MICROS = 60_000_000;
/** The shortest span read after the line: a runner logging over a page a second overflows it. */
const MIN_SPAN_MICROS = 1_000_000;
/** Older lines read to tell how fast the runner logs, when fewer are asked for. */
const PACE_SAMPLE = 50;

export interface FalLogContextRequest {
  reader: FalLogPageReader;
  line: FalLogLine;
  before: number;
  after: number;
}

/** Both lists oldest first. */
export interface FalLogContext {
  before: FalLogLine[];
  after: FalLogLine[];
}

interface Timed {
  line: FalLogLine;
  micros: number;
}

/** The same runner, or the same app revision (fal revision ids are unique) when it has none. */
export function neighbourFilter(line: FalLogLine): FalLogFilterParams {
  const jobId = line.labels?.fal_job_id;
  return jobId ? { jobId } : { revision: line.revision };
}

/** Lines at one timestamp are told apart by message and labels alone. */
function isSameLine(candidate: Timed, line: FalLogLine, micros: number): boolean {
  return (
    candidate.micros === micros &&
    candidate.line.message === line.message &&
    sameLabels(candidate.line.labels ?? {}, line.labels ?? {})
  );
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}

/**
 * Up to `before` lines just older and `after` lines just newer than `line`, from its runner, in
 * at most two reads.
 *
 * The older side is exact in one read: the newest lines before the line's millisecond. The newer
 * side has to come from a newest-first reader too, so it is one read of a whole window starting
 * at the line's millisecond, sized from how densely the older read says the runner logs. A window the upstream cannot answer
 * whole is trusted only above its oldest timestamp; when that cuts off the line's own
 * millisecond, the line cannot be placed and both lists are empty. Lines sharing the line's
 * millisecond come from the second read, in the upstream's order.
 */
export async function readFalLogContext(request: FalLogContextRequest): Promise<FalLogContext> {
  const { reader, line, before, after } = request;
  const at = parseInstant(line.timestamp)?.micros;
  if (at === undefined || (before === 0 && after === 0)) return { before: [], after: [] };
  const filter = neighbourFilter(line);
  const blockStart = Math.floor(at / MS) * MS;

  const readOlder = (limit: number) =>
    reader.read({
      filter,
      start: fromMicros(at - CONTEXT_REACH_MICROS),
      end: fromMicros(blockStart),
      limit: Math.min(reader.maxLimit, limit),
    });
  const readFrom = (end: number) =>
    reader.read({
      filter,
      start: fromMicros(blockStart),
      end: fromMicros(end),
      limit: reader.maxLimit,
    });

  let older: Timed[];
  let newer: { lines: Timed[]; hasMore: boolean };
  if (after === 0) {
    const [olderPage, block] = await Promise.all([readOlder(before), readFrom(blockStart + MS)]);
    older = timed(olderPage.lines, blockStart);
    newer = { lines: timed(block.lines, blockStart), hasMore: block.hasMore };
  } else {
    older = timed((await readOlder(Math.max(before, PACE_SAMPLE))).lines, blockStart);
    const span = newerSpan(older, at, reader.maxLimit);
    const page = await readFrom(blockStart + MS + Math.ceil(span / MS) * MS);
    newer = { lines: timed(page.lines, blockStart), hasMore: page.hasMore };
  }
  return placeLine(line, at, older, newer, before, after);
}

/** Newest first, with timestamps; one that cannot be read keeps its neighbour's place. */
function timed(lines: readonly FalLogLine[], fallback: number): Timed[] {
  let previous = fallback;
  return lines.map((line) => {
    previous = parseInstant(line.timestamp)?.micros ?? previous;
    return { line, micros: previous };
  });
}

/**
 * How long after the line the runner should take, at its pace before the line, to log a quarter
 * of an upstream page: the window then holds the lines asked for unless the runner slows down
 * many times over, and fits one read unless it speeds up four times over.
 */
function newerSpan(older: readonly Timed[], at: number, maxLimit: number): number {
  const oldest = older.at(-1);
  if (!oldest || oldest.micros >= at) return UNKNOWN_RATE_SPAN_MICROS;
  const microsPerLine = (at - oldest.micros) / older.length;
  return Math.min(CONTEXT_REACH_MICROS, Math.max(MIN_SPAN_MICROS, (maxLimit / 4) * microsPerLine));
}

function placeLine(
  line: FalLogLine,
  at: number,
  older: readonly Timed[],
  newer: { lines: Timed[]; hasMore: boolean },
  before: number,
  after: number,
): FalLogContext {
  let known = newer.lines;
  if (newer.hasMore) {
    // The lines at the oldest timestamp of a cut read may be partial, and nothing older was read.
    const cut = known.at(-1)?.micros ?? Number.POSITIVE_INFINITY;
    if (at <= cut) return { before: [], after: [] };
    known = known.filter(({ micros }) => micros > cut);
  }
  // Identical lines at one timestamp are one line: it stands where the newest of them stands.
  const isLine = (candidate: Timed) => isSameLine(candidate, line, at);
  let split = known.findIndex(isLine);
  // A line the upstream does not hold (yet) sits after the lines of its timestamp.
  if (split < 0) split = known.findIndex(({ micros }) => micros <= at);
  if (split < 0) split = known.length;
  const newerLines = known.slice(0, split);
  const olderLines = [
    ...known.slice(split).filter((candidate) => !isLine(candidate)),
    ...(newer.hasMore ? [] : older),
  ];
  return {
    before: oldestFirst(olderLines.slice(0, before)),
    after: oldestFirst(newerLines.slice(Math.max(0, newerLines.length - after))),
  };
}

function oldestFirst(newestFirst: readonly Timed[]): FalLogLine[] {
  return newestFirst.map(({ line }) => line).reverse();
}
