import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const PAGE_QUERY = `query ($filter: FalLogFilter, $first: Int, $after: String) {
  falLogs(filter: $filter, first: $first, after: $after) {
    edges { cursor node { ${LINE_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Page {
  falLogs: {
    edges: Array<{ cursor: string; node: GatewayLine }>;
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

describe.each(FAL_BACKENDS)('falLogs over the $api backend', (backend) => {
  let stack: Stack;
  let stored: readonly WireLine[];

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
    stored = stack.emulator.fal.lines('demo');
  });
  afterAll(() => stack.close());

  async function walk(
    filter: Record<string, unknown>,
    first: number,
    betweenPages?: (page: number) => void,
  ): Promise<{ lines: GatewayLine[]; pages: number }> {
    const lines: GatewayLine[] = [];
    let after: string | null = null;
    for (let pages = 1; pages < 10_000; pages += 1) {
      const response: GraphQLResponse<Page> = await stack.graphql<Page>(PAGE_QUERY, {
        filter,
        first,
        after,
      });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo } = response.data!.falLogs;
      expect(edges.length).toBeLessThanOrEqual(first);
      if (pageInfo.hasNextPage) expect(edges).toHaveLength(first);
      expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
      lines.push(...edges.map((edge) => edge.node));
      if (!pageInfo.hasNextPage) return { lines, pages };
      betweenPages?.(pages);
      after = pageInfo.endCursor;
    }
    throw new Error('the walk never ended');
  }

  describe('walking falLogs to the end', () => {
    it('has same-timestamp bursts in the data to cross', () => {
      expect(windowAroundBurst(stored, 0).burstSize).toBeGreaterThanOrEqual(20);
    });

    it.each([1, 3, 7, 25, 100])(
      'yields every line in the window exactly once, in upstream order, with first=%i',
      async (first) => {
        const { since, until } = windowAroundBurst(stored, first === 1 ? 30 : 90);
        const expected = linesInWindow(stored, since, until).map(fingerprintOfWire);
        const { lines } = await walk({ since, until }, first);
        expect(lines.map(fingerprintOfGateway)).toEqual(expected);
      },
    );

    it.each([1000, 5000])(
      'serves first=%i from several upstream pages of at most 1000 and loses nothing',
      async (first) => {
        const since = fromMicros(micros(stored.at(-1)!)).iso;
        const until = fromMicros(micros(stored[0]!) + 1000).iso;
        const expected = linesInWindow(stored, since, until).map(fingerprintOfWire);
        expect(expected.length).toBeGreaterThan(first);

        stack.emulator.resetCalls();
        const { lines, pages } = await walk({ since, until }, first);
        expect(lines.map(fingerprintOfGateway)).toEqual(expected);
        const calls = stack.emulator.calls({ route: backend.historyRoute });
        for (const call of calls) expect(Number(call.query.limit?.[0])).toBeLessThanOrEqual(1000);
        expect(pages).toBe(Math.ceil(expected.length / first));
        expect(calls.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 1000));
      },
    );

    it('neither repeats nor admits lines that arrive while walking the default window', async () => {
      const since = fromMicros(micros(stored[0]!) - 2 * 3_600_000_000).iso;
      const expected = linesInWindow(stored, since, '2100-01-01').map(fingerprintOfWire);

      const { lines } = await walk({ since }, 40, (page) => {
        stack.emulator.fal.appendLines(
          'demo',
          Array.from({ length: 25 }, (_, i) => ({ message: `arrived during page ${page} #${i}` })),
        );
      });
      expect(lines.map(fingerprintOfGateway)).toEqual(expected);
    });

    it('starts the default window 24 hours before now and pins its end in the cursor', async () => {
      stack.emulator.resetCalls();
      const before = Date.now();
      const first = await stack.graphql<Page>(PAGE_QUERY, { first: 2 });
      const after = Date.now();
      const [call] = stack.emulator.calls({ route: backend.historyRoute });
      const { start, end } = backend.windowOf(call!);
      expect(end).toBeGreaterThanOrEqual(before * 1000);
      expect(end).toBeLessThanOrEqual(after * 1000);
      expect(end - start).toBe(24 * 3_600_000_000);

      stack.emulator.resetCalls();
      await new Promise((resolve) => setTimeout(resolve, 20));
      await stack.graphql<Page>(PAGE_QUERY, {
        first: 2,
        after: first.data!.falLogs.pageInfo.endCursor,
      });
      const [next] = stack.emulator.calls({ route: backend.historyRoute });
      expect(backend.windowOf(next!).start).toBe(start);
      expect(backend.windowOf(next!).end).toBeLessThanOrEqual(end);
    });

    it('reports an empty window as an empty last page', async () => {
      const response = await stack.graphql<Page>(PAGE_QUERY, {
        filter: { since: '2001-01-01', until: '2001-01-02' },
      });
      expect(response.data!.falLogs).toEqual({
        edges: [],
        pageInfo: {
          hasNextPage: false,
          hasPreviousPage: false,
          startCursor: null,
          endCursor: null,
        },
      });
    });
  });
});
