import { request } from 'undici';
import { expect } from 'vitest';
import type { DifyLogRow } from '../../src/emulator/index.js';
import { DIFY_AUTH, startStack, type GraphQLResponse, type Stack } from '../support/stack.js';
import type { Connection } from '../support/connection.js';

/** A clock the test moves, so that runs inserted "now" land in seconds of its choosing. */
export class TestClock {
  constructor(public ms = Date.parse('2025-06-02T12:00:00Z')) {}
  readonly now = (): number => this.ms;
  tick(seconds = 1): void {
    this.ms += seconds * 1000;
  }
}

export async function startWorkflowStack(clock = new TestClock()): Promise<Stack> {
  return startStack({ emulator: { now: clock.now } });
}

export const LOG_PAGE_QUERY = `query ($filter: WorkflowLogFilter, $first: Int, $after: String, $order: LogOrder) {
  workflowLogs(filter: $filter, first: $first, after: $after, order: $order) {
    totalCount
    edges { cursor node { id logId createdAt workflowRun { runId status statusRaw } } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

export interface LogNode {
  id: string;
  logId: string;
  createdAt: string;
  workflowRun: { runId: string; status: string; statusRaw: string } | null;
}

export interface LogPage {
  workflowLogs: (Connection<LogNode> & { totalCount: number | null }) | null;
}

export interface Walk {
  nodes: LogNode[];
  pages: number;
  totalCounts: Array<number | null>;
}

/** Follows `endCursor` to the last page, checking every page's shape on the way. */
export async function walkLogs(
  stack: Stack,
  options: {
    filter?: Record<string, unknown>;
    first?: number;
    order?: 'NEWEST_FIRST' | 'OLDEST_FIRST';
    betweenPages?: (page: number) => void;
    /** Pages may be short (gateway-side status filtering). */
    shortPages?: boolean;
  } = {},
): Promise<Walk> {
  const walk: Walk = { nodes: [], pages: 0, totalCounts: [] };
  let after: string | null = null;
  while (walk.pages < 5_000) {
    const response: GraphQLResponse<LogPage> = await stack.graphql<LogPage>(
      LOG_PAGE_QUERY,
      { filter: options.filter, first: options.first, after, order: options.order },
      DIFY_AUTH,
    );
    expect(response.errors).toBeUndefined();
    const { edges, pageInfo, totalCount } = response.data!.workflowLogs!;
    walk.pages += 1;
    walk.totalCounts.push(totalCount);
    walk.nodes.push(...edges.map((edge) => edge.node));
    expect(edges.length).toBeLessThanOrEqual(options.first ?? 20);
    if (!options.shortPages) {
      if (pageInfo.hasNextPage) expect(edges).toHaveLength(options.first ?? 20);
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    }
    if (!pageInfo.hasNextPage) return walk;
    options.betweenPages?.(walk.pages);
    after = pageInfo.endCursor;
  }
  throw new Error('the walk never ended');
}

/** Stored rows (newest first) whose created_at lies in [since, until), in unix seconds. */
export function rowsBetween(rows: readonly DifyLogRow[], since: number, until: number) {
  return rows.filter((row) => row.created_at >= since && row.created_at < until);
}

export const isoOfSecond = (second: number): string => new Date(second * 1000).toISOString();

export const logIdsOf = (nodes: readonly { logId: string }[]): string[] =>
  nodes.map((node) => node.logId);

/** Every row id the upstream itself lists for these query parameters, read in one pass. */
export async function upstreamListing(
  stack: Stack,
  params: Record<string, string>,
): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  for (let page = 1; ; page += 1) {
    const query = new URLSearchParams({ ...params, page: String(page), limit: '100' });
    const response = await request(`${stack.emulator.difyUrl}/workflows/logs?${query}`, {
      headers: DIFY_AUTH,
    });
    const body = (await response.body.json()) as {
      total: number;
      has_more: boolean;
      data: Array<{ id: string }>;
    };
    ids.push(...body.data.map((row) => row.id));
    if (!body.has_more) return { ids, total: body.total };
  }
}

/** The query parameters of each upstream logs call since the last reset, without paging. */
export function sentFilters(stack: Stack): Array<Record<string, string>> {
  return stack.emulator.calls({ route: 'workflows.logs' }).map((call) => {
    const { page: _page, limit: _limit, ...rest } = call.query;
    return Object.fromEntries(Object.entries(rest).map(([key, values]) => [key, values.join()]));
  });
}
