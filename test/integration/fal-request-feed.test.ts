import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import {
  ENDPOINT,
  FEED_ENV,
  metric,
  nextPolls,
  pollsStopped,
  sendFalRequest,
} from '../support/feeds.js';
import { sseClient, subscribe, until, type Received } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const feedOf = (
  fields: string,
) => `subscription ($endpointIds: [String!]!, $filter: FalRequestFilter) {
  falRequests(endpointIds: $endpointIds, filter: $filter) {
    change
    request { requestId endpointId status statusCode sentAt endedAt ${fields} }
  }
}`;
const FEED = feedOf('');
/** `output` costs a call per event: only where a test looks at it. */
const FEED_WITH_OUTPUT = feedOf('output');

interface RequestEvent {
  change: string;
  request: {
    requestId: string;
    status: string | null;
    endedAt: string | null;
    output: unknown;
  };
}
const pickEvent = (data: Record<string, unknown>) => data.falRequests as RequestEvent;
const summary = (events: readonly RequestEvent[]) =>
  events.map(({ change, request }) => `${request.requestId}:${change}:${request.status}`);
const ROUTE = 'requests.byEndpoint';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: FEED_ENV });
});
afterAll(() => stack.close());
const openClients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const open of openClients.splice(0)) open.dispose();
  stack.emulator.clearFaults();
  await pollsStopped(stack, ROUTE);
  stack.emulator.resetCalls();
});

async function follow(
  variables: Record<string, unknown> = { endpointIds: [ENDPOINT] },
  document = FEED,
) {
  const client = sseClient(stack.url, 'distinct', FAL_AUTH);
  openClients.push(client);
  const feed = subscribe(client, document, variables, pickEvent);
  await nextPolls(stack, ROUTE);
  return feed;
}

async function settled<T>(feed: Received<T>, count: number): Promise<T[]> {
  await feed.waitFor(count);
  await nextPolls(stack, ROUTE, 3);
  expect(feed.values).toHaveLength(count);
  expect(feed.errors).toEqual([]);
  return feed.values;
}

describe('Subscription.falRequests', () => {
  it('delivers STARTED when a request is first seen pending and FINISHED when it ends, once each', async () => {
    const feed = await follow(undefined, FEED_WITH_OUTPUT);
    const slow = sendFalRequest(stack);
    await feed.waitFor(1);
    const quick = sendFalRequest(stack, `${ENDPOINT}/turbo`);
    quick.finish(500);
    await feed.waitFor(2);
    slow.finish(200);
    const events = await settled(feed, 3);
    expect(summary(events)).toEqual([
      `${slow.requestId}:STARTED:PENDING`,
      `${quick.requestId}:FINISHED:ERROR`,
      `${slow.requestId}:FINISHED:SUCCESS`,
    ]);
    // Read when selected, from the finished request: not the pending one an earlier event saw.
    expect(events[2]!.request.output).toEqual({ images: ['done.png'] });
  });

  it('delivers every request of a burst larger than a page between two polls, once', async () => {
    const feed = await follow();
    const sent = Array.from({ length: 230 }, () => sendFalRequest(stack));
    for (const request of sent.slice(0, 150)) request.finish(200);
    // 80 seen pending, 150 first seen ended.
    const events = await settled(feed, 230);
    const ids = (change: string) =>
      events
        .filter((event) => event.change === change)
        .map((event) => event.request.requestId)
        .sort();
    const idsOf = (requests: typeof sent) => requests.map((request) => request.requestId).sort();
    expect(ids('STARTED')).toEqual(idsOf(sent.slice(150)));
    expect(ids('FINISHED')).toEqual(idsOf(sent.slice(0, 150)));
    for (const request of sent.slice(150)) request.finish(404);
    await settled(feed, 230 + 80);
    expect(new Set(summary(feed.values)).size).toBe(310);
  });

  it('loses and repeats nothing across upstream 500s, 429s and a hang', async () => {
    const feed = await follow();
    const expected: string[] = [];
    for (const fault of [
      { status: 500, times: 2 },
      { status: 429, times: 2, retryAfterSeconds: 0 },
      { hang: true, times: 1 },
    ]) {
      stack.emulator.setFault(ROUTE, fault);
      const request = sendFalRequest(stack);
      request.finish(422);
      expected.push(`${request.requestId}:FINISHED:USER_ERROR`);
      await feed.waitFor(expected.length, 5_000);
    }
    expect(summary(await settled(feed, expected.length))).toEqual(expected);
    expect(
      await metric(stack, 'gateway_feed_polls_total{source="fal",outcome="failed"}'),
    ).toBeGreaterThanOrEqual(5);
  });

  it('replays the requests sent from since, in the order they happened, then goes on live', async () => {
    const since = new Date(Date.now() - 60 * 60_000).toISOString();
    const stored = stack.emulator.fal
      .requests('demo')
      .filter((request) => request.endpoint_id.startsWith(ENDPOINT) && request.sent_at >= since)
      .filter((request) => Date.parse(request.sent_at) <= Date.now());
    const client = sseClient(stack.url, 'single', FAL_AUTH);
    openClients.push(client);
    const feed = subscribe(client, FEED, { endpointIds: [ENDPOINT], filter: { since } }, pickEvent);
    await feed.waitFor(stored.length);
    const live = sendFalRequest(stack);
    await feed.waitFor(stored.length + 1);
    expect(
      feed.values
        .slice(0, stored.length)
        .map((event) => event.request.requestId)
        .sort(),
    ).toEqual(stored.map((request) => request.request_id).sort());
    expect(summary(feed.values.slice(stored.length))).toEqual([
      `${live.requestId}:STARTED:PENDING`,
    ]);
  });

  it('shares one poller between identical feeds, and stops it soon after the last one leaves', async () => {
    const clients = [
      sseClient(stack.url, 'distinct', FAL_AUTH),
      sseClient(stack.url, 'single', FAL_AUTH),
    ];
    openClients.push(...clients);
    // The same endpoints in another order and repeated are the same feed.
    const feeds = [
      subscribe(
        clients[0]!,
        FEED_WITH_OUTPUT,
        { endpointIds: [ENDPOINT, 'acme/sdxl-lora'] },
        pickEvent,
      ),
      subscribe(
        clients[1]!,
        FEED,
        { endpointIds: ['acme/sdxl-lora', ENDPOINT, ENDPOINT] },
        pickEvent,
      ),
    ];
    await until(async () => (await metric(stack, 'gateway_open_subscriptions')) === 2);
    await nextPolls(stack, ROUTE);
    const request = sendFalRequest(stack);
    for (const feed of feeds) await feed.waitFor(1);
    expect(await metric(stack, 'gateway_feed_pollers{source="fal"}')).toBe(1);
    // Polls, that is: not the lookups of each event's selected output.
    const callers = stack.emulator
      .calls({ route: ROUTE })
      .filter((call) => !call.query.request_id)
      .map((call) => call.requestId);
    expect(new Set(callers).size).toBe(1);
    for (const feed of feeds) {
      expect(summary(feed.values)).toEqual([`${request.requestId}:STARTED:PENDING`]);
    }
    for (const client of clients) client.dispose();
    await until(
      async () => (await metric(stack, 'gateway_feed_pollers{source="fal"}')) === 0,
      1_000,
    );
  });

  it('ends with a contract error after TAIL_RECONNECT_ATTEMPTS failed polls in a row', async () => {
    const feed = await follow();
    stack.emulator.resetCalls();
    stack.emulator.setFault(ROUTE, { status: 500 });
    await feed.ended;
    expect(feed.errors).toMatchObject([{ extensions: { code: 'UPSTREAM_ERROR', source: 'fal' } }]);
    expect(stack.emulator.calls({ route: ROUTE })).toHaveLength(4);
  });

  it('refuses bad input and a missing fal key before any upstream call', async () => {
    for (const [headers, variables, code, field] of [
      [DIFY_AUTH, { endpointIds: [ENDPOINT] }, 'UNAUTHENTICATED', undefined],
      [FAL_AUTH, { endpointIds: [] }, 'BAD_USER_INPUT', 'endpointIds'],
      [FAL_AUTH, { endpointIds: ['../x'] }, 'BAD_USER_INPUT', 'endpointIds'],
      [
        FAL_AUTH,
        { endpointIds: [ENDPOINT], filter: { until: '2025-01-01' } },
        'BAD_USER_INPUT',
        'filter.until',
      ],
      [
        FAL_AUTH,
        { endpointIds: [ENDPOINT], filter: { status: 'PENDING' } },
        'BAD_USER_INPUT',
        'filter.status',
      ],
    ] as const) {
      const client = sseClient(stack.url, 'single', headers);
      openClients.push(client);
      const feed = subscribe(client, FEED, variables, pickEvent);
      await feed.ended;
      expect(feed.values).toEqual([]);
      expect(feed.errors).toMatchObject([{ extensions: { code } }]);
      if (field) expect((feed.errors[0] as { message: string }).message).toContain(field);
    }
    expect(stack.emulator.calls({ route: ROUTE })).toEqual([]);
  });
});

it('uses a key only as its own: another key gets its own poller and its own requests', async () => {
  const own = await startStack({ env: FEED_ENV });
  const clients = [
    sseClient(own.url, 'distinct', FAL_AUTH),
    sseClient(own.url, 'distinct', { authorization: `Key ${DEMO_KEYS.falOther}` }),
  ];
  try {
    const endpoint = own.emulator.fal.requests('other')[0]!.endpoint_id;
    const feeds = clients.map((client) =>
      subscribe(client, FEED, { endpointIds: [endpoint] }, pickEvent),
    );
    await until(async () => (await metric(own, 'gateway_feed_pollers{source="fal"}')) === 2);
    const keys = () =>
      new Set(own.emulator.calls({ route: ROUTE }).map((call) => call.authorization));
    await until(() => keys().size === 2);
    expect(keys()).toEqual(new Set([FAL_AUTH.authorization, `Key ${DEMO_KEYS.falOther}`]));
    expect(own.emulator.calls({ route: ROUTE }).every((call) => call.status === 200)).toBe(true);
    for (const feed of feeds) expect(feed.errors).toEqual([]);
  } finally {
    for (const client of clients) client.dispose();
    await own.close();
  }
});
