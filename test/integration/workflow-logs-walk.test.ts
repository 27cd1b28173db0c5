import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Stack } from '../support/stack.js';
import {
  isoOfSecond,
  logIdsOf,
  rowsBetween,
  startWorkflowStack,
  TestClock,
  walkLogs,
} from './workflow-support.js';

const clock = new TestClock();
const startedAt = clock.now();
let stack: Stack;

beforeAll(async () => {
  stack = await startWorkflowStack(clock);
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.resetCalls());

const stored = () => stack.emulator.dify.logs('demo');
const upstreamLogCalls = () => stack.emulator.calls({ route: 'workflows.logs' });

/** Runs arriving at the head, one second later each time, as a busy app would create them. */
function arriveAtHead(count: number): void {
  clock.tick();
  stack.emulator.dify.insertRuns('demo', count);
}

describe('walking workflowLogs to the end', () => {
  it('has rows sharing a second to cross', () => {
    const seconds = stored().map((row) => row.created_at);
    expect(new Set(seconds).size).toBeLessThan(seconds.length - 20);
  });

  it.each([1, 3, 7, 20, 100, 250, 500])(
    'yields every row that existed when it began exactly once, newest first, while runs arrive (first=%i)',
    async (first) => {
      const expected = stored().map((row) => row.id);
      const { nodes, totalCounts } = await walkLogs(stack, {
        first,
        betweenPages: () => arriveAtHead(3),
      });
      expect(logIdsOf(nodes)).toEqual(expected);
      expect(new Set(totalCounts)).toEqual(new Set([expected.length]));
    },
  );

  it.each([100, 500])(
    'serves first=%i from upstream calls of at most 100 rows, about one call per 100 rows',
    async (first) => {
      const seededUntil = Math.floor(startedAt / 1000);
      const expected = rowsBetween(stored(), 0, seededUntil).map((row) => row.id);
      const { nodes, pages } = await walkLogs(stack, {
        filter: { until: isoOfSecond(seededUntil) },
        first,
      });
      expect(logIdsOf(nodes)).toEqual(expected);
      const calls = upstreamLogCalls();
      for (const call of calls) expect(Number(call.query.limit?.[0])).toBeLessThanOrEqual(100);
      expect(pages).toBe(Math.ceil(expected.length / first));
      expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 100));
      expect(calls.length).toBeLessThanOrEqual(Math.ceil(expected.length / 100) + pages);
    },
  );

  it('anchors each call at the second of the last row handed out, as an inclusive UTC bound', async () => {
    const first = await walkLogs(stack, { first: 5 }).then(() => upstreamLogCalls());
    expect(first[0]!.query.created_at__before).toBeUndefined();
    for (const call of first.slice(1)) {
      expect(call.query.page).toEqual(['1']);
      expect(call.query.created_at__before![0]).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.999999Z$/,
      );
    }
  });

  it('keeps a row that arrives in an already walked second out of the walk', async () => {
    const rows = stored();
    const expected = rows.map((row) => row.id);
    const secondOfPage1 = rows[10]!.created_at;
    const { nodes } = await walkLogs(stack, {
      first: 40,
      betweenPages: (page) => {
        if (page === 1) stack.emulator.dify.insertRuns('demo', [{ created_at: secondOfPage1 }]);
      },
    });
    expect(logIdsOf(nodes)).toEqual(expected);
  });

  it('admits a row created in the second it is walking at most once (documented limit)', async () => {
    const rows = stored();
    const burst = rows.findIndex((row, i) => rows[i + 1]?.created_at === row.created_at);
    const second = rows[burst]!.created_at;
    const sinceSecond = rows.at(-1)!.created_at;
    const filter = { since: isoOfSecond(sinceSecond), until: isoOfSecond(second + 1) };
    const window = rowsBetween(rows, sinceSecond, second + 1).map((row) => row.id);
    let lateId: string | undefined;
    const { nodes } = await walkLogs(stack, {
      filter,
      first: 1,
      betweenPages: (page) => {
        if (page > 1) return;
        lateId = stack.emulator.dify.insertRuns('demo', [{ created_at: second }])[0]!.id;
      },
    });
    const ids = logIdsOf(nodes);
    expect(ids.filter((id) => id !== lateId)).toEqual(window);
    expect(ids.filter((id) => id === lateId).length).toBeLessThanOrEqual(1);
  });
});

describe('a second holding more rows than one upstream page', () => {
  it.each([7, 100, 500])(
    'is crossed without a loss or a repeat when the upstream keeps its tie order (first=%i)',
    async (first) => {
      const rows = stored();
      const second = rows[Math.floor(rows.length / 2)]!.created_at;
      if (first === 7) {
        stack.emulator.dify.insertRuns(
          'demo',
          Array.from({ length: 230 }, () => ({ created_at: second })),
        );
      }
      const expected = stored().map((row) => row.id);
      expect(stored().filter((row) => row.created_at === second).length).toBeGreaterThan(230);
      const { nodes, pages } = await walkLogs(stack, { first });
      expect(logIdsOf(nodes)).toEqual(expected);
      const calls = upstreamLogCalls().length;
      expect(calls).toBeLessThanOrEqual(Math.ceil(expected.length / 100) + 4 * pages);
      if (pages === 1) expect(calls).toBe(Math.ceil(expected.length / 100));
    },
  );
});
