import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const TAIL = `subscription ($filter: FalLogFilter) {
  falLogs(filter: $filter) { timestamp level message app requestId }
}`;

interface Line {
  timestamp: string;
  level: string;
  message: string;
}
const pickLine = (data: Record<string, unknown>) => data.falLogs as Line;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { TAIL_BACKOFF_BASE_MS: '5', TAIL_BACKOFF_MAX_MS: '50', TAIL_RECONNECT_ATTEMPTS: '3' },
  });
});
afterAll(() => stack.close());
const openClients: Array<{ dispose(): void }> = [];
const client = (mode: 'distinct' | 'single', headers: Record<string, string>) => {
  const created = sseClient(stack.url, mode, headers);
  openClients.push(created);
  return created;
};
afterEach(async () => {
  for (const open of openClients.splice(0)) open.dispose();
  stack.emulator.clearFaults();
  await until(() => stack.emulator.openStreams() === 0, 3_000, 'streams to close');
  stack.emulator.resetCalls();
});

/**
 * Lines with distinct, increasing timestamps ending now, as an app would log them. The
 * subscription must have started at least `count` ms earlier for them all to count as live.
 */
async function appendLive(count: number, label: string) {
  await new Promise((resolve) => setTimeout(resolve, count + 2));
  const base = Date.now() - count;
  return stack.emulator.fal.appendLines(
    'demo',
    Array.from({ length: count }, (_, i) => ({
      timestamp: new Date(base + i).toISOString(),
      message: `${label} #${i} ✓`,
    })),
  );
}

/**
 * The two fal backends a live tail runs over: fal's stream (v1), and polls of the legacy API.
 * `live` says the tail is reading upstream; `idle` that it stopped reading; `dropping` is a
 * fault that breaks the upstream now and then without breaking the tail.
 */
const BACKENDS = [
  {
    api: 'v1',
    route: 'logs.stream',
    dropping: { dropAfterEvents: 7 },
    live: (target: Stack) => target.emulator.openStreams() === 1,
    idle: (target: Stack) => until(() => target.emulator.openStreams() === 0, 1_000, 'the close'),
  },
  {
    api: 'legacy',
    route: 'logs.legacy',
    dropping: { status: 500, times: 3 },
    live: (target: Stack) => target.emulator.calls({ route: 'logs.legacy' }).length > 0,
    // No poll for four poll intervals (50 ms each) in a row.
    idle: (target: Stack) => {
      let polls = -1;
      return until(
        async () => {
          const before = polls;
          polls = target.emulator.calls({ route: 'logs.legacy' }).length;
          if (before === polls) return true;
          await new Promise((resolve) => setTimeout(resolve, 200));
          return false;
        },
        1_000,
        'the polls to stop',
      );
    },
  },
] as const;

describe.each(BACKENDS)('live tail over the $api fal logs API', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      falLogsApi: backend.api,
      env: {
        TAIL_BACKOFF_BASE_MS: '5',
        TAIL_BACKOFF_MAX_MS: '50',
        TAIL_RECONNECT_ATTEMPTS: '3',
        FAL_LEGACY_POLL_INTERVAL_MS: '50',
        // A poll is one call, as a stream is: TAIL_RECONNECT_ATTEMPTS then counts calls on both.
        UPSTREAM_RETRY_ATTEMPTS: '1',
      },
    });
  });
  afterAll(() => stack.close());
  const client = (mode: 'distinct' | 'single', headers: Record<string, string>) => {
    const created = sseClient(stack.url, mode, headers);
    openClients.push(created);
    return created;
  };
  const appendLive = (count: number, label: string) =>
    appendLiveLines(stack.emulator, count, `${label} ✓`);
  afterEach(async () => {
    for (const open of openClients.splice(0)) open.dispose();
    stack.emulator.clearFaults();
    await backend.idle(stack);
    stack.emulator.resetCalls();
  });

  describe.each(['distinct', 'single'] as const)(
    'live tail over graphql-sse (%s connections)',
    (mode) => {
      it('delivers new lines in order as they arrive', async () => {
        const tailClient = client(mode, FAL_AUTH);
        const tail = subscribe(tailClient, TAIL, {}, pickLine);
        await until(() => backend.live(stack), 5_000, 'the upstream to be read');
        const sent = [
          ...(await appendLive(5, `${mode} first`)),
          ...(await appendLive(5, `${mode} second`)),
        ];
        await tail.waitFor(10);
        expect(tail.values.map((line) => line.message)).toEqual(sent.map((line) => line.message));
        expect(tail.errors).toEqual([]);
        tail.dispose();
      });

      it('resumes after upstream drops with no gap and no repeat', async () => {
        stack.emulator.setFault(backend.route, backend.dropping);
        const tailClient = client(mode, FAL_AUTH);
        const tail = subscribe(tailClient, TAIL, {}, pickLine);
        await until(() => backend.live(stack), 5_000, 'the upstream to be read');
        const sent = [];
        for (let batch = 0; batch < 20; batch += 1) {
          sent.push(...(await appendLive(10, `${mode} batch ${batch}`)));
        }
        await tail.waitFor(sent.length, 15_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(tail.values.map((line) => line.message)).toEqual(sent.map((line) => line.message));
        expect(tail.errors).toEqual([]);
        expect(stack.emulator.calls({ route: backend.route }).length).toBeGreaterThan(3);
        tail.dispose();
      });

      it('stops reading upstream within a second of the client going away', async () => {
        const tailClient = client(mode, FAL_AUTH);
        const tail = subscribe(tailClient, TAIL, {}, pickLine);
        await until(() => backend.live(stack), 5_000, 'the upstream to be read');
        tail.dispose();
        tailClient.dispose();
        expect(await backend.idle(stack)).toBeLessThan(1_000);
      });

      it('replays history from since, oldest first, then continues live', async () => {
        const stored = stack.emulator.fal.lines('demo');
        const since = stored[20]!.timestamp;
        const history = stored
          .filter((line) => line.timestamp >= since && Date.parse(line.timestamp) <= Date.now())
          .reverse();
        const tailClient = client(mode, FAL_AUTH);
        const tail = subscribe(tailClient, TAIL, { filter: { since } }, pickLine);
        await tail.waitFor(history.length);
        await until(() => backend.live(stack), 5_000, 'the upstream to be read');
        const live = await appendLive(3, `${mode} after backfill`);
        await tail.waitFor(history.length + 3);
        expect(tail.values.map((line) => line.message)).toEqual(
          [...history, ...live].map((line) => line.message),
        );
        tail.dispose();
      });

      it('refuses a missing fal credential and bad input before any upstream call', async () => {
        for (const [headers, variables, code] of [
          [DIFY_AUTH, {}, 'UNAUTHENTICATED'],
          [FAL_AUTH, { filter: { appIds: [] } }, 'BAD_USER_INPUT'],
          [FAL_AUTH, { filter: { labels: [{ key: 'k', values: ['a', 'b'] }] } }, 'BAD_USER_INPUT'],
        ] as const) {
          const tail = subscribe(client(mode, headers), TAIL, variables, pickLine);
          await tail.ended;
          expect(tail.values).toEqual([]);
          expect(tail.errors).toMatchObject([{ extensions: { code } }]);
        }
        expect(stack.emulator.calls({ route: backend.route })).toEqual([]);
      });

      it('refuses variables of the wrong type before any upstream call', async () => {
        const tail = subscribe(
          client(mode, FAL_AUTH),
          TAIL,
          { filter: { since: 'soon' } },
          pickLine,
        );
        await tail.ended;
        expect(tail.values).toEqual([]);
        if (mode === 'single') {
          expect(tail.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
        } else {
          // Distinct connections answer a request error with HTTP 400, as the protocol asks.
          expect(tail.errors).toMatchObject([{ name: 'NetworkError', response: { status: 400 } }]);
        }
        expect(stack.emulator.calls({ route: backend.route })).toEqual([]);
      });

      it('refuses an operation that does not parse or validate, with BAD_USER_INPUT', async () => {
        for (const query of ['subscription { falLogs(', 'subscription { falLogs { nope } }']) {
          const tail = subscribe(client(mode, FAL_AUTH), query, {}, pickLine);
          await tail.ended;
          expect(tail.values).toEqual([]);
          // Distinct connections may also answer with HTTP 400, which the client reports as such.
          const [error] = tail.errors as Array<{
            extensions?: { code?: string };
            response?: Response;
          }>;
          if (mode === 'single' || !error?.response) {
            expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
          } else {
            expect(error.response.status).toBe(400);
          }
        }
        expect(stack.emulator.calls({ route: backend.route })).toEqual([]);
      });

      it('ends with a contract error once the upstream keeps failing', async () => {
        stack.emulator.setFault(backend.route, { status: 500 });
        const tailClient = client(mode, FAL_AUTH);
        const tail = subscribe(tailClient, TAIL, {}, pickLine);
        await tail.ended;
        expect(JSON.stringify(tail.errors)).toContain('UPSTREAM_ERROR');
        expect(stack.emulator.calls({ route: backend.route })).toHaveLength(4);
      });
    },
  );
});

describe('upstream stream behaviour', () => {
  it('resumes after the upstream sends an error event, without a gap or a repeat', async () => {
    stack.emulator.setFault('logs.stream', { errorEventAfter: 6 });
    const tail = subscribe(client('distinct', FAL_AUTH), TAIL, {}, pickLine);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
    const sent = [];
    for (let batch = 0; batch < 5; batch += 1) sent.push(...(await appendLive(8, `err ${batch}`)));
    await tail.waitFor(sent.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tail.values.map((line) => line.message)).toEqual(sent.map((line) => line.message));
    expect(tail.errors).toEqual([]);
  });

  it('keeps a quiet tail open across idle timeouts and still delivers later lines once', async () => {
    const quiet = await startStack({
      emulator: { sseKeepAliveMs: 60_000 },
      env: { FAL_STREAM_IDLE_TIMEOUT_MS: '150', TAIL_RECONNECT_ATTEMPTS: '1' },
    });
    const quietClient = sseClient(quiet.url, 'distinct', FAL_AUTH);
    try {
      const tail = subscribe(quietClient, TAIL, {}, pickLine);
      await until(() => quiet.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      // undici checks body timeouts on a coarse (about one second) clock.
      await until(
        () => quiet.emulator.calls({ route: 'logs.stream' }).length >= 4,
        8_000,
        'three idle reconnects',
      );
      expect(tail.errors).toEqual([]);
      expect(tail.completed).toBe(false);

      await until(() => quiet.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      await new Promise((resolve) => setTimeout(resolve, 10));
      const base = Date.now() - 3;
      const sent = quiet.emulator.fal.appendLines(
        'demo',
        [0, 1, 2].map((i) => ({
          timestamp: new Date(base + i).toISOString(),
          message: `late ${i}`,
        })),
      );
      await tail.waitFor(3);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(tail.values.map((line) => line.message)).toEqual(sent.map((line) => line.message));
    } finally {
      quietClient.dispose();
      await quiet.close();
    }
  });
});

/** Subscriptions a gateway holds open now, from its metrics. */
async function openSubscriptions(target: Stack): Promise<number> {
  const text = await (await fetch(`${target.url}/metrics`)).text();
  return Number(/^gateway_open_subscriptions (\S+)$/m.exec(text)?.[1]);
}

describe('identical tails share one upstream stream', () => {
  const FAL_OTHER_AUTH = { authorization: `Key ${DEMO_KEYS.falOther}` };

  it('delivers every line once to each subscriber of one stream, and closes it after the last', async () => {
    const same = { filter: { minLevel: 'INFO' } };
    const tails = [
      client('distinct', FAL_AUTH),
      client('single', FAL_AUTH),
      client('distinct', FAL_AUTH),
    ];
    const received = tails.map((each) => subscribe(each, TAIL, same, pickLine));
    await until(async () => (await openSubscriptions(stack)) === 3, 5_000, 'three subscriptions');
    expect(stack.emulator.openStreams()).toBe(1);

    const first = await appendLive(12, 'shared');
    for (const tail of received) await tail.waitFor(first.length);
    tails[0]!.dispose();
    await until(async () => (await openSubscriptions(stack)) === 2, 5_000, 'one to leave');
    const second = await appendLive(5, 'after one left');
    for (const tail of received.slice(1)) await tail.waitFor(first.length + second.length);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const messages = (lines: Array<{ message: string }>) => lines.map((line) => line.message);
    expect(messages(received[0]!.values)).toEqual(messages(first));
    for (const tail of received.slice(1)) {
      expect(messages(tail.values)).toEqual(messages([...first, ...second]));
    }
    expect(stack.emulator.calls({ route: 'logs.stream' })).toHaveLength(1);
    expect(stack.emulator.openStreams()).toBe(1);

    tails[1]!.dispose();
    tails[2]!.dispose();
    await until(() => stack.emulator.openStreams() === 0, 1_000, 'the shared stream to close');
  });

  it('gives another filter or another key a stream of its own', async () => {
    subscribe(client('distinct', FAL_AUTH), TAIL, {}, pickLine);
    subscribe(client('distinct', FAL_AUTH), TAIL, { filter: { search: 'x' } }, pickLine);
    subscribe(client('distinct', FAL_OTHER_AUTH), TAIL, {}, pickLine);
    subscribe(client('single', FAL_AUTH), TAIL, {}, pickLine);
    await until(async () => (await openSubscriptions(stack)) === 4, 5_000, 'four subscriptions');
    await until(() => stack.emulator.openStreams() === 3, 5_000, 'three upstream streams');
    const keys = stack.emulator.calls({ route: 'logs.stream' }).map((call) => call.authorization);
    expect(keys.filter((key) => key === FAL_OTHER_AUTH.authorization)).toHaveLength(1);
  });

  it('hands a replay from since over to the shared stream once it caught up, losing and repeating nothing', async () => {
    const live = subscribe(client('distinct', FAL_AUTH), TAIL, {}, pickLine);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the shared stream');
    const stored = stack.emulator.fal.lines('demo');
    const since = stored[20]!.timestamp;
    const history = stored
      .filter((line) => line.timestamp >= since && Date.parse(line.timestamp) <= Date.now())
      .reverse();
    const replay = subscribe(client('single', FAL_AUTH), TAIL, { filter: { since } }, pickLine);
    await replay.waitFor(history.length);
    expect(stack.emulator.openStreams()).toBe(2);

    const first = await appendLive(5, 'while catching up');
    await replay.waitFor(history.length + first.length);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the replay’s stream to close');
    const second = await appendLive(5, 'shared');
    await replay.waitFor(history.length + first.length + second.length);
    await live.waitFor(first.length + second.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(replay.values.map((line) => line.message)).toEqual(
      [...history, ...first, ...second].map((line) => line.message),
    );
    expect(live.values.map((line) => line.message)).toEqual(
      [...first, ...second].map((line) => line.message),
    );
    expect(stack.emulator.calls({ route: 'logs.stream' })).toHaveLength(2);
    expect(await openSubscriptions(stack)).toBe(2);
  });

  it('makes no upstream connection as tails end: not when a replay catches up, nor when clients leave', async () => {
    const MESSAGES = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { message } }`;
    const pickMessage = (data: Record<string, unknown>) => data.falLogs as { message: string };
    const live = subscribe(client('distinct', FAL_AUTH), MESSAGES, {}, pickMessage);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the shared stream');
    const since = new Date(Date.now() - 1_000).toISOString();
    subscribe(client('distinct', FAL_AUTH), MESSAGES, { filter: { since } }, pickMessage);
    await until(() => stack.emulator.openStreams() === 2, 5_000, 'the replay’s own stream');
    const connected = stack.emulator.falConnections();

    await appendLive(1, 'caught up on');
    await live.waitFor(1);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the replay’s stream to close');
    for (const open of openClients.splice(0)) open.dispose();
    await until(() => stack.emulator.openStreams() === 0, 5_000, 'the shared stream to close');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stack.emulator.falConnections()).toBe(connected);
  });

  it('does not give a late subscriber lines stamped before it came', async () => {
    const early = subscribe(client('distinct', FAL_AUTH), TAIL, {}, pickLine);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const beforeLate = Date.now() - 10;
    const late = subscribe(client('distinct', FAL_AUTH), TAIL, {}, pickLine);
    await until(async () => (await openSubscriptions(stack)) === 2, 5_000, 'the late one');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const [stale, fresh] = stack.emulator.fal.appendLines('demo', [
      { timestamp: new Date(beforeLate).toISOString(), message: 'logged before the late one came' },
      { timestamp: new Date().toISOString(), message: 'logged after' },
    ]);
    expect((await early.waitFor(2)).map((line) => line.message)).toEqual([
      stale!.message,
      fresh!.message,
    ]);
    expect((await late.waitFor(1)).map((line) => line.message)).toEqual([fresh!.message]);
  });
});

it.each(['0', '300'])(
  'moves a shared tail’s client that stops reading to a stream of its own, losing nothing (resume overlap %s ms)',
  async (overlapMs) => {
    const small = await startStack({
      env: { TAIL_MAX_BACKLOG: '20', TAIL_RESUME_OVERLAP_MS: overlapMs },
    });
    const reader = sseClient(small.url, 'distinct', FAL_AUTH);
    const stalled = new AbortController();
    try {
      const keeping = subscribe(reader, TAIL, {}, pickLine);
      const stalledResponse = await request(`${small.url}/graphql`, {
        method: 'POST',
        signal: stalled.signal,
        headers: { ...FAL_AUTH, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ query: TAIL }),
      });
      await until(async () => (await openSubscriptions(small)) === 2, 5_000, 'both subscriptions');
      expect(small.emulator.openStreams()).toBe(1);
      // Enough to fill the stalled client's socket buffers many times over, stamped (three to a
      // millisecond) between the subscriptions' start and now, as a burst of lines reaching fal is.
      const count = 3_000;
      await new Promise((resolve) => setTimeout(resolve, count / 3 + 20));
      const base = Date.now() - count / 3;
      const padding = 'x'.repeat(8_000);
      small.emulator.fal.appendLines(
        'demo',
        Array.from({ length: count }, (_, i) => ({
          timestamp: new Date(base + Math.floor(i / 3)).toISOString(),
          message: `#${i} ${padding}`,
        })),
      );
      const numbers = Array.from({ length: count }, (_, i) => `#${i}`);
      const received = await keeping.waitFor(count, 40_000);
      expect(received.map((line) => line.message.split(' ')[0])).toEqual(numbers);

      // Read now, the stalled client gets what was kept for it, then the rest from its own stream.
      const stalledNumbers: string[] = [];
      const parser = createParser({
        onEvent: ({ event, data }) => {
          if (event !== 'next') return;
          const { data: result } = JSON.parse(data) as { data: { falLogs: Line } };
          stalledNumbers.push(result.falLogs.message.split(' ')[0]!);
          if (stalledNumbers.length === count) stalled.abort();
        },
      });
      const giveUp = setTimeout(() => stalled.abort(), 30_000);
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stalledResponse.body) {
          parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
        }
      } catch {
        // Aborted once every line arrived (or by `giveUp`: the expectation says what was missing).
      }
      clearTimeout(giveUp);
      expect(stalledNumbers).toEqual(numbers);
      expect(small.emulator.calls({ route: 'logs.stream' }).length).toBeGreaterThanOrEqual(2);
      expect(keeping.errors).toEqual([]);
    } finally {
      stalled.abort();
      reader.dispose();
      await small.close();
    }
  },
  90_000,
);

it('serves more live tails than the query connection pool holds, and queries beside them', async () => {
  const small = await startStack({ env: { UPSTREAM_MAX_CONNECTIONS: '2' } });
  const clients = Array.from({ length: 5 }, () => sseClient(small.url, 'single', FAL_AUTH));
  // Five filters that all match the line, so that each tail has an upstream stream of its own.
  const searches = ['to all', 'to', 'all', 'o a', 'to a'];
  try {
    const tails = clients.map((each, i) =>
      subscribe(each, TAIL, { filter: { search: searches[i] } }, pickLine),
    );
    await until(() => small.emulator.openStreams() === 5, 5_000, 'five upstream streams');
    const page = await small.graphql('{ falLogs(first: 1) { edges { cursor } } }');
    expect(page.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const base = Date.now() - 2;
    small.emulator.fal.appendLines('demo', [
      { timestamp: new Date(base).toISOString(), message: 'to all' },
    ]);
    for (const tail of tails)
      expect((await tail.waitFor(1)).map((line) => line.message)).toEqual(['to all']);
  } finally {
    clients.forEach((each) => each.dispose());
    await small.close();
  }
});

it('tells proxies not to buffer the event stream', async () => {
  const response = await request(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { ...FAL_AUTH, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: TAIL }),
  });
  expect(response.headers['content-type']).toMatch(/^text\/event-stream/);
  expect(response.headers['x-accel-buffering']).toBe('no');
  response.body.destroy();
});
