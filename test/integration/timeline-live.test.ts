import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT, FEED_ENV, metric, nextPolls, sendFalRequest } from '../support/feeds.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack, BOTH_KEYS } from '../support/stack.js';

const TIMELINE = `subscription ($filter: TimelineFilter!) {
  timeline(filter: $filter) {
    at
    source
    change
    node {
      __typename
      ... on FalLogLine { message }
      ... on FalRequest { requestId status }
      ... on WorkflowLog { logId workflowRun { status } }
    }
  }
}`;

interface Update {
  at: string;
  source: string;
  change: string | null;
  node: {
    __typename: string;
    message?: string;
    requestId?: string;
    status?: string | null;
    logId?: string;
    workflowRun?: { status: string } | null;
  };
}
const pickUpdate = (data: Record<string, unknown>) => data.timeline as Update;
const describeUpdate = ({ source, change, node }: Update) =>
  `${source} ${change ?? '-'} ${node.__typename} ${node.message ?? node.requestId ?? node.logId}`;

const ALL_SOURCES = {
  falLogs: {},
  falRequests: { endpointIds: [ENDPOINT] },
  workflowRuns: {},
};

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: FEED_ENV });
});
afterAll(() => stack.close());
const openClients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const open of openClients.splice(0)) open.dispose();
  stack.emulator.clearFaults();
  await until(async () => (await metric(stack, 'gateway_open_subscriptions')) === 0);
  await until(() => stack.emulator.openStreams() === 0);
  stack.emulator.resetCalls();
});

function follow(
  filter: Record<string, unknown>,
  headers: Record<string, string> = BOTH_KEYS,
  mode: 'distinct' | 'single' = 'distinct',
) {
  const client = sseClient(stack.url, mode, headers);
  openClients.push(client);
  return subscribe(client, TIMELINE, { filter }, pickUpdate);
}

describe('Subscription.timeline', () => {
  it('merges the fal tail, fal requests and Dify runs in the order they arrive', async () => {
    const timeline = follow(ALL_SOURCES);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the fal stream');
    await nextPolls(stack, 'workflows.logs');
    await nextPolls(stack, 'requests.byEndpoint');

    const expected: string[] = [];
    const next = async (happen: () => string) => {
      expected.push(happen());
      await timeline.waitFor(expected.length);
    };
    await next(() => {
      const row = stack.emulator.dify.insertRuns('demo', [
        { status: 'running', orphaned: false },
      ])[0]!;
      return `DIFY_WORKFLOWS STARTED WorkflowLog ${row.id}`;
    });
    const request = sendFalRequest(stack);
    await next(() => `FAL_REQUESTS STARTED FalRequest ${request.requestId}`);
    const [line] = await appendLiveLines(stack.emulator, 1, 'timeline line');
    expected.push(`FAL_LOGS - FalLogLine ${line!.message}`);
    await timeline.waitFor(expected.length);
    await next(() => {
      request.finish(200);
      return `FAL_REQUESTS FINISHED FalRequest ${request.requestId}`;
    });
    await nextPolls(stack, 'workflows.logs', 3);
    expect(timeline.values.map(describeUpdate)).toEqual(expected);
    expect(timeline.errors).toEqual([]);
    expect(timeline.values[1]!.node.status).toBe('PENDING');
    expect(timeline.values[3]!.node.status).toBe('SUCCESS');
    expect(timeline.values[2]!.at).toBe(new Date(line!.timestamp).toISOString());
    expect(await metric(stack, 'gateway_open_subscriptions')).toBe(1);
  });

  it('shares its fal tail with an identical falLogs subscription, and its feeds with identical feeds', async () => {
    const client = sseClient(stack.url, 'single', BOTH_KEYS);
    openClients.push(client);
    subscribe(client, 'subscription { falLogs { message } }', {}, (data) => data);
    subscribe(client, 'subscription { workflowRuns { change } }', {}, (data) => data);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the fal stream');
    follow({ falLogs: {}, workflowRuns: {} }, BOTH_KEYS, 'single');
    await until(async () => (await metric(stack, 'gateway_open_subscriptions')) === 3);
    await nextPolls(stack, 'workflows.logs');
    expect(stack.emulator.openStreams()).toBe(1);
    expect(await metric(stack, 'gateway_feed_pollers{source="dify"}')).toBe(1);
  });

  it('with since, replays each source from there before going on live', async () => {
    const since = new Date(Date.now() - 10 * 60_000).toISOString();
    const runs = stack.emulator.dify
      .logs('demo')
      .filter((row) => row.workflow_run && row.created_at * 1000 >= Date.parse(since));
    const lines = stack.emulator.fal
      .lines('demo')
      .filter((line) => line.timestamp >= since && Date.parse(line.timestamp) <= Date.now());
    const timeline = follow({ since, falLogs: {}, workflowRuns: {} });
    await timeline.waitFor(runs.length + lines.length);
    const bySource = (source: string) =>
      timeline.values.filter((update) => update.source === source);
    expect(
      bySource('DIFY_WORKFLOWS')
        .map((update) => update.node.logId)
        .sort(),
    ).toEqual(runs.map((row) => row.id).sort());
    expect(bySource('FAL_LOGS').map((update) => update.node.message)).toEqual(
      lines.toReversed().map((line) => line.message),
    );
  });

  it('ends with the error of a source that fails for good, and stops the others', async () => {
    const timeline = follow(ALL_SOURCES);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the fal stream');
    await nextPolls(stack, 'workflows.logs');
    stack.emulator.setFault('workflows.logs', { status: 500 });
    await timeline.ended;
    expect(timeline.errors).toMatchObject([
      { extensions: { code: 'UPSTREAM_ERROR', source: 'dify' } },
    ]);
    await until(() => stack.emulator.openStreams() === 0, 1_000, 'the fal stream to close');
    await until(async () => (await metric(stack, 'gateway_feed_pollers{source="fal"}')) === 0);
  });

  it('refuses a source without its key, and bad input, before any upstream call', async () => {
    const cases = [
      [FAL_AUTH, ALL_SOURCES, 'UNAUTHENTICATED', 'dify'],
      [
        DIFY_AUTH,
        { workflowRuns: {}, falRequests: { endpointIds: [ENDPOINT] } },
        'UNAUTHENTICATED',
        'fal',
      ],
      [BOTH_KEYS, { ...ALL_SOURCES, until: '2030-01-01' }, 'BAD_USER_INPUT', 'filter.until'],
      [BOTH_KEYS, { falLogs: { since: '2025-01-01' } }, 'BAD_USER_INPUT', 'filter.falLogs.since'],
      [
        BOTH_KEYS,
        { workflowRuns: { until: '2030-01-01' } },
        'BAD_USER_INPUT',
        'filter.workflowRuns.until',
      ],
      [
        BOTH_KEYS,
        { falRequests: { endpointIds: [ENDPOINT], status: 'PENDING' } },
        'BAD_USER_INPUT',
        'filter.falRequests.status',
      ],
      [BOTH_KEYS, { since: '2025-01-01' }, 'BAD_USER_INPUT', 'at least one source'],
    ] as const;
    for (const [headers, filter, code, named] of cases) {
      const timeline = follow(filter, headers, 'single');
      await timeline.ended;
      expect(timeline.values).toEqual([]);
      const [error] = timeline.errors as Array<{
        message: string;
        extensions: Record<string, unknown>;
      }>;
      expect(error?.extensions.code).toBe(code);
      if (code === 'UNAUTHENTICATED') expect(error?.extensions.source).toBe(named);
      else expect(error?.message).toContain(named);
    }
    expect(stack.emulator.calls()).toEqual([]);
    expect(stack.emulator.openStreams()).toBe(0);
  });
});
