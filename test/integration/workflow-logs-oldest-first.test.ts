import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIFY_AUTH, type Stack } from '../support/stack.js';
import {
  LOG_PAGE_QUERY,
  logIdsOf,
  startWorkflowStack,
  TestClock,
  walkLogs,
  type LogPage,
} from './workflow-support.js';

const clock = new TestClock();
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

const secondOf = new Map<string, number>();
const seconds = (ids: readonly string[]) => {
  for (const row of stored()) secondOf.set(row.id, row.created_at);
  return ids.map((id) => secondOf.get(id));
};

/** The same rows, each once, oldest first: the newest-first walk reversed up to Dify's tie order. */
function expectReversed(oldestFirst: readonly string[], newestFirst: readonly string[]) {
  expect(new Set(oldestFirst).size).toBe(oldestFirst.length);
  expect([...oldestFirst].sort()).toEqual([...newestFirst].sort());
  expect(seconds(oldestFirst)).toEqual(seconds(newestFirst).reverse());
}

describe('workflowLogs(order: OLDEST_FIRST)', () => {
  it.each([1, 3, 7, 20, 100, 250, 500])(
    'yields exactly the reverse of the newest-first walk over a pinned window, while runs arrive (first=%i)',
    async (first) => {
      clock.tick();
      const filter = { until: new Date(clock.now()).toISOString() };
      const newestFirst = await walkLogs(stack, {
        first,
        filter,
        betweenPages: () => arriveAtHead(3),
      });
      const oldestFirst = await walkLogs(stack, {
        first,
        filter,
        order: 'OLDEST_FIRST',
        betweenPages: () => arriveAtHead(3),
      });
      expectReversed(logIdsOf(oldestFirst.nodes), logIdsOf(newestFirst.nodes));
      expect(new Set(oldestFirst.totalCounts)).toEqual(new Set([newestFirst.nodes.length]));
    },
  );

  it('pins the default window with its first page: runs arriving later are not walked', async () => {
    clock.tick();
    const expected = stored().map((row) => row.id);
    const { nodes } = await walkLogs(stack, {
      first: 40,
      order: 'OLDEST_FIRST',
      betweenPages: () => arriveAtHead(5),
    });
    expectReversed(logIdsOf(nodes), expected);
  });

  it('filters RUNNING gateway-side, oldest first, exactly once', async () => {
    clock.tick();
    const filter = { status: 'RUNNING', until: new Date(clock.now()).toISOString() };
    const newestFirst = await walkLogs(stack, { first: 5, filter, shortPages: true });
    const oldestFirst = await walkLogs(stack, {
      first: 5,
      filter,
      order: 'OLDEST_FIRST',
      shortPages: true,
    });
    expect(newestFirst.nodes.length).toBeGreaterThan(0);
    expectReversed(logIdsOf(oldestFirst.nodes), logIdsOf(newestFirst.nodes));
  });

  it.each([
    ['NEWEST_FIRST', 'OLDEST_FIRST'],
    ['OLDEST_FIRST', 'NEWEST_FIRST'],
  ])('refuses a %s cursor in an %s walk, without an upstream call', async (issued, used) => {
    const page = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { first: 2, order: issued },
      DIFY_AUTH,
    );
    stack.emulator.resetCalls();
    const refused = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { first: 2, order: used, after: page.data!.workflowLogs!.pageInfo.endCursor },
      DIFY_AUTH,
    );
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'after',
    });
    expect(upstreamLogCalls()).toHaveLength(0);
  });
});
