import { describe, expect, it } from 'vitest';
import {
  lowerBoundOf,
  secondsWindow,
  upperBoundOf,
  walkWorkflowLogs,
  type WorkflowLogPosition,
} from '../../src/paging/workflow-logs.js';
import { parseInstant } from '../../src/time.js';
import type { DifyWorkflowLog } from '../../src/upstreams/dify/types.js';
import {
  BASE_SECOND,
  upstreamWithBursts,
  type ShufflingUpstream,
} from '../support/shuffling-dify.js';

async function walkToEnd(
  upstream: ShufflingUpstream,
  first: number,
  options: { accept?: (row: DifyWorkflowLog) => boolean; betweenPages?: () => void } = {},
): Promise<string[]> {
  const ids: string[] = [];
  let after: WorkflowLogPosition | undefined;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const walk = await walkWorkflowLogs({
      read: upstream.read,
      filter: {},
      window: {},
      after,
      first,
      accept: options.accept,
    });
    ids.push(...walk.entries.map((entry) => entry.row.id));
    if (!walk.hasNextPage) return ids;
    options.betweenPages?.();
    after = walk.end;
  }
  throw new Error('the walk never ended');
}

describe('walkWorkflowLogs over an upstream that reorders rows of one second on every call', () => {
  it.each([1, 2, 5, 17, 100, 500])(
    'yields every row exactly once, newest second first, while rows arrive (first=%i)',
    async (first) => {
      const upstream = upstreamWithBursts(first);
      const expected = upstream.rows.map((row) => row.id).sort();
      let head = BASE_SECOND + 1000;
      const ids = await walkToEnd(upstream, first, {
        betweenPages: () => upstream.insert((head += 1), 3),
      });
      expect([...ids].sort()).toEqual(expected);
      const seconds = ids.map(
        (id) => upstream.rows.find((row) => row.id === id)!.created_at.micros,
      );
      expect(seconds).toEqual([...seconds].sort((a, b) => b - a));
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
    expect([...(await walkToEnd(upstream, 4, { accept }))].sort()).toEqual(expected);
  });

  it('spends a bounded number of upstream calls on one page that finds nothing to accept', async () => {
    const upstream = upstreamWithBursts(9);
    for (let i = 1; i <= 1500; i += 1) upstream.insert(BASE_SECOND - i);
    const walk = await walkWorkflowLogs({
      read: upstream.read,
      filter: {},
      window: {},
      after: undefined,
      first: 50,
      accept: () => false,
    });
    expect(walk.entries).toEqual([]);
    expect(upstream.calls).toBe(11);
    expect(walk.hasNextPage).toBe(true);
    expect(walk.end).toBeDefined();
  });

  it('makes no upstream call for a window with no whole second in it', async () => {
    const upstream = upstreamWithBursts(3);
    const walk = await walkWorkflowLogs({
      read: upstream.read,
      filter: {},
      window: secondsWindow(
        parseInstant('2025-06-01T12:00:00.200Z'),
        parseInstant('2025-06-01T12:00:00.900Z'),
      ),
      after: undefined,
      first: 5,
    });
    expect(walk).toMatchObject({ entries: [], hasNextPage: false, total: 0 });
    expect(upstream.calls).toBe(0);
  });
});

describe('time bounds', () => {
  it('turns since (inclusive) and until (exclusive) into the whole seconds a row may carry', () => {
    const at = (iso: string) => parseInstant(iso);
    const second = Date.parse('2025-06-01T12:00:00Z') / 1000;
    expect(secondsWindow(at('2025-06-01T12:00:00Z'), at('2025-06-01T13:00:00Z'))).toEqual({
      since: second,
      until: second + 3599,
    });
    expect(secondsWindow(at('2025-06-01T12:00:00.001Z'), at('2025-06-01T13:00:00.001Z'))).toEqual({
      since: second + 1,
      until: second + 3600,
    });
    expect(secondsWindow(undefined, undefined)).toEqual({ since: undefined, until: undefined });
  });

  it('sends UTC Z strings: a lower bound at the whole second, an upper one through its end', () => {
    const second = Date.parse('2025-06-01T12:00:07Z') / 1000;
    expect(lowerBoundOf(second)).toBe('2025-06-01T12:00:07Z');
    expect(upperBoundOf(second)).toBe('2025-06-01T12:00:07.999999Z');
  });
});
