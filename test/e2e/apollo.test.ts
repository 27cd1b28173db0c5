import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FalLogsOldestFirstDocument,
  FalLogsPageDocument,
  FalRequestsWithLogsDocument,
  TailFalLogsDocument,
  TimelineDocument,
  TimelineLiveDocument,
  WorkflowLogsWithRunsDocument,
} from '../generated/graphql.js';
import { createApolloClient, fetchEveryPage } from '../support/apollo.js';
import {
  fingerprintOfGateway,
  fingerprintOfWire,
  largestBurst,
  linesInWindow,
} from '../support/fal-lines.js';
import { storedLinesOf, upstreamRequests } from '../support/fal-requests.js';
import { appendLiveLines } from '../support/live-lines.js';
import { seedSameInstant, storedEvents } from '../support/timeline.js';
import { metric, nextPolls, sendFalRequest } from '../support/feeds.js';
import { until } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack, BOTH_KEYS } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { DIFY_POLL_INTERVAL_MS: '50', FAL_REQUESTS_POLL_INTERVAL_MS: '50' },
  });
});
afterAll(() => stack.close());

describe('Apollo Client queries with relayStylePagination and fetchMore', () => {
  it('merges falLogs pages into one newest-first list holding every stored line once', async () => {
    const stored = stack.emulator.fal.lines('demo');
    const burst = largestBurst(stored);
    const since = stored[burst.index + burst.size + 60]!.timestamp;
    const until = stored[Math.max(0, burst.index - 60)]!.timestamp;
    const expected = linesInWindow(stored, since, until);
    const first = 17;

    const { data, pages } = await fetchEveryPage(
      createApolloClient(stack.url, FAL_AUTH),
      FalLogsPageDocument,
      { filter: { since, until }, first },
      (page) => page.falLogs?.pageInfo,
    );

    expect(pages).toBe(Math.ceil(expected.length / first));
    const lines = data.falLogs!.edges.map((edge) => edge.node);
    expect(lines.map(fingerprintOfGateway)).toEqual(expected.map(fingerprintOfWire));
  });

  it('keeps a newest-first and an oldest-first falLogs list apart in one cache', async () => {
    const stored = stack.emulator.fal.lines('demo');
    const burst = largestBurst(stored);
    const since = stored[burst.index + burst.size + 30]!.timestamp;
    const until = stored[Math.max(0, burst.index - 30)]!.timestamp;
    const expected = linesInWindow(stored, since, until).map(fingerprintOfWire);
    const client = createApolloClient(stack.url, FAL_AUTH);
    const listOf = (order: 'NEWEST_FIRST' | 'OLDEST_FIRST') =>
      fetchEveryPage(
        client,
        FalLogsOldestFirstDocument,
        { filter: { since, until }, first: 13, order },
        (page) => page.falLogs?.pageInfo,
      );

    await listOf('NEWEST_FIRST');
    await listOf('OLDEST_FIRST');
    const cached = (order: 'NEWEST_FIRST' | 'OLDEST_FIRST') =>
      client
        .readQuery({
          query: FalLogsOldestFirstDocument,
          variables: { filter: { since, until }, first: 13, order },
        })!
        .falLogs!.edges.map((edge) => edge.node.message);
    const messages = expected.map((line) => line.split('|')[3]);
    expect(cached('NEWEST_FIRST')).toEqual(messages);
    expect(cached('OLDEST_FIRST')).toEqual([...messages].reverse());
  });

  it('merges workflow log pages with their runs, every stored log once, newest first', async () => {
    const stored = stack.emulator.dify.logs('demo');

    const { data, pages } = await fetchEveryPage(
      createApolloClient(stack.url, DIFY_AUTH),
      WorkflowLogsWithRunsDocument,
      { first: 40 },
      (page) => page.workflowLogs?.pageInfo,
    );

    expect(pages).toBe(Math.ceil(stored.length / 40));
    expect(data.workflowLogs!.totalCount).toBe(stored.length);
    const logs = data.workflowLogs!.edges.map((edge) => edge.node);
    expect(logs.map((log) => log.logId)).toEqual(stored.map((row) => row.id));
    for (const [index, log] of logs.entries()) {
      const storedRun = stored[index]!.workflow_run;
      expect(log.workflowRun?.runId).toBe(storedRun?.id);
      if (storedRun) {
        expect(log.workflowRun!.statusRaw).toBe(storedRun.status);
        expect(log.workflowRun!.outputs).toEqual(
          stack.emulator.dify.run('demo', storedRun.id)!.outputs,
        );
      }
    }
  });

  it('merges timeline pages into one newest-first list of fal lines, requests and workflow runs', async () => {
    const until = Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000;
    const window = {
      since: new Date(until - 3_600_000).toISOString(),
      until: new Date(until).toISOString(),
    };
    seedSameInstant(
      stack,
      until - 1_800_000,
      { lines: 4, requests: 4, runs: 4 },
      'acme/flux-studio',
    );
    const filter = {
      ...window,
      falLogs: {},
      falRequests: { endpointIds: ['acme/flux-studio'] },
      workflowRuns: {},
    };
    const expected = await storedEvents(stack, window, {
      falLogs: true,
      falRequests: ['acme/flux-studio'],
      workflowRuns: true,
    });

    const { data, pages } = await fetchEveryPage(
      createApolloClient(stack.url, BOTH_KEYS),
      TimelineDocument,
      { filter, first: 30 },
      (page) => page.timeline?.pageInfo,
    );

    expect(pages).toBe(Math.ceil(expected.length / 30));
    expect(data.timeline!.unavailable).toEqual([]);
    const events = data.timeline!.edges.map(({ source, at, node }) => {
      const label =
        node.__typename === 'FalLogLine'
          ? node.message
          : node.__typename === 'FalRequest'
            ? node.requestId
            : node.logId;
      return { source, at, label, typename: node.__typename };
    });
    expect(events).toEqual(
      expected.map(({ source, at, label }) => ({
        source,
        at,
        label,
        typename: {
          FAL_LOGS: 'FalLogLine',
          FAL_REQUESTS: 'FalRequest',
          DIFY_WORKFLOWS: 'WorkflowLog',
        }[source],
      })),
    );
  });

  it('merges request pages, each request with its newest log lines', async () => {
    const endpointId = 'acme/flux-studio';
    const stored = await upstreamRequests(stack, { endpoint_id: endpointId });

    const { data, pages } = await fetchEveryPage(
      createApolloClient(stack.url, FAL_AUTH),
      FalRequestsWithLogsDocument,
      { endpointIds: [endpointId], first: 25, logsPerRequest: 3 },
      (page) => page.falRequests?.pageInfo,
    );

    expect(pages).toBe(Math.ceil(stored.length / 25));
    const requests = data.falRequests!.edges.map((edge) => edge.node);
    expect(requests.map((request) => request.requestId)).toEqual(
      stored.map((row) => row.request_id),
    );
    for (const request of requests) {
      const newestLines = storedLinesOf(stack, request.requestId).slice(0, 3);
      expect(request.logs!.edges.map((edge) => edge.node.message)).toEqual(
        newestLines.map((line) => line.message),
      );
    }
  });
});

describe.each(['distinct', 'single'] as const)(
  'Apollo Client subscriptions through the split link (graphql-sse, %s connections)',
  (mode) => {
    it('receives live lines in order and closes the upstream tail on unsubscribe', async () => {
      const client = createApolloClient(stack.url, FAL_AUTH, mode);
      const messages: string[] = [];
      const errors: unknown[] = [];
      const subscription = client.subscribe({ query: TailFalLogsDocument }).subscribe({
        next: ({ data, error }) => {
          if (error) errors.push(error);
          if (data) messages.push(data.falLogs.message);
        },
        error: (error: unknown) => errors.push(error),
      });
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');

      const sent = [
        ...(await appendLiveLines(stack.emulator, 4, `apollo ${mode} a`)),
        ...(await appendLiveLines(stack.emulator, 4, `apollo ${mode} b`)),
      ];
      await until(() => messages.length >= sent.length, 5_000, 'the live lines');

      expect(messages).toEqual(sent.map((line) => line.message));
      expect(errors).toEqual([]);
      subscription.unsubscribe();
      await until(() => stack.emulator.openStreams() === 0, 1_000, 'the upstream to close');
    });

    it('follows the example live timeline and closes its upstreams on unsubscribe', async () => {
      const client = createApolloClient(stack.url, BOTH_KEYS, mode);
      const updates: string[] = [];
      const errors: unknown[] = [];
      const subscription = client.subscribe({ query: TimelineLiveDocument }).subscribe({
        next: ({ data, error }) => {
          if (error) errors.push(error);
          const update = data?.timeline;
          if (!update) return;
          const { node } = update;
          const id =
            node.__typename === 'FalLogLine'
              ? node.message
              : node.__typename === 'FalRequest'
                ? node.requestId
                : node.logId;
          updates.push(`${update.source} ${update.change ?? '-'} ${id}`);
        },
        error: (error: unknown) => errors.push(error),
      });
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      await nextPolls(stack, 'workflows.logs');
      await nextPolls(stack, 'requests.byEndpoint');

      const [row] = stack.emulator.dify.insertRuns('demo', [
        { status: 'running', orphaned: false },
      ]);
      await until(() => updates.length === 1, 5_000, 'the run');
      const request = sendFalRequest(stack);
      await until(() => updates.length === 2, 5_000, 'the request');
      const [line] = await appendLiveLines(stack.emulator, 1, `apollo ${mode} timeline`);
      await until(() => updates.length === 3, 5_000, 'the line');

      expect(updates).toEqual([
        `DIFY_WORKFLOWS STARTED ${row!.id}`,
        `FAL_REQUESTS STARTED ${request.requestId}`,
        `FAL_LOGS - ${line!.message}`,
      ]);
      expect(errors).toEqual([]);
      subscription.unsubscribe();
      await until(() => stack.emulator.openStreams() === 0, 1_000, 'the upstream to close');
      await until(
        async () =>
          (await metric(stack, 'gateway_feed_pollers{source="dify"}')) +
            (await metric(stack, 'gateway_feed_pollers{source="fal"}')) ===
          0,
        1_000,
        'the pollers to stop',
      );
    });
  },
);
