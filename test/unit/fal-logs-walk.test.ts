import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  walkFalLogs,
  type FalLogPage,
  type FalLogPageReader,
  type FalLogPageRequest,
  type FalLogPosition,
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
    this.stored.sort((a, b) => b.micros - a.micros);
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

function walkAll(reader: HostileReader, window: { start: Instant; end: Instant }, first: number) {
  return (async () => {
    const seen: string[] = [];
    let after: FalLogPosition | undefined;
    let pages = 0;
    for (;;) {
      reader.reads = [];
      const walk = await walkFalLogs({ reader, filter: {}, window, after, first });
      pages += 1;
      expect(walk.entries.length).toBeLessThanOrEqual(first);
      seen.push(...walk.entries.map(({ line }) => line.message));
      const last = walk.entries.at(-1);
      if (!walk.hasNextPage || !last) return { seen, pages };
      after = { micros: last.micros, seen: last.seen };
      expect(pages).toBeLessThan(10_000);
    }
  })();
}

const windowOf = (reader: HostileReader) => ({
  start: fromMicros(WINDOW_START),
  end: fromMicros(Math.max(...reader.stored.map(({ micros }) => micros)) + 1),
});

describe('walkFalLogs over a hostile reader', () => {
  it('hands out every line once, newest first, with bursts straddling every page boundary', async () => {
    const reader = new HostileReader(7);
    for (let ms = 0; ms < 40; ms += 1) reader.add(WINDOW_START + ms * 1000, (ms % 6) + 1);
    const expected = reader.stored.map(({ line }) => line.message);
    for (const first of [1, 2, 3, 5, 6, 13]) {
      const { seen } = await walkAll(reader, windowOf(reader), first);
      expect(seen).toEqual(expected);
    }
  });

  it('ignores lines that arrive above the pinned window while it is walked', async () => {
    const reader = new HostileReader(5);
    for (let ms = 0; ms < 20; ms += 1) reader.add(WINDOW_START + ms * 1000, 3);
    const window = windowOf(reader);
    const expected = reader.stored.map(({ line }) => line.message);
    const seen: string[] = [];
    let after: FalLogPosition | undefined;
    for (let round = 0; ; round += 1) {
      const walk = await walkFalLogs({ reader, filter: {}, window, after, first: 4 });
      seen.push(...walk.entries.map(({ line }) => line.message));
      reader.add(window.end.micros + round * 10, 2);
      const last = walk.entries.at(-1);
      if (!walk.hasNextPage || !last) break;
      after = { micros: last.micros, seen: last.seen };
    }
    expect(seen).toEqual(expected);
  });

  it('reads a window that fits in one upstream page with one call', async () => {
    const reader = new HostileReader(1000);
    for (let ms = 0; ms < 50; ms += 1) reader.add(WINDOW_START + ms * 1000, 4);
    const { seen } = await walkAll(reader, windowOf(reader), 500);
    expect(seen).toHaveLength(200);
    expect(reader.reads).toHaveLength(1);
  });

  it('ends at once on an empty window', async () => {
    const reader = new HostileReader(5);
    const walk = await walkFalLogs({
      reader,
      filter: {},
      window: { start: fromMicros(WINDOW_START), end: fromMicros(WINDOW_START + 1000) },
      after: undefined,
      first: 10,
    });
    expect(walk).toMatchObject({ entries: [], hasNextPage: false });
    expect(reader.reads).toHaveLength(1);
  });

  it('property: any data, any page size, every line exactly once and no page left empty', async () => {
    const data = fc.record({
      maxLimit: fc.integer({ min: 3, max: 12 }),
      first: fc.integer({ min: 1, max: 30 }),
      // Gaps in milliseconds (empty stretches included) and how many lines share each instant.
      bursts: fc.array(
        fc.record({
          gapMs: fc.integer({ min: 0, max: 5_000 }),
          size: fc.integer({ min: 1, max: 3 }),
        }),
        { minLength: 0, maxLength: 60 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(data, async ({ maxLimit, first, bursts }) => {
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
        const expected = reader.stored.map(({ line }) => line.message);
        const { seen, pages } = await walkAll(reader, window, first);
        expect(seen).toEqual(expected);
        expect(pages).toBe(Math.max(1, Math.ceil(expected.length / first)));
      }),
      { numRuns: 150 },
    );
  });
});
