import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DifyRunStatus } from '../../src/emulator/index.js';
import { DIFY_AUTH, type Stack } from '../support/stack.js';
import {
  isoOfSecond,
  LOG_PAGE_QUERY,
  logIdsOf,
  sentFilters,
  startWorkflowStack,
  TestClock,
  upstreamListing,
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

/** A second in the middle of the data that several rows share. */
function burstSecond(): number {
  const rows = stored();
  const middle = rows.slice(rows.length / 3);
  const row = middle.find((candidate, i) => middle[i + 1]?.created_at === candidate.created_at);
  return row!.created_at;
}

describe('filters reach the upstream as its own parameters', () => {
  it.each([
    ['keyword', { keyword: 'admin' }, { keyword: 'admin' }],
    ['status SUCCEEDED', { status: 'SUCCEEDED' }, { status: 'succeeded' }],
    ['status FAILED', { status: 'FAILED' }, { status: 'failed' }],
    ['status STOPPED', { status: 'STOPPED' }, { status: 'stopped' }],
    [
      'endUserSessionId',
      { endUserSessionId: 'crm-sync' },
      { created_by_end_user_session_id: 'crm-sync' },
    ],
    [
      'accountEmail',
      { accountEmail: 'ada@acme.example' },
      { created_by_account: 'ada@acme.example' },
    ],
    [
      'all of them together',
      { keyword: 'e', status: 'SUCCEEDED', accountEmail: 'kenji@acme.example' },
      { keyword: 'e', status: 'succeeded', created_by_account: 'kenji@acme.example' },
    ],
  ])('%s', async (_, filter, upstreamParams) => {
    const expected = await upstreamListing(stack, upstreamParams);
    expect(expected.ids.length).toBeGreaterThan(0);
    stack.emulator.resetCalls();

    const { nodes, totalCounts } = await walkLogs(stack, { filter, first: 7 });
    expect(sentFilters(stack)[0]).toEqual(upstreamParams);
    expect(logIdsOf(nodes)).toEqual(expected.ids);
    expect(new Set(totalCounts)).toEqual(new Set([expected.total]));
  });

  it('keeps exactly the rows of that end user, or that account', async () => {
    const bySession = await walkLogs(stack, { filter: { endUserSessionId: 'crm-sync' } });
    expect(logIdsOf(bySession.nodes)).toEqual(
      stored()
        .filter((row) => row.created_by_end_user?.session_id === 'crm-sync')
        .map((row) => row.id),
    );
    const byAccount = await walkLogs(stack, { filter: { accountEmail: 'lea@acme.example' } });
    expect(logIdsOf(byAccount.nodes)).toEqual(
      stored()
        .filter((row) => row.created_by_account?.email === 'lea@acme.example')
        .map((row) => row.id),
    );
  });

  it('refuses an email that matches no account as BAD_USER_INPUT naming filter.accountEmail', async () => {
    const response = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { filter: { accountEmail: 'nobody@acme.example' } },
      DIFY_AUTH,
    );
    expect(response.data).toEqual({ workflowLogs: null });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.message).toContain('filter.accountEmail');
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'filter.accountEmail',
    });
  });
});

describe('time window: since inclusive, until exclusive, over unix-second rows', () => {
  const idsAt = (second: number) =>
    stored()
      .filter((row) => row.created_at === second)
      .map((row) => row.id);

  it('includes the rows of the second since names and sends it as an inclusive UTC bound', async () => {
    const second = burstSecond();
    const { nodes } = await walkLogs(stack, {
      filter: { since: isoOfSecond(second), until: isoOfSecond(second + 1) },
    });
    expect(logIdsOf(nodes)).toEqual(idsAt(second));
    expect(sentFilters(stack)[0]).toEqual({
      created_at__after: isoOfSecond(second).replace('.000Z', 'Z'),
      created_at__before: isoOfSecond(second).replace('.000Z', '.999999Z'),
    });
  });

  it('excludes the rows of the second until names', async () => {
    const second = burstSecond();
    const { nodes } = await walkLogs(stack, {
      filter: { since: isoOfSecond(second - 86_400), until: isoOfSecond(second) },
    });
    const ids = logIdsOf(nodes);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of idsAt(second)) expect(ids).not.toContain(id);
    expect(sentFilters(stack)[0]!.created_at__before).toBe(
      isoOfSecond(second - 1).replace('.000Z', '.999999Z'),
    );
    expect(ids).toEqual(
      stored()
        .filter((row) => row.created_at >= second - 86_400 && row.created_at < second)
        .map((row) => row.id),
    );
  });

  it('rounds sub-second bounds to the rows they admit: since up, until to its own second', async () => {
    const second = burstSecond();
    const inside = `${isoOfSecond(second).slice(0, 19)}.250Z`;
    const sinceInside = await walkLogs(stack, {
      filter: { since: inside, until: isoOfSecond(second + 2) },
    });
    expect(logIdsOf(sinceInside.nodes)).not.toContain(idsAt(second)[0]);
    expect(sentFilters(stack)[0]!.created_at__after).toBe(
      isoOfSecond(second + 1).replace('.000Z', 'Z'),
    );

    stack.emulator.resetCalls();
    const untilInside = await walkLogs(stack, {
      filter: { since: isoOfSecond(second), until: inside },
    });
    expect(logIdsOf(untilInside.nodes)).toEqual(idsAt(second));
    expect(sentFilters(stack)[0]!.created_at__before).toBe(
      isoOfSecond(second).replace('.000Z', '.999999Z'),
    );
  });

  it('converts a bound given with an offset to UTC', async () => {
    await walkLogs(stack, { filter: { since: '2025-06-02T14:00:00+02:00' } });
    expect(sentFilters(stack)[0]).toEqual({ created_at__after: '2025-06-02T12:00:00Z' });
  });

  it('answers a window that holds no whole second with an empty page and no upstream call', async () => {
    const response = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { filter: { since: '2025-06-02T11:00:00.100Z', until: '2025-06-02T11:00:00.900Z' } },
      DIFY_AUTH,
    );
    expect(response.data!.workflowLogs).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    expect(sentFilters(stack)).toEqual([]);
  });
});

describe('statuses Dify cannot filter: RUNNING, PARTIAL_SUCCEEDED, PAUSED', () => {
  const STATUS_OF: Record<string, DifyRunStatus> = {
    RUNNING: 'running',
    PARTIAL_SUCCEEDED: 'partial-succeeded',
    PAUSED: 'paused',
  };

  it.each(Object.keys(STATUS_OF))(
    'filters %s gateway-side over unfiltered pages, with totalCount null',
    async (status) => {
      const expected = stored()
        .filter((row) => row.workflow_run?.status === STATUS_OF[status])
        .map((row) => row.id);
      expect(expected.length).toBeGreaterThan(0);
      const { nodes, totalCounts } = await walkLogs(stack, {
        filter: { status },
        first: 2,
        shortPages: true,
      });
      expect(logIdsOf(nodes)).toEqual(expected);
      expect(nodes.every((node) => node.workflowRun?.status === status)).toBe(true);
      expect(new Set(totalCounts)).toEqual(new Set([null]));
      for (const params of sentFilters(stack)) expect(params.status).toBeUndefined();
    },
  );

  it('bounds the upstream calls of one page that finds few matches, and resumes past them', async () => {
    clock.tick(60);
    stack.emulator.dify.insertRuns('demo', [{ status: 'paused', created_at: clock.ms / 1000 - 1 }]);
    stack.emulator.dify.insertRuns(
      'demo',
      Array.from({ length: 1500 }, (_, i) => ({
        status: 'succeeded' as const,
        created_at: clock.ms / 1000 + i,
      })),
    );
    clock.tick(1500);
    stack.emulator.resetCalls();
    const response = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { filter: { status: 'PAUSED' }, first: 1 },
      DIFY_AUTH,
    );
    const page = response.data!.workflowLogs!;
    expect(page.edges).toEqual([]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.pageInfo.endCursor).not.toBeNull();
    expect(sentFilters(stack)).toHaveLength(11);

    const next = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { filter: { status: 'PAUSED' }, first: 1, after: page.pageInfo.endCursor },
      DIFY_AUTH,
    );
    expect(next.data!.workflowLogs!.edges.map((edge) => edge.node.workflowRun?.status)).toEqual([
      'PAUSED',
    ]);
  });
});

describe('rows as they come', () => {
  it('keeps a row whose run is gone, with workflowRun null', async () => {
    clock.tick();
    const [orphan] = stack.emulator.dify.insertRuns('demo', [{ orphaned: true }]);
    const { nodes } = await walkLogs(stack, { first: 100 });
    const orphans = stored().filter((row) => row.workflow_run === null);
    expect(orphans.length).toBeGreaterThan(1);
    expect(nodes.filter((node) => node.workflowRun === null).map((node) => node.logId)).toEqual(
      orphans.map((row) => row.id),
    );
    expect(logIdsOf(nodes)).toContain(orphan!.id);
  });

  it('maps every upstream status to the enum and keeps the raw value', async () => {
    clock.tick();
    const statuses = [
      'running',
      'succeeded',
      'failed',
      'stopped',
      'partial-succeeded',
      'paused',
      'partial_succeeded',
      'scheduled',
    ];
    stack.emulator.dify.insertRuns(
      'demo',
      statuses.map((status) => ({ status: status as DifyRunStatus })),
    );
    stack.emulator.dify.insertRuns('demo', [{ status: 'archived' as DifyRunStatus, error: 'x' }]);
    const response = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { first: statuses.length + 1 },
      DIFY_AUTH,
    );
    const byRaw = Object.fromEntries(
      response.data!.workflowLogs!.edges.map(({ node }) => [node.workflowRun!.statusRaw, node]),
    );
    expect(
      Object.fromEntries(
        Object.entries(byRaw).map(([raw, node]) => [raw, node.workflowRun!.status]),
      ),
    ).toEqual({
      running: 'RUNNING',
      succeeded: 'SUCCEEDED',
      failed: 'FAILED',
      stopped: 'STOPPED',
      'partial-succeeded': 'PARTIAL_SUCCEEDED',
      paused: 'PAUSED',
      partial_succeeded: 'PARTIAL_SUCCEEDED',
      scheduled: 'SUCCEEDED',
      archived: 'FAILED',
    });
  });
});
