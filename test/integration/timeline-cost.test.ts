import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Route } from '../../src/emulator/index.js';
import {
  FAL_BACKENDS,
  startStack,
  type GraphQLResponse,
  type Stack,
  BOTH_KEYS,
} from '../support/stack.js';
import { seedSameInstant, storedTimeline } from '../support/timeline.js';

const HOUR = 3_600_000;
const ENDPOINTS = ['acme/flux-studio'];

/** Two hours of history ending an hour ago. */
function pastWindow() {
  const until = Math.floor(Date.now() / 1000) * 1000 - HOUR;
  return { since: new Date(until - 2 * HOUR).toISOString(), until: new Date(until).toISOString() };
}

const everySource = (window: { since: string; until: string }) => ({
  ...window,
  falLogs: {},
  falRequests: { endpointIds: ENDPOINTS },
  workflowRuns: {},
});

const query = (node: string) => `query ($filter: TimelineFilter!, $first: Int, $after: String) {
  timeline(filter: $filter, first: $first, after: $after) {
    edges { source ${node} }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  timeline: {
    edges: Array<{ source: string; node?: Node }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

interface Node {
  __typename?: string;
  workflowRun?: { runId: string } | null;
}

describe.each(FAL_BACKENDS)(
  'the upstream cost of timeline pages over the $api fal backend',
  (backend) => {
    let stack: Stack;
    const sourceRoutes: Record<string, Route> = {
      FAL_LOGS: backend.historyRoute,
      FAL_REQUESTS: 'requests.byEndpoint',
      DIFY_WORKFLOWS: 'workflows.logs',
    };
    const callsTo = (route: Route) => stack.emulator.calls({ route });

    beforeAll(async () => {
      stack = await startStack({ falLogsApi: backend.api });
    });
    afterAll(() => stack.close());
    beforeEach(() => stack.emulator.resetCalls());

    it('reads each source at most once a page of 50, and a source no more once it is done', async () => {
      const window = pastWindow();
      const expected = await storedTimeline(stack, window, {
        falLogs: true,
        falRequests: ENDPOINTS,
        workflowRuns: true,
      });
      const left = new Map(Object.keys(sourceRoutes).map((source) => [source, 0]));
      for (const event of expected) {
        const source = event.split('|')[0]!;
        left.set(source, left.get(source)! + 1);
      }
      let after: string | null = null;
      let pages = 0;
      do {
        stack.emulator.resetCalls();
        const response: GraphQLResponse<Page> = await stack.graphql<Page>(
          query(''),
          { filter: everySource(window), first: 50, after },
          BOTH_KEYS,
        );
        expect(response.errors).toBeUndefined();
        pages += 1;
        for (const [source, route] of Object.entries(sourceRoutes)) {
          const calls = callsTo(route).length;
          expect(calls, `${source} on page ${pages}`).toBeLessThanOrEqual(1);
          if (left.get(source) === 0) expect(calls, `${source} on page ${pages}`).toBe(0);
        }
        const { edges, pageInfo } = response.data!.timeline;
        for (const edge of edges) left.set(edge.source, left.get(edge.source)! - 1);
        after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      } while (after);
      expect(pages).toBe(Math.ceil(expected.length / 50));
      expect([...left.values()]).toEqual([0, 0, 0]);
    });

    describe('a page where all three sources meet', () => {
      // 20 events of each source at one instant: a page of 60 holds them all.
      const at = Math.floor(Date.now() / 1000) * 1000 - 5 * HOUR;
      const window = {
        since: new Date(at).toISOString(),
        until: new Date(at + 1000).toISOString(),
      };
      const page = (node: string) =>
        stack.graphql<Page>(query(node), { filter: everySource(window), first: 60 }, BOTH_KEYS);

      beforeAll(() => {
        seedSameInstant(stack, at, { lines: 20, requests: 20, runs: 20 }, 'acme/flux-studio');
      });

      it('reads every source whatever the selection, with no expansion when none is selected', async () => {
        const response = await page('');
        expect(response.errors).toBeUndefined();
        expect(response.data!.timeline.edges.map((edge) => edge.source)).toEqual([
          ...Array<string>(20).fill('FAL_LOGS'),
          ...Array<string>(20).fill('FAL_REQUESTS'),
          ...Array<string>(20).fill('DIFY_WORKFLOWS'),
        ]);
        for (const route of Object.values(sourceRoutes)) expect(callsTo(route)).toHaveLength(1);
        expect(callsTo('requests.byEndpoint')[0]!.query.expand).toBeUndefined();
        expect(callsTo('workflows.run')).toHaveLength(0);
      });

      it('reads requests with the expansions their selected fields need, in the same call', async () => {
        const response = await page('node { ... on FalRequest { input billableUnits } }');
        expect(response.errors).toBeUndefined();
        const calls = callsTo('requests.byEndpoint');
        expect(calls).toHaveLength(1);
        expect([...calls[0]!.query.expand!].sort()).toEqual(['billing', 'payloads']);
      });

      it('reads the first logs of all the page’s requests together, as falRequests does', async () => {
        const response = await page(
          'node { ... on FalRequest { logs(first: 2) { edges { node { message } } } } }',
        );
        expect(response.errors).toBeUndefined();
        // One read for the timeline's own log lines, then the requests' logs: one shared call
        // over v1, one call per request over legacy.
        expect(callsTo(backend.historyRoute)).toHaveLength(backend.api === 'v1' ? 2 : 1 + 20);
      });

      it('reads a run’s detail once per run of the page, only when its inputs are selected', async () => {
        const response = await page('node { ... on WorkflowLog { workflowRun { runId inputs } } }');
        expect(response.errors).toBeUndefined();
        const runs = new Set(
          response.data!.timeline.edges.flatMap((edge) =>
            edge.node?.workflowRun ? [edge.node.workflowRun.runId] : [],
          ),
        );
        expect(runs.size).toBe(20);
        expect(callsTo('workflows.run')).toHaveLength(20);
      });
    });
  },
);
