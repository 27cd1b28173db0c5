import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FalApp } from '../../src/emulator/index.js';
import { fromMicros } from '../../src/time.js';
import { FAL_BACKENDS, startStack, type GraphQLResponse, type Stack } from '../support/stack.js';
import {
  fingerprintOfGateway,
  fingerprintOfWire,
  windowAroundBurst,
  LINE_FIELDS,
  linesInWindow,
  micros,
  type GatewayLine,
  type WireLine,
} from '../support/fal-lines.js';
import { requestsWithLogs, storedLinesOf, type LogsPage } from '../support/fal-requests.js';

type Order = 'NEWEST_FIRST' | 'OLDEST_FIRST';

const PAGE_QUERY = `query ($filter: FalLogFilter, $first: Int, $after: String, $order: LogOrder) {
  falLogs(filter: $filter, first: $first, after: $after, order: $order) {
    edges { cursor node { ${LINE_FIELDS} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  falLogs: {
    edges: Array<{ cursor: string; node: GatewayLine }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const REQUEST_LOGS_QUERY = `query ($endpointId: String!, $requestId: String!, $first: Int, $after: String, $order: LogOrder) {
  falRequest(endpointId: $endpointId, requestId: $requestId) {
    logs(first: $first, after: $after, order: $order) {
      edges { cursor node { timestamp message } } pageInfo { hasNextPage endCursor }
    }
  }
}`;

describe.each(FAL_BACKENDS)('oldest first over the $api backend', (backend) => {
  let stack: Stack;
  let stored: readonly WireLine[];

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
    stored = stack.emulator.fal.lines('demo');
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.resetCalls());

  const historyCalls = () => stack.emulator.calls({ route: backend.historyRoute });

  async function walk(
    filter: Record<string, unknown>,
    first: number,
    order: Order,
    betweenPages?: (page: number) => void,
  ): Promise<string[]> {
    const lines: string[] = [];
    let after: string | null = null;
    for (let pages = 1; pages < 10_000; pages += 1) {
      const response: GraphQLResponse<Page> = await stack.graphql<Page>(PAGE_QUERY, {
        filter,
        first,
        after,
        order,
      });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo } = response.data!.falLogs;
      if (pageInfo.hasNextPage) expect(edges).toHaveLength(first);
      lines.push(...edges.map((edge) => fingerprintOfGateway(edge.node)));
      if (!pageInfo.hasNextPage) return lines;
      betweenPages?.(pages);
      after = pageInfo.endCursor;
    }
    throw new Error('the walk never ended');
  }

  describe('falLogs(order: OLDEST_FIRST)', () => {
    it.each([1, 3, 7, 25, 100])(
      'yields exactly the reverse of the newest-first walk over the same window (first=%i)',
      async (first) => {
        const { since, until, burstSize } = windowAroundBurst(stored, first === 1 ? 30 : 90);
        expect(burstSize).toBeGreaterThan(first === 100 ? 20 : first);
        const newestFirst = await walk({ since, until }, first, 'NEWEST_FIRST');
        const oldestFirst = await walk({ since, until }, first, 'OLDEST_FIRST');
        expect(newestFirst).toEqual(linesInWindow(stored, since, until).map(fingerprintOfWire));
        expect(oldestFirst).toEqual([...newestFirst].reverse());
      },
    );

    it('neither repeats nor admits lines that arrive while walking the default window', async () => {
      const since = fromMicros(micros(stored[0]!) - 2 * 3_600_000_000).iso;
      const expected = linesInWindow(stored, since, '2100-01-01').map(fingerprintOfWire).reverse();
      const lines = await walk({ since }, 40, 'OLDEST_FIRST', (page) => {
        stack.emulator.fal.appendLines(
          'demo',
          Array.from({ length: 25 }, (_, i) => ({ message: `arrived during page ${page} #${i}` })),
        );
      });
      expect(lines).toEqual(expected);
    });

    it.each<[Order, Order]>([
      ['NEWEST_FIRST', 'OLDEST_FIRST'],
      ['OLDEST_FIRST', 'NEWEST_FIRST'],
    ])('refuses a %s cursor in an %s walk, without an upstream call', async (issued, used) => {
      const { since, until } = windowAroundBurst(stored, 10);
      const first = await stack.graphql<Page>(PAGE_QUERY, {
        filter: { since, until },
        first: 2,
        order: issued,
      });
      stack.emulator.resetCalls();
      const refused = await stack.graphql<Page>(PAGE_QUERY, {
        filter: { since, until },
        first: 2,
        order: used,
        after: first.data!.falLogs.pageInfo.endCursor,
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
      expect(refused.errors?.[0]?.message).toMatch(/^after: .*order/);
      expect(historyCalls()).toHaveLength(0);
    });

    it('refuses an oldest-first cursor issued for another filter', async () => {
      const { since, until } = windowAroundBurst(stored, 10);
      const first = await stack.graphql<Page>(PAGE_QUERY, {
        filter: { since, until },
        first: 2,
        order: 'OLDEST_FIRST',
      });
      stack.emulator.resetCalls();
      const refused = await stack.graphql<Page>(PAGE_QUERY, {
        filter: { since, until, minLevel: 'ERROR' },
        order: 'OLDEST_FIRST',
        after: first.data!.falLogs.pageInfo.endCursor,
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
      expect(historyCalls()).toHaveLength(0);
    });
  });

  describe('FalRequest.logs(order: OLDEST_FIRST)', () => {
    let app: FalApp;
    beforeAll(() => {
      app = stack.emulator.fal.apps('demo').find((candidate) => candidate.endpoints.length > 1)!;
    });

    it('reads the first pages of a list of requests oldest first, in one history call', async () => {
      const endpointIds = stack.emulator.fal.apps('demo').map((candidate) => candidate.id);
      const response = await stack.graphql<{
        falRequests: { edges: Array<{ node: { requestId: string; logs: LogsPage } }> };
      }>(
        `query ($endpointIds: [String!]!) {
        falRequests(endpointIds: $endpointIds, first: 30) {
          edges { node { requestId logs(first: 4, order: OLDEST_FIRST) {
            edges { node { timestamp message } } pageInfo { hasNextPage }
          } } }
        }
      }`,
        { endpointIds },
      );
      expect(response.errors).toBeUndefined();
      const requests = response.data!.falRequests.edges.map((edge) => edge.node);
      expect(requests).toHaveLength(30);
      // One shared history call over v1; the legacy API has no IN, so one call per request.
      expect(historyCalls()).toHaveLength(backend.api === 'v1' ? 1 : 30);
      for (const request of requests) {
        const oldestFirst = storedLinesOf(stack, request.requestId).reverse();
        expect(request.logs.edges.map((edge) => edge.node)).toEqual(oldestFirst.slice(0, 4));
        expect(request.logs.pageInfo.hasNextPage).toBe(oldestFirst.length > 4);
      }
    });

    it.each([1, 2, 4])(
      'walks one request oldest first to the end, one history call per page (first=%i)',
      async (first) => {
        const requests = await requestsWithLogs(stack, {
          endpointIds: [app.id],
          first: 12,
          logs: 1,
        });
        const linesOf = (candidate: { requestId: string }) =>
          storedLinesOf(stack, candidate.requestId).length;
        const request = requests.reduce((most, candidate) =>
          linesOf(candidate) > linesOf(most) ? candidate : most,
        );
        expect(linesOf(request)).toBeGreaterThan(2 * first);
        const variables = { endpointId: request.endpointId, requestId: request.requestId, first };
        stack.emulator.resetCalls();
        const lines: Array<{ timestamp: string; message: string }> = [];
        let after: string | null = null;
        let pages = 0;
        for (let hasNextPage = true; hasNextPage; pages += 1) {
          const response: GraphQLResponse<{ falRequest: { logs: LogsPage } }> = await stack.graphql(
            REQUEST_LOGS_QUERY,
            { ...variables, after, order: 'OLDEST_FIRST' },
          );
          expect(response.errors).toBeUndefined();
          const { edges, pageInfo } = response.data!.falRequest.logs;
          lines.push(...edges.map((edge) => edge.node));
          ({ hasNextPage, endCursor: after } = pageInfo);
        }
        expect(lines).toEqual(storedLinesOf(stack, request.requestId).reverse());
        expect(historyCalls()).toHaveLength(pages);
      },
    );

    it('refuses a newest-first cursor in an oldest-first walk, without an upstream call', async () => {
      const requests = await requestsWithLogs(stack, { endpointIds: [app.id], first: 12, logs: 1 });
      const request = requests.find((candidate) => candidate.logs.pageInfo.hasNextPage);
      expect(request).toBeDefined();
      stack.emulator.resetCalls();
      const refused = await stack.graphql(REQUEST_LOGS_QUERY, {
        endpointId: request!.endpointId,
        requestId: request!.requestId,
        after: request!.logs.pageInfo.endCursor,
        order: 'OLDEST_FIRST',
      });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
      expect(historyCalls()).toHaveLength(0);
    });
  });
});
