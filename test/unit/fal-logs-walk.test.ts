import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { walkFalLogsOldestFirst } from '../../src/paging/fal-logs-oldest-first.js';
import {
  walkFalLogs,
  type FalLogPage,
  type FalLogPageReader,
  type FalLogPageRequest,
  type FalLogPosition,
  type FalLogWalk,
} from '../../src/paging/fal-logs.js';
import { fromMicros, type Instant } from '../../src/time.js';
import type { FalLogLine } from '../../src/upstreams/fal/types.js';

const WINDOW_START = 1_700_000_000_000_000;

interface Stored {
  micros: number;
  line: FalLogLine;
}

/**
 * A fal history backend at its least helpful within its contract: newest first, ties in one
 * stable order, a tiny page size so that every burst straddles boundaries, and an end bound
 * read at millisecond precision, so each read repeats the newer lines of the boundary's
 * millisecond.
 */
class HostileReader implements FalLogPageReader {
  readonly stored: Stored[] = [];
  reads: FalLogPageRequest[] = [];

  constructor(readonly maxLimit: number) {}

  add(micros: number, count = 1): void {
    for (let i = 0; i < count; i += 1) {
      const id = this.stored.length;
      const line: FalLogLine = {
        timestamp: fromMicros(micros).iso,
        level: 'INFO',
        message: `line ${id}`,
        app: 'app',
        revision: 'rev',
        labels: {},
      };
      this.stored.push({ micros, line });
    }
    // Newest first; equal timestamps keep the order they were added in.
    if (this.stored.length > count && this.stored.at(-count - 1)!.micros < micros) {
      this.stored.sort((a, b) => b.micros - a.micros);
    }
  }

  read(request: FalLogPageRequest): Promise<FalLogPage> {
    this.reads.push(request);
    expect(request.limit).toBeGreaterThan(0);
    expect(request.limit).toBeLessThanOrEqual(this.maxLimit);
    const endMs = Math.ceil(request.end.micros / 1000) * 1000;
    const matching = this.stored.filter(
      ({ micros }) => micros >= request.start.micros && micros < endMs,
    );
    return Promise.resolve({
      lines: matching.slice(0, request.limit).map(({ line }) => line),
      hasMore: matching.length > request.limit,
    });
  }
}

type Order = 'NEWEST_FIRST' | 'OLDEST_FIRST';

function walkAll(
  reader: HostileReader,
  window: { start: Instant; end: Instant },
  first: number,
  order: Order = 'NEWEST_FIRST',
) {
  return (async () => {
    const seen: string[] = [];
    const readsPerPage: number[] = [];
    let after: FalLogPosition | undefined;
    let spanHint: number | undefined;
    for (;;) {
      reader.reads = [];
      const request = { reader, filter: {}, window, after, first };
      const walk: FalLogWalk & { spanHint?: number } =
        order === 'NEWEST_FIRST'
          ? await walkFalLogs(request)
          : await walkFalLogsOldestFirst({ ...request, spanHint });
      spanHint = walk.spanHint;
      readsPerPage.push(reader.reads.length);
      expect(walk.entries.length).toBeLessThanOrEqual(first);
      seen.push(...walk.entries.map(({ line }) => line.message));
      const last = walk.entries.at(-1);
      if (!walk.hasNextPage || !last) return { seen, pages: readsPerPage.length, readsPerPage };
      after = { micros: last.micros, seen: last.seen };
      expect(readsPerPage.length).toBeLessThan(10_000);
    }
  })();
}

/** The stored lines in the order a walk in `order` must hand them out. */
const inOrder = (reader: HostileReader, order: Order) => {
  const newestFirst = reader.stored.map(({ line }) => line.message);
  return order === 'NEWEST_FIRST' ? newestFirst : newestFirst.reverse();
};

const windowOf = (reader: HostileReader) => ({
  start: fromMicros(WINDOW_START),
  end: fromMicros(reader.stored[0]!.micros + 1),
});

interface Bursts {
  /** The upstream's page size. */
  maxLimit: number;
  first: number;
  /** Gaps in milliseconds before each instant, and how many lines share it (in thirds of a page). */
  bursts: Array<{ gapMs: number; size: number }>;
}

/**
 * Walks `bursts` to the end: every line exactly once, no page left empty, and no page reading
 * more than its first read and one density guess, one read per line it hands out, and a search
 * twice the window's depth in milliseconds: each read of a search reaches at most half way to
 * the lowest too-full read still ahead or, after an empty read, up to it. A walk that forgets
 * what a too-full read told it, or searches from scratch for each sub-window, reads far more
 * over bursts that no read can hold two of.
 */
async function walkBursts({ maxLimit, first, bursts }: Bursts, order: Order): Promise<void> {
  const reader = new HostileReader(maxLimit);
  let ms = 0;
  for (const { gapMs, size } of bursts) {
    ms += gapMs + 1;
    reader.add(WINDOW_START + ms * 1000, Math.min(size * Math.ceil(maxLimit / 3), maxLimit));
  }
  const window =
    reader.stored.length > 0
      ? windowOf(reader)
      : { start: fromMicros(WINDOW_START), end: fromMicros(WINDOW_START + 1000) };
  const expected = inOrder(reader, order);
  const { seen, pages, readsPerPage } = await walkAll(reader, window, first, order);
  expect(seen).toEqual(expected);
  expect(pages).toBe(Math.max(1, Math.ceil(expected.length / first)));
  const msInWindow = (window.end.micros - window.start.micros) / 1000;
  const bound = 2 * Math.ceil(Math.log2(msInWindow + 2)) + (first + 1) + 2;
  expect(Math.max(...readsPerPage)).toBeLessThanOrEqual(bound);
}

/** Data fast-check once shrank a failure to, kept as fixed cases. */
const SHRUNK_COUNTEREXAMPLES: Array<{ name: string; data: Bursts }> = [
  {
    // The oldest-first walk forgot each too-full read once it had read past it, so it read the
    // same newest burst again for every sub-window: 46 reads for one page.
    name: 'bursts seconds apart, four to a page',
    data: {
      maxLimit: 4,
      first: 14,
      bursts: [
        { gapMs: 0, size: 1 },
        { gapMs: 1424, size: 1 },
        { gapMs: 4132, size: 1 },
        { gapMs: 1311, size: 1 },
        { gapMs: 4296, size: 2 },
        { gapMs: 376, size: 1 },
        { gapMs: 1552, size: 1 },
        { gapMs: 104, size: 2 },
      ],
    },
  },
];

const ORDERS: Order[] = ['NEWEST_FIRST', 'OLDEST_FIRST'];

describe.each(ORDERS)('fal log walk %s over a hostile reader', (order) => {
  it('hands out every line once with bursts straddling every page boundary', async () => {
    const reader = new HostileReader(7);
    for (let ms = 0; ms < 40; ms += 1) reader.add(WINDOW_START + ms * 1000, (ms % 6) + 1);
    for (const first of [1, 2, 3, 5, 6, 13]) {
      const { seen } = await walkAll(reader, windowOf(reader), first, order);
      expect(seen).toEqual(inOrder(reader, order));
    }
  });

  it('ignores lines that arrive above the pinned window while it is walked', async () => {
    const reader = new HostileReader(5);
    for (let ms = 0; ms < 20; ms += 1) reader.add(WINDOW_START + ms * 1000, 3);
    const window = windowOf(reader);
    const expected = inOrder(reader, order);
    const arriving = setInterval(() => reader.add(window.end.micros + 10, 2), 0);
    try {
      const { seen } = await walkAll(reader, window, 4, order);
      expect(seen).toEqual(expected);
    } finally {
      clearInterval(arriving);
    }
  });

  it('reads a window that fits in one upstream page with one call', async () => {
    const reader = new HostileReader(1000);
    for (let ms = 0; ms < 50; ms += 1) reader.add(WINDOW_START + ms * 1000, 4);
    const { seen, readsPerPage } = await walkAll(reader, windowOf(reader), 500, order);
    expect(seen).toHaveLength(200);
    expect(readsPerPage).toEqual([1]);
  });

  it('ends at once on an empty window', async () => {
    const reader = new HostileReader(5);
    const window = { start: fromMicros(WINDOW_START), end: fromMicros(WINDOW_START + 1000) };
    const { seen, readsPerPage } = await walkAll(reader, window, 10, order);
    expect(seen).toEqual([]);
    expect(readsPerPage).toEqual([1]);
  });

  it.each(SHRUNK_COUNTEREXAMPLES)(
    'every line exactly once within the reads bound: $name',
    async ({ data }) => {
      await walkBursts(data, order);
    },
  );

  it('property: any data, any page size, every line exactly once and no page left empty', async () => {
    const data = fc.record({
      maxLimit: fc.integer({ min: 3, max: 12 }),
      first: fc.integer({ min: 1, max: 30 }),
      // Gaps in milliseconds (bursts close together and long empty stretches) and how many lines
      // share each instant.
      bursts: fc.array(
        fc.record({
          gapMs: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5_000 })),
          size: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 0, maxLength: 60 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(data, (bursts) => walkBursts(bursts, order)),
      { numRuns: 200 },
    );
  });
});

describe('oldest-first walk cost', () => {
  it('costs one read per page once the cursor carries the span that held a page', async () => {
    const reader = new HostileReader(1000);
    // A busy day: a line every 100 ms for 24 hours, bursts of 5 every 10 s.
    for (let ms = 86_400_000; ms > 0; ms -= 100)
      reader.add(WINDOW_START + ms * 1000, ms % 10_000 === 0 ? 5 : 1);
    const window = windowOf(reader);
    let spanHint: number | undefined;
    let after: FalLogPosition | undefined;
    const reads: number[] = [];
    for (let page = 0; page < 20; page += 1) {
      reader.reads = [];
      const walk = await walkFalLogsOldestFirst({
        reader,
        filter: {},
        window,
        after,
        first: 100,
        spanHint,
      });
      reads.push(reader.reads.length);
      spanHint = walk.spanHint;
      const last = walk.entries.at(-1)!;
      after = { micros: last.micros, seen: last.seen };
    }
    expect(reads[0]).toBeLessThanOrEqual(3);
    expect(reads.slice(1).every((count) => count === 1)).toBe(true);
  });

  it('reads the lines of a page bigger than one upstream page about once each', async () => {
    const reader = new HostileReader(1000);
    // Two busy hours: a line every 100 ms.
    for (let ms = 7_200_000; ms > 0; ms -= 100) reader.add(WINDOW_START + ms * 1000);
    const first = 5000;
    const { seen, readsPerPage } = await walkAll(reader, windowOf(reader), first, 'OLDEST_FIRST');
    expect(seen).toEqual(inOrder(reader, 'OLDEST_FIRST'));
    // Six reads carry a page; a few more find where it starts. The lines a too-full read
    // returned are handed out from memory when the walk gets to them, not read again.
    expect(Math.max(...readsPerPage)).toBeLessThanOrEqual(Math.ceil((first + 1) / 1000) + 3);
  });

  it('crosses a quiet hour to the next job with one search', async () => {
    const reader = new HostileReader(1000);
    // Six hourly jobs, each logging 2000 lines in 10 s, and nothing in between.
    for (let hour = 5; hour >= 0; hour -= 1) {
      for (let ms = 15_000; ms > 5_000; ms -= 5)
        reader.add(WINDOW_START + (hour * 3_600_000 + ms) * 1000);
    }
    const window = windowOf(reader);
    const { seen, readsPerPage } = await walkAll(reader, window, 100, 'OLDEST_FIRST');
    expect(seen).toEqual(inOrder(reader, 'OLDEST_FIRST'));
    // A binary search of the window's milliseconds at most, not a walk down every job above.
    const msInWindow = (window.end.micros - window.start.micros) / 1000;
    expect(Math.max(...readsPerPage)).toBeLessThanOrEqual(Math.ceil(Math.log2(msInWindow)));
  });
});
