import { mergeNewestFirst } from './merge.js';

/** One item of a source, with its place in time and in the source's own walk. */
export interface SourceEntry<Item, Position> {
  item: Item;
  /** Microseconds since the epoch. */
  at: number;
  /** The source's position right after this item. */
  position: Position;
}

export interface SourceRead<Item, Position> {
  /** Newest first, in the source's own order among equal times. */
  entries: SourceEntry<Item, Position>[];
  /** Whether the source holds more after the last entry. */
  hasMore: boolean;
  /**
   * Past everything the read consumed, for a read without entries that still has more (a source
   * that filters rows itself): the next read starts there rather than reading them again.
   */
  end?: Position | undefined;
}

/** A source of the timeline: an exact-once walk of its own, resumable from any position it gave. */
export interface SourceWalk<Item, Position> {
  /** Up to `first` entries after `after` (from the source's start when undefined). */
  read(after: Position | undefined, first: number): Promise<SourceRead<Item, Position>>;
}

/** Where one source of a timeline walk stands. */
export interface SourceCursor<Position> {
  /** The position after the last entry handed out; undefined before the first. */
  after?: Position | undefined;
  /** Every entry of the source has been handed out: it is not read again. */
  done?: boolean | undefined;
}

export type TimelineCursors<Name extends string, Position> = Partial<
  Record<Name, SourceCursor<Position>>
>;

export interface TimelineSource<Name extends string, Item, Position> {
  name: Name;
  walk: SourceWalk<Item, Position>;
  cursor: SourceCursor<Position>;
}

export interface TimelineEntry<Name extends string, Item, Position> {
  source: Name;
  item: Item;
  at: number;
  /** Every source's cursor right after this entry: the walk resumes here. */
  cursors: TimelineCursors<Name, Position>;
}

export interface TimelineWalk<Name extends string, Item, Position> {
  entries: TimelineEntry<Name, Item, Position>[];
  /** Every source's cursor after the page. */
  end: TimelineCursors<Name, Position>;
  hasNextPage: boolean;
}

const FINISHED: SourceRead<never, never> = { entries: [], hasMore: false };

/**
 * How much of the merge a page may hand out: `first` entries, and nothing past the last entry of
 * a source that read fewer than it has, since its next entries (not read yet) may come before
 * anything older. A source that read `first` entries never cuts a page short.
 */
function pageEnd(
  merged: readonly { entry: unknown }[],
  reads: readonly SourceRead<unknown, unknown>[],
  first: number,
): number {
  let end = first;
  for (const read of reads) {
    if (!read.hasMore) continue;
    const last = read.entries.at(-1);
    end = Math.min(end, last ? merged.findIndex(({ entry }) => entry === last) + 1 : 0);
  }
  return end;
}

/**
 * The next `first` entries of the sources merged newest first; at equal times, in the order the
 * sources are given, then each source's own order.
 *
 * Each source not done yet reads up to `first` entries after its cursor (at most `first` of them
 * can go out), side by side. The page hands out a prefix of the merge, which is a prefix of each
 * source's read: a source's cursor moves to the position after its last entry handed out, so
 * what it read ahead and did not hand out is read again by the next page, and walking on yields
 * each source's walk exactly once, in the merged order. A page may be short, even empty, while
 * a source that filters rows itself reads on (`hasNextPage` stays true).
 */
export async function walkTimeline<Name extends string, Item, Position>(
  sources: readonly TimelineSource<Name, Item, Position>[],
  first: number,
): Promise<TimelineWalk<Name, Item, Position>> {
  const reads = await Promise.all(
    sources.map(({ walk, cursor }) =>
      cursor.done ? Promise.resolve(FINISHED) : walk.read(cursor.after, first),
    ),
  );
  let cursors: TimelineCursors<Name, Position> = {};
  sources.forEach(({ name, cursor }, i) => {
    const read = reads[i]!;
    const after = read.entries.length === 0 ? (read.end ?? cursor.after) : cursor.after;
    const done = cursor.done || (read.entries.length === 0 && !read.hasMore);
    cursors[name] = { after, done };
  });

  const lists = reads.map((read, i) =>
    read.entries.map((entry, k) => ({
      source: sources[i]!.name,
      entry,
      // The source's last entry: once it is handed out, nothing of the source is left.
      last: !read.hasMore && k === read.entries.length - 1,
    })),
  );
  const merged = mergeNewestFirst(lists, ({ entry }) => entry.at);
  const handedOut = merged.slice(0, pageEnd(merged, reads, first));
  const entries = handedOut.map(({ source, entry, last }) => {
    cursors = { ...cursors, [source]: { after: entry.position, done: last } };
    return { source, item: entry.item, at: entry.at, cursors };
  });
  return {
    entries,
    end: cursors,
    hasNextPage: Object.values<SourceCursor<Position> | undefined>(cursors).some(
      (cursor) => !cursor?.done,
    ),
  };
}
