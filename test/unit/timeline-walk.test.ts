import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  walkTimeline,
  type SourceCursor,
  type SourceRead,
  type SourceWalk,
  type TimelineCursors,
} from '../../src/paging/timeline.js';

type Name = 'A' | 'B' | 'C';
const NAMES: readonly Name[] = ['A', 'B', 'C'];

interface Item {
  id: string;
  at: number;
}

interface FakeOptions {
  /** At most this many stored rows consumed per read, as an upstream page limit would. */
  cap?: number | undefined;
  /** Rows the source consumes without handing out (a filter of its own). */
  hidden?: (index: number) => boolean;
}

/**
 * A source at its least helpful within the contract: short reads, rows it filters out itself,
 * `hasMore` claimed at its very end, and a check that it is only resumed from positions it gave.
 * Its position is the number of stored rows consumed.
 */
class FakeSource implements SourceWalk<Item, number> {
  readonly reads: Array<{ after: number | undefined; first: number }> = [];
  private readonly given = new Set<number>();

  constructor(
    readonly name: Name,
    readonly stored: readonly Item[],
    private readonly options: FakeOptions = {},
  ) {}

  get visible(): Item[] {
    return this.stored.filter((_, index) => !this.options.hidden?.(index));
  }

  read(after: number | undefined, first: number): Promise<SourceRead<Item, number>> {
    this.reads.push({ after, first });
    if (after !== undefined) expect(this.given.has(after)).toBe(true);
    let index = after ?? 0;
    const entries: SourceRead<Item, number>['entries'] = [];
    const stop = Math.min(this.stored.length, index + (this.options.cap ?? Infinity));
    while (index < stop && entries.length < first) {
      const item = this.stored[index]!;
      index += 1;
      if (this.options.hidden?.(index - 1)) continue;
      entries.push({ item, at: item.at, position: index });
      this.given.add(index);
    }
    this.given.add(index);
    // Claims more even at the end: the next read finds nothing.
    const hasMore = index < this.stored.length || entries.length === first;
    const end = entries.length === 0 && hasMore ? index : undefined;
    return Promise.resolve({ entries, hasMore, end });
  }
}

/** A source's items from their times, newest first (times given in any order). */
function itemsOf(name: Name, times: readonly number[]): Item[] {
  return [...times].sort((a, b) => b - a).map((at, i) => ({ id: `${name}${i}`, at }));
}

/** The whole timeline in its documented order: time descending, then source order, then the source's own. */
function expectedOrder(sources: readonly FakeSource[]): string[] {
  return sources
    .flatMap((source, rank) => source.visible.map((item, index) => ({ item, rank, index })))
    .sort((a, b) => b.item.at - a.item.at || a.rank - b.rank || a.index - b.index)
    .map(({ item }) => item.id);
}

async function walkToEnd(sources: readonly FakeSource[], first: number) {
  let cursors: TimelineCursors<Name, number> = Object.fromEntries(
    sources.map((source) => [source.name, {} satisfies SourceCursor<number>]),
  );
  const ids: string[] = [];
  const pages: string[][] = [];
  for (let page = 0; page < 10_000; page += 1) {
    const readsBefore = sources.map((source) => source.reads.length);
    const walk = await walkTimeline(
      sources.map((source) => ({ name: source.name, walk: source, cursor: cursors[source.name]! })),
      first,
    );
    sources.forEach((source, i) => {
      // Each source is read at most once a page, and never again once it is done.
      const reads = source.reads.length - readsBefore[i]!;
      expect(reads).toBe(cursors[source.name]!.done ? 0 : 1);
    });
    expect(walk.entries.length).toBeLessThanOrEqual(first);
    // Each entry's cursors resume the walk right after it: the last entry's are the page's end.
    const last = walk.entries.at(-1);
    if (last) expect(last.cursors).toEqual(walk.end);
    const handedOut = walk.entries.map((entry) => entry.item.id);
    pages.push(handedOut);
    ids.push(...handedOut);
    if (!walk.hasNextPage) return { ids, pages, end: walk.end };
    expect(JSON.stringify(walk.end)).not.toBe(JSON.stringify(cursors));
    cursors = walk.end;
  }
  throw new Error('the walk never ended');
}

describe('walkTimeline', () => {
  it('breaks ties across sources at page boundaries in source order, then each source’s own', async () => {
    const sources = [
      new FakeSource('A', itemsOf('A', [10, 10, 10, 5])),
      new FakeSource('B', itemsOf('B', [10, 10, 7])),
      new FakeSource('C', itemsOf('C', [10, 7, 5])),
    ];
    const { pages } = await walkToEnd(sources, 2);
    expect(pages).toEqual([
      ['A0', 'A1'],
      ['A2', 'B0'],
      ['B1', 'C0'],
      ['B2', 'C1'],
      ['A3', 'C2'],
    ]);
  });

  it('hands out every item exactly once in the merged order with any first', async () => {
    for (let first = 1; first <= 14; first += 1) {
      const sources = [
        new FakeSource('A', itemsOf('A', [9, 9, 8, 8, 8, 3, 3, 1])),
        new FakeSource('B', itemsOf('B', [9, 8, 8, 2, 2, 2, 2]), { cap: 3 }),
        new FakeSource('C', itemsOf('C', [8, 8, 3, 1, 1]), { hidden: (i) => i % 2 === 1 }),
      ];
      const { ids } = await walkToEnd(sources, first);
      expect(ids).toEqual(expectedOrder(sources));
    }
  });

  it('reads an empty source once and a source that ends early no more after its last item', async () => {
    const sources = [
      new FakeSource('A', itemsOf('A', [9, 8, 7, 6, 5, 4, 3, 2])),
      new FakeSource('B', []),
      new FakeSource('C', itemsOf('C', [8])),
    ];
    const { ids, end } = await walkToEnd(sources, 3);
    expect(ids).toEqual(['A0', 'A1', 'C0', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7']);
    expect(sources[1]!.reads).toHaveLength(1);
    expect(sources[2]!.reads).toHaveLength(1);
    expect(end).toEqual({
      A: { after: 8, done: true },
      B: { done: true },
      C: { after: 1, done: true },
    });
  });

  it('moves a source that filtered out a whole read past what it consumed', async () => {
    const sources = [
      new FakeSource('A', itemsOf('A', [1])),
      // Fourteen rows it filters out, two reads' worth, above one it hands out.
      new FakeSource('B', itemsOf('B', [...Array<number>(14).fill(9), 2]), {
        cap: 7,
        hidden: (i) => i < 14,
      }),
    ];
    const { ids, pages } = await walkToEnd(sources, 5);
    expect(ids).toEqual(['B14', 'A0']);
    expect(pages).toEqual([[], [], ['B14', 'A0']]);
    expect(sources[1]!.reads.map((read) => read.after)).toEqual([undefined, 7, 14]);
  });

  it('hands out nothing and is done at once when no source holds anything', async () => {
    const walk = await walkTimeline(
      NAMES.map((name) => ({ name, walk: new FakeSource(name, []), cursor: {} })),
      50,
    );
    expect(walk).toEqual({
      entries: [],
      end: { A: { done: true }, B: { done: true }, C: { done: true } },
      hasNextPage: false,
    });
  });

  it('fails the page when a source fails, and the same cursors retried go on as before', async () => {
    const source = new FakeSource('A', itemsOf('A', [5, 4, 3]));
    const failing: SourceWalk<Item, number> = {
      read: () => Promise.reject(new Error('upstream down')),
    };
    const other = new FakeSource('B', itemsOf('B', [4]));
    const cursors = { A: { after: 1 }, B: {} };
    await source.read(undefined, 1);
    await expect(
      walkTimeline(
        [
          { name: 'A', walk: source, cursor: cursors.A },
          { name: 'B', walk: failing, cursor: cursors.B },
        ],
        2,
      ),
    ).rejects.toThrow('upstream down');
    const retried = await walkTimeline(
      [
        { name: 'A' as const, walk: source, cursor: cursors.A },
        { name: 'B' as const, walk: other, cursor: cursors.B },
      ],
      2,
    );
    expect(retried.entries.map((entry) => entry.item.id)).toEqual(['A1', 'B0']);
  });

  it('walks any mix of sources to the end exactly once, in order (property)', async () => {
    const source = fc.record({
      // Few distinct times, so that ties across sources and page boundaries are common.
      times: fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 40 }),
      cap: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
      hiddenEvery: fc.option(fc.integer({ min: 2, max: 4 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(source, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: 25 }),
        async (specs, first) => {
          const sources = specs.map(
            (spec, i) =>
              new FakeSource(NAMES[i]!, itemsOf(NAMES[i]!, spec.times), {
                cap: spec.cap,
                hidden: spec.hiddenEvery ? (index) => index % spec.hiddenEvery! === 0 : undefined,
              }),
          );
          const { ids } = await walkToEnd(sources, first);
          expect(ids).toEqual(expectedOrder(sources));
        },
      ),
      { numRuns: 300 },
    );
  });
});
