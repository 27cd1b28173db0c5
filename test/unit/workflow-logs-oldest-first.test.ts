import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  walkWorkflowLogsOldestFirst,
  type OldestFirstWorkflowLogPosition,
} from '../../src/paging/workflow-logs-oldest-first.js';
import type { SecondsWindow } from '../../src/paging/workflow-logs.js';
import { DIFY_LOGS_MAX_LIMIT } from '../../src/read-bounds.js';
import type { DifyWorkflowLog } from '../../src/upstreams/dify/types.js';
import { BASE_SECOND, ShufflingUpstream, upstreamWithBursts } from '../support/shuffling-dify.js';

interface WalkOptions {
  window?: SecondsWindow;
  accept?: (row: DifyWorkflowLog) => boolean;
  betweenPages?: () => void;
}

async function walkToEnd(upstream: ShufflingUpstream, first: number, options: WalkOptions = {}) {
  const ids: string[] = [];
  const callsPerPage: number[] = [];
  let window = options.window ?? {};
  let after: OldestFirstWorkflowLogPosition | undefined;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const callsBefore = upstream.calls;
    const walk = await walkWorkflowLogsOldestFirst({
      read: upstream.read,
      filter: {},
      window,
      after,
      first,
      accept: options.accept,
    });
    callsPerPage.push(upstream.calls - callsBefore);
    expect(walk.entries.length).toBeLessThanOrEqual(first);
    ids.push(...walk.entries.map((entry) => entry.row.id));
    if (!walk.hasNextPage) return { ids, callsPerPage };
    options.betweenPages?.();
    window = { ...window, until: walk.until };
    after = walk.end;
  }
  throw new Error('the walk never ended');
}

const secondOfId = (upstream: ShufflingUpstream, id: string) =>
  upstream.rows.find((row) => row.id === id)!.created_at.micros;

describe('walkWorkflowLogsOldestFirst over an upstream that reorders rows of one second on every call', () => {
  it.each([1, 2, 5, 17, 100, 500])(
    'yields every row exactly once, oldest second first, while rows arrive at the head (first=%i)',
    async (first) => {
      const upstream = upstreamWithBursts(first);
      const expected = upstream.rows.map((row) => row.id).sort();
      let head = BASE_SECOND + 1000;
      const { ids } = await walkToEnd(upstream, first, {
        betweenPages: () => upstream.insert((head += 1), 3),
      });
      expect([...ids].sort()).toEqual(expected);
      const seconds = ids.map((id) => secondOfId(upstream, id));
      expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    },
  );

  it('yields exactly the rows it accepts when it filters them itself', async () => {
    const upstream = upstreamWithBursts(7);
    for (const [index, row] of upstream.rows.entries()) {
      if (index % 3 === 0) row.workflow_run!.status = 'running';
    }
    const accept = (row: DifyWorkflowLog) => row.workflow_run?.status === 'running';
    const expected = upstream.rows
      .filter(accept)
      .map((row) => row.id)
      .sort();
    const { ids } = await walkToEnd(upstream, 4, { accept });
    expect([...ids].sort()).toEqual(expected);
  });

  it('reads a window of up to 100 rows in one call, and each later page in about one', async () => {
    const small = new ShufflingUpstream(1);
    for (let second = 0; second < 40; second += 1) small.insert(BASE_SECOND + second, 2);
    expect((await walkToEnd(small, 500)).callsPerPage).toEqual([1]);

    const big = new ShufflingUpstream(2);
    for (let second = 0; second < 2000; second += 1) big.insert(BASE_SECOND + second);
    const { ids, callsPerPage } = await walkToEnd(big, 40);
    expect(ids).toHaveLength(2000);
    // The first page counts the window first; later pages know the count from the cursor.
    expect(callsPerPage[0]).toBeLessThanOrEqual(3);
    expect(Math.max(...callsPerPage.slice(1))).toBeLessThanOrEqual(2);
  });

  it('makes no upstream call for a window with no whole second in it', async () => {
    const upstream = upstreamWithBursts(3);
    const walk = await walkWorkflowLogsOldestFirst({
      read: upstream.read,
      filter: {},
      window: { since: BASE_SECOND + 5, until: BASE_SECOND + 4 },
      after: undefined,
      first: 5,
    });
    expect(walk).toMatchObject({ entries: [], hasNextPage: false, total: 0 });
    expect(upstream.calls).toBe(0);
  });

  it('property: any data, any page size, with arrivals at the head and in the pinned second', async () => {
    const data = fc.record({
      seed: fc.integer({ min: 1, max: 1_000_000 }),
      first: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 500 })),
      // Rows per second; bursts up to one upstream page.
      seconds: fc.array(
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 4, max: 100 })),
        {
          maxLength: 15,
        },
      ),
      arrivals: fc.integer({ min: 0, max: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(data, async ({ seed, first, seconds, arrivals }) => {
        const upstream = new ShufflingUpstream(seed);
        for (const [offset, count] of seconds.entries())
          upstream.insert(BASE_SECOND + offset, count);
        const original = upstream.rows.map((row) => row.id);
        const newest = BASE_SECOND + seconds.length - 1;
        let head = BASE_SECOND + 1000;
        const inNewest = () =>
          upstream.rows.filter((row) => row.created_at.micros === newest * 1e6).length;
        const { ids, callsPerPage } = await walkToEnd(upstream, first, {
          betweenPages: () => {
            // Late rows of the pinned second join, so only a few, or a walk would never end; and
            // no more than one upstream page holds: beyond it the walk trusts the upstream's order
            // within the second, which this upstream does not keep.
            const late = Math.min(arrivals, DIFY_LOGS_MAX_LIMIT - inNewest());
            if (head < BASE_SECOND + 1003 && late > 0) upstream.insert(newest, late);
            upstream.insert((head += 1), arrivals);
          },
        });
        expect(new Set(ids).size).toBe(ids.length);
        const walked = new Set(ids);
        expect(original.filter((id) => !walked.has(id))).toEqual([]);
        // Only rows created later in the pinned newest second may join the walk.
        const joined = ids.filter((id) => !original.includes(id));
        for (const id of joined) expect(secondOfId(upstream, id)).toBe(newest * 1e6);
        const times = ids.map((id) => secondOfId(upstream, id));
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(callsPerPage.length).toBe(Math.max(1, Math.ceil(ids.length / first)));
      }),
      { numRuns: 100 },
    );
  });

  it('fills a page of 405 over seconds of up to 95 rows in at most one call per second and a count', async () => {
    const upstream = new ShufflingUpstream(1);
    const seconds = [4, 78, 59, 25, 4, 83, 57, 95];
    for (const [offset, count] of seconds.entries()) upstream.insert(BASE_SECOND + offset, count);
    const { ids, callsPerPage } = await walkToEnd(upstream, 405);
    expect(ids).toHaveLength(405);
    expect(callsPerPage).toHaveLength(1);
    expect(callsPerPage[0]).toBeLessThanOrEqual(seconds.length + 2);
  });
});
