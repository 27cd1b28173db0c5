import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  DIFY_AUTH,
  FAL_AUTH,
  startStack,
  type GraphQLResponse,
  type Stack,
  BOTH_KEYS,
} from '../support/stack.js';
import {
  eventOf,
  storedTimeline,
  TIMELINE_PAGE,
  walkTimeline,
  type TimelinePage,
} from '../support/timeline.js';

const HOUR = 3_600_000;
const ENDPOINTS = ['acme/flux-studio'];
const INCLUDED = { falLogs: true, falRequests: ENDPOINTS, workflowRuns: true };

/** Two hours of history ending an hour ago: a few hundred events of all three sources. */
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

function expectRefused(response: GraphQLResponse<TimelinePage>, message: string | RegExp) {
  expect(response.data?.timeline ?? null).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors![0]!.message).toMatch(message);
  expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
}

describe('Query.timeline input, credentials and upstream failures', () => {
  let stack: Stack;
  const ask = (variables: Record<string, unknown>, headers: Record<string, string> = BOTH_KEYS) =>
    stack.graphql<TimelinePage>(TIMELINE_PAGE, variables, headers);

  beforeAll(async () => {
    stack = await startStack({
      env: { UPSTREAM_RETRY_ATTEMPTS: '1' },
    });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  describe('refuses bad input with BAD_USER_INPUT naming it, before any upstream call', () => {
    const window = pastWindow();
    it.each([
      [
        'no source at all',
        { filter: { ...window } },
        /^Invalid argument filter: include at least one source/,
      ],
      [
        'a since on the falLogs filter',
        { filter: { ...everySource(window), falLogs: { since: window.since } } },
        /filter\.falLogs\.since: must be unset: the timeline's own since/,
      ],
      [
        'an until on the workflowRuns filter',
        { filter: { ...everySource(window), workflowRuns: { until: window.until } } },
        /filter\.workflowRuns\.until: must be unset/,
      ],
      [
        'status PENDING on the falRequests filter',
        {
          filter: {
            ...everySource(window),
            falRequests: { endpointIds: ENDPOINTS, status: 'PENDING' },
          },
        },
        /filter\.falRequests\.status: PENDING cannot be filtered on/,
      ],
      [
        'no endpoint id',
        { filter: { ...everySource(window), falRequests: { endpointIds: [] } } },
        /filter\.falRequests\.endpointIds: needs at least one endpoint id/,
      ],
      [
        'an endpoint id that could change the upstream path',
        { filter: { ...everySource(window), falRequests: { endpointIds: ['acme/../x'] } } },
        /filter\.falRequests\.endpointIds\.0: must be an endpoint id/,
      ],
      [
        'a bad app id in the falLogs filter',
        { filter: { ...everySource(window), falLogs: { appIds: ['acme'] } } },
        /filter\.falLogs\.appIds\.0: must be an app id/,
      ],
      [
        'a keyword Dify would cut short',
        { filter: { ...everySource(window), workflowRuns: { keyword: 'x'.repeat(31) } } },
        /filter\.workflowRuns\.keyword: must be at most 30 characters/,
      ],
      [
        'an until before since',
        { filter: { ...everySource(window), since: window.until, until: window.since } },
        /filter\.until: must be later than since/,
      ],
      [
        'first 0',
        { filter: everySource(window), first: 0 },
        'Invalid argument first: must be 1 to 500, got 0',
      ],
      [
        'first 501',
        { filter: everySource(window), first: 501 },
        'Invalid argument first: must be 1 to 500, got 501',
      ],
      [
        'a cursor that is not one',
        { filter: everySource(window), after: 'bm90LWEtY3Vyc29y' },
        /^after: /,
      ],
    ])('%s', async (_, variables, message) => {
      expectRefused(await ask(variables), message);
      expect(stack.emulator.calls()).toEqual([]);
    });

    it('refuses a cursor used with another filter, and one of another connection', async () => {
      const first = await ask({ filter: everySource(window), first: 2 });
      const after = first.data!.timeline!.pageInfo.endCursor;
      stack.emulator.resetCalls();
      const otherFilter = { ...everySource(window), workflowRuns: { status: 'FAILED' } };
      expectRefused(
        await ask({ filter: otherFilter, after }),
        'after: the cursor was issued for a different filter',
      );
      const withoutDify = { ...everySource(window), workflowRuns: undefined };
      expectRefused(
        await ask({ filter: withoutDify, after }),
        'after: the cursor was issued for a different filter',
      );

      const falLogs = await stack.graphql<{ falLogs: { pageInfo: { endCursor: string } } }>(
        '{ falLogs(first: 1) { pageInfo { endCursor } } }',
      );
      stack.emulator.resetCalls();
      expectRefused(
        await ask({ filter: everySource(window), after: falLogs.data!.falLogs.pageInfo.endCursor }),
        /^after: not a timeline cursor/,
      );
      expect(stack.emulator.calls()).toEqual([]);
    });

    it('refuses an account email Dify does not know, naming it', async () => {
      const response = await ask({
        filter: { ...everySource(window), workflowRuns: { accountEmail: 'nobody@acme.example' } },
      });
      expectRefused(
        response,
        'filter.workflowRuns.accountEmail: no member of the Dify workspace has the email "nobody@acme.example"',
      );
    });
  });

  describe('a source whose credential the request lacks', () => {
    it('is listed in unavailable and the others are served, walked to the end', async () => {
      const window = pastWindow();
      const { events, pages } = await walkTimeline(stack, everySource(window), 40, {
        headers: FAL_AUTH,
      });
      expect(events).toEqual(
        await storedTimeline(stack, window, { falLogs: true, falRequests: ENDPOINTS }),
      );
      for (const page of pages) {
        expect(page.unavailable).toEqual([
          {
            source: 'DIFY_WORKFLOWS',
            code: 'UNAUTHENTICATED',
            message: expect.stringMatching(/^No dify credential: send /) as string,
          },
        ]);
      }
      expect(stack.emulator.calls({ source: 'dify' })).toEqual([]);
    });

    it('leaves both fal sources out without a fal key', async () => {
      const response = await ask({ filter: everySource(pastWindow()), first: 30 }, DIFY_AUTH);
      expect(response.errors).toBeUndefined();
      const { edges, unavailable } = response.data!.timeline!;
      expect(new Set(edges.map((edge) => edge.source))).toEqual(new Set(['DIFY_WORKFLOWS']));
      expect(unavailable.map((each) => [each.source, each.code])).toEqual([
        ['FAL_LOGS', 'UNAUTHENTICATED'],
        ['FAL_REQUESTS', 'UNAUTHENTICATED'],
      ]);
      expect(stack.emulator.calls({ source: 'fal' })).toEqual([]);
    });

    it('gives an empty last page listing every source when no source has a key', async () => {
      const response = await ask({ filter: everySource(pastWindow()) }, {});
      expect(response.errors).toBeUndefined();
      expect(response.data!.timeline).toEqual({
        edges: [],
        pageInfo: {
          hasNextPage: false,
          hasPreviousPage: false,
          startCursor: null,
          endCursor: null,
        },
        unavailable: [
          expect.objectContaining({ source: 'FAL_LOGS', code: 'UNAUTHENTICATED' }),
          expect.objectContaining({ source: 'FAL_REQUESTS', code: 'UNAUTHENTICATED' }),
          expect.objectContaining({ source: 'DIFY_WORKFLOWS', code: 'UNAUTHENTICATED' }),
        ],
      });
      expect(stack.emulator.calls()).toEqual([]);
    });

    it('stays out of a walk it was left out of when its key comes on a later page', async () => {
      const window = pastWindow();
      const first = await ask({ filter: everySource(window), first: 5 }, FAL_AUTH);
      stack.emulator.resetCalls();
      const next = await ask({
        filter: everySource(window),
        first: 5,
        after: first.data!.timeline!.pageInfo.endCursor,
      });
      expect(next.errors).toBeUndefined();
      expect(next.data!.timeline!.edges.map((edge) => edge.source)).not.toContain('DIFY_WORKFLOWS');
      expect(next.data!.timeline!.unavailable).toEqual([
        {
          source: 'DIFY_WORKFLOWS',
          code: 'UNAUTHENTICATED',
          message:
            'Left out of this walk: its first page had no dify credential. Start again without `after` to include it.',
        },
      ]);
      expect(stack.emulator.calls({ source: 'dify' })).toEqual([]);
    });

    it('fails a later page with UNAUTHENTICATED, without a call, when a walked source lost its key; with it the walk goes on', async () => {
      const window = pastWindow();
      const expected = await storedTimeline(stack, window, INCLUDED);
      const events: string[] = [];
      let after: string | null = null;
      for (let page = 1; ; page += 1) {
        if (page === 3) {
          stack.emulator.resetCalls();
          const refused = await ask({ filter: everySource(window), first: 60, after }, FAL_AUTH);
          expect(refused.data).toEqual({ timeline: null });
          expect(refused.errors).toEqual([
            expect.objectContaining({
              path: ['timeline'],
              extensions: expect.objectContaining({
                code: 'UNAUTHENTICATED',
                source: 'dify',
              }) as object,
            }),
          ]);
          expect(stack.emulator.calls()).toEqual([]);
        }
        const response = await ask({ filter: everySource(window), first: 60, after });
        expect(response.errors).toBeUndefined();
        const { edges, pageInfo } = response.data!.timeline!;
        events.push(...edges.map(eventOf));
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
      expect(events).toEqual(expected);
    });
  });

  it('fails the field when an upstream fails, and the same cursor retried continues the walk', async () => {
    const window = pastWindow();
    const expected = await storedTimeline(stack, window, INCLUDED);
    // One failure of each source's route on the first pages, while every source is still read.
    const failures = [
      ['workflows.logs', 'dify'],
      ['requests.byEndpoint', 'fal'],
      ['logs.history', 'fal'],
    ] as const;
    const events: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page += 1) {
      const failure = failures[page];
      if (failure) {
        stack.emulator.setFault(failure[0], { status: 500, times: 1 });
        const failed = await ask({ filter: everySource(window), first: 45, after });
        expect(failed.data).toEqual({ timeline: null });
        expect(failed.errors![0]!.extensions).toMatchObject({
          code: 'UPSTREAM_ERROR',
          source: failure[1],
          upstreamStatus: 500,
        });
      }
      const response = await ask({ filter: everySource(window), first: 45, after });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo } = response.data!.timeline!;
      events.push(...edges.map(eventOf));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(events).toEqual(expected);
  });
});

describe('Query.timeline over the legacy fal backend', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ falLogsApi: 'legacy' });
  });
  afterAll(() => stack.close());

  it.each([
    ['a run source', { runSource: 'GATEWAY' }, /^filter\.falLogs\.runSource: the fal logs backend/],
    [
      'two conditions on one label key',
      {
        labels: [
          { key: 'source', values: ['a'] },
          { key: 'source', values: ['b'] },
        ],
      },
      /^filter\.falLogs\.labels: the fal logs backend .* "source" has several/,
    ],
  ])(
    'refuses %s in the falLogs filter, naming it, before any call',
    async (_, falLogs, message) => {
      const response = await stack.graphql<TimelinePage>(
        TIMELINE_PAGE,
        { filter: { ...everySource(pastWindow()), falLogs } },
        BOTH_KEYS,
      );
      expectRefused(response, message);
      expect(stack.emulator.calls()).toEqual([]);
    },
  );
});
