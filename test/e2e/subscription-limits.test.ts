import { Agent, fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { sseClient, subscribe, until, type Received } from '../support/sse-client.js';

const TAIL = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { message } }`;
const MESSAGE = 'a line for every tail';
/** Each matches MESSAGE and makes a filter of its own, so each tail needs an upstream stream. */
const SEARCHES = ['line', 'every', 'tail', 'a line', 'for', 'ever', 'ail', 'ne f', 'y t', 'or e'];

const keyed = (key: string) => ({ authorization: `Key ${key}` });
const KEYS = ['k1:s', 'k2:s', 'k3:s', 'k4:s'];
const FAL_KEYS = Object.fromEntries([DEMO_KEYS.fal, ...KEYS].map((key) => [key, 'demo']));

type Address = '127.0.0.1' | '127.0.0.2';
type Mode = 'distinct' | 'single';

interface Tails {
  stack: Stack;
  /** A graphql-sse client whose connections come from `address`. */
  client(
    mode: Mode,
    headers: Record<string, string>,
    address?: Address,
  ): ReturnType<typeof sseClient>;
  /** A tail of the lines matching `search`; a replay from `since` when given. */
  tail(
    mode: Mode,
    headers: Record<string, string>,
    search: string,
    address?: Address,
    since?: string,
  ): Received<string>;
  close(): Promise<void>;
}

async function startTails(env: Record<string, string>): Promise<Tails> {
  const stack = await startStack({ env, emulator: { falKeys: FAL_KEYS } });
  const agents = new Map<Address, Agent>();
  const clients: Array<{ dispose(): void }> = [];
  const client: Tails['client'] = (mode, headers, address = '127.0.0.1') => {
    let agent = agents.get(address);
    if (!agent) agents.set(address, (agent = new Agent({ localAddress: address })));
    const dispatcher = agent;
    const created = sseClient(stack.url, mode, headers, {
      fetchFn: (input: string, init: Parameters<typeof fetch>[1]) =>
        fetch(input, { ...init, dispatcher }),
    });
    clients.push(created);
    return created;
  };
  return {
    stack,
    client,
    tail: (mode, headers, search, address, since) =>
      subscribe(client(mode, headers, address), TAIL, { filter: { search, since } }, (data) =>
        String((data.falLogs as { message: string }).message),
      ),
    async close() {
      for (const each of clients.splice(0)) each.dispose();
      await stack.close();
      await Promise.all([...agents.values()].map((agent) => agent.close()));
    },
  };
}

/** A line logged now, as an app would log it; tails started before it receive it. */
async function logLine(stack: Stack) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  stack.emulator.fal.appendLines('demo', [
    { timestamp: new Date(Date.now() - 1).toISOString(), message: MESSAGE },
  ]);
}

const streamCalls = (stack: Stack) => stack.emulator.calls({ route: 'logs.stream' }).length;

async function refused(tail: Received<string>) {
  await until(() => tail.completed || tail.errors.length > 0, 5_000, 'the refusal');
  await tail.ended;
  expect(tail.values).toEqual([]);
  return tail.errors;
}

describe.each(['distinct', 'single'] as const)(
  'MAX_SUBSCRIPTIONS_PER_CLIENT over graphql-sse (%s connections)',
  (mode) => {
    let tails: Tails;
    let stack: Stack;
    beforeAll(async () => {
      tails = await startTails({ MAX_SUBSCRIPTIONS_PER_CLIENT: '3' });
      stack = tails.stack;
    });
    afterAll(() => tails.close());
    const open: Array<Received<string>> = [];
    const tail = (...args: Parameters<Tails['tail']>) => {
      const created = tails.tail(...args);
      open.push(created);
      return created;
    };
    afterEach(async () => {
      for (const each of open.splice(0)) each.dispose();
      stack.emulator.clearFaults();
      await until(() => stack.emulator.openStreams() === 0, 3_000, 'streams to close');
      stack.emulator.resetCalls();
    });

    it('refuses a key its subscription past the limit with RATE_LIMITED, from any address, and serves the others', async () => {
      const running = [
        tail(mode, FAL_AUTH, SEARCHES[0]!, '127.0.0.1'),
        tail(mode, FAL_AUTH, SEARCHES[1]!, '127.0.0.1'),
        tail(mode, FAL_AUTH, SEARCHES[2]!, '127.0.0.2'),
      ];
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'three upstream streams');

      const past = tail(mode, FAL_AUTH, SEARCHES[3]!, '127.0.0.2');
      expect(await refused(past)).toMatchObject([
        {
          message: expect.stringMatching(/MAX_SUBSCRIPTIONS_PER_CLIENT/) as string,
          extensions: { code: 'RATE_LIMITED' },
        },
      ]);
      expect(streamCalls(stack)).toBe(3);

      running.push(tail(mode, keyed(KEYS[0]!), SEARCHES[4]!, '127.0.0.2'));
      await until(() => stack.emulator.openStreams() === 4, 5_000, 'another key its stream');
      await logLine(stack);
      for (const each of running) expect(await each.waitFor(1)).toEqual([MESSAGE]);
      for (const each of running) expect(each.errors).toEqual([]);
    });

    it('refuses an address its subscription past the limit with RATE_LIMITED, whatever the key', async () => {
      const running = KEYS.slice(0, 3).map((key, i) =>
        tail(mode, keyed(key), SEARCHES[i]!, '127.0.0.2'),
      );
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'three upstream streams');

      const past = tail(mode, keyed(KEYS[3]!), SEARCHES[3]!, '127.0.0.2');
      expect(await refused(past)).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);
      expect(streamCalls(stack)).toBe(3);

      running.push(tail(mode, keyed(KEYS[3]!), SEARCHES[3]!, '127.0.0.1'));
      await until(() => stack.emulator.openStreams() === 4, 5_000, 'another address its stream');
      await logLine(stack);
      for (const each of running) expect(await each.waitFor(1)).toEqual([MESSAGE]);
    });

    it('gives a client its places back when its subscriptions end, however they end', async () => {
      const first = [0, 1, 2].map((i) => tail(mode, FAL_AUTH, SEARCHES[i]!));
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'three upstream streams');
      expect(await refused(tail(mode, FAL_AUTH, SEARCHES[3]!))).toMatchObject([
        { extensions: { code: 'RATE_LIMITED' } },
      ]);

      // The client leaves one: its place is free again.
      first[0]!.dispose();
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'the stream to close');
      const second = tail(mode, FAL_AUTH, SEARCHES[4]!);
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'a stream for the next one');

      // One ends on an upstream error: its place is free again too.
      second.dispose();
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'the stream to close');
      stack.emulator.setFault('logs.stream', { status: 401, times: 1 });
      const failed = tail(mode, FAL_AUTH, SEARCHES[5]!);
      await failed.ended;
      expect(failed.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);

      const third = tail(mode, FAL_AUTH, SEARCHES[6]!);
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'a stream for the last one');
      await logLine(stack);
      for (const each of [first[1]!, first[2]!, third]) {
        expect(await each.waitFor(1)).toEqual([MESSAGE]);
        expect(each.errors).toEqual([]);
      }
    });

    it('gives a client its places back when its replays from since end', async () => {
      // From now: a line logged by an earlier test is not in their history to catch up with.
      const since = new Date().toISOString();
      const replays = [0, 1, 2].map((i) => tail(mode, FAL_AUTH, SEARCHES[i]!, undefined, since));
      // Until it catches up, a replay reads a stream of its own beside its search's shared one.
      await until(() => stack.emulator.openStreams() === 6, 5_000, 'two streams per replay');
      expect(await refused(tail(mode, FAL_AUTH, SEARCHES[3]!, undefined, since))).toMatchObject([
        { extensions: { code: 'RATE_LIMITED' } },
      ]);
      await logLine(stack);
      for (const each of replays) {
        await until(() => each.values.includes(MESSAGE), 5_000, 'a replay to go live');
      }

      // Caught up, each reads its search's shared tail alone. The client leaves one replay: its
      // place is free again.
      await until(() => stack.emulator.openStreams() === 3, 5_000, 'the replays to catch up');
      replays[0]!.dispose();
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'its stream to close');
      const next = tail(mode, FAL_AUTH, SEARCHES[4]!, undefined, new Date().toISOString());
      await logLine(stack);
      await until(() => next.values.includes(MESSAGE), 5_000, 'the next replay to go live');
      expect(next.errors).toEqual([]);
    });
  },
);

describe('UPSTREAM_MAX_STREAMS', () => {
  it('refuses a tail that gets no upstream stream within TAIL_STREAM_WAIT_MS with RATE_LIMITED; shared tails and the others go on', async () => {
    const tails = await startTails({ UPSTREAM_MAX_STREAMS: '2', TAIL_STREAM_WAIT_MS: '300' });
    const { stack } = tails;
    try {
      const running = [
        tails.tail('distinct', FAL_AUTH, SEARCHES[0]!),
        tails.tail('single', FAL_AUTH, SEARCHES[1]!),
      ];
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'two upstream streams');

      for (const mode of ['distinct', 'single'] as const) {
        expect(await refused(tails.tail(mode, FAL_AUTH, SEARCHES[2]!))).toMatchObject([
          {
            message: expect.stringMatching(/upstream stream capacity.*retry later/i) as string,
            extensions: { code: 'RATE_LIMITED' },
          },
        ]);
      }
      expect(streamCalls(stack)).toBe(2);

      // The same filter and key as a running tail: it shares that tail's stream.
      running.push(tails.tail('distinct', FAL_AUTH, SEARCHES[0]!));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await logLine(stack);
      for (const each of running) expect(await each.waitFor(1)).toEqual([MESSAGE]);
      expect(streamCalls(stack)).toBe(2);

      // Once a stream frees up, a new tail gets it.
      running[1]!.dispose();
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'a stream to close');
      const later = tails.tail('distinct', FAL_AUTH, SEARCHES[2]!);
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'a stream for the later tail');
      await logLine(stack);
      expect(await later.waitFor(1)).toEqual([MESSAGE]);
      expect(later.errors).toEqual([]);
    } finally {
      await tails.close();
    }
  });

  it('backs off and retries a running tail that cannot get its stream back, then ends it with RATE_LIMITED', async () => {
    const tails = await startTails({
      UPSTREAM_MAX_STREAMS: '1',
      TAIL_STREAM_WAIT_MS: '100',
      TAIL_BACKOFF_BASE_MS: '1000',
      TAIL_BACKOFF_MAX_MS: '1000',
      TAIL_RECONNECT_ATTEMPTS: '3',
    });
    const { stack } = tails;
    try {
      stack.emulator.setFault('logs.stream', { dropAfterEvents: 1, times: 1 });
      const dropped = tails.tail('distinct', FAL_AUTH, SEARCHES[0]!);
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      await logLine(stack);
      expect(await dropped.waitFor(1)).toEqual([MESSAGE]);

      // While the dropped tail backs off, another takes the only stream and keeps it.
      await until(() => stack.emulator.openStreams() === 0, 5_000, 'the drop');
      const dropAt = Date.now();
      const other = tails.tail('distinct', FAL_AUTH, SEARCHES[1]!);
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the other tail its stream');

      await until(
        () => dropped.errors.length > 0 || dropped.completed,
        10_000,
        'the dropped tail to end',
      );
      await dropped.ended;
      // A backoff of 500 to 1000 ms after the drop and after each of the next two attempts that
      // got no stream, before a third such attempt ended it; ending at the first would take at
      // most 1100 ms.
      expect(Date.now() - dropAt).toBeGreaterThan(1_500);
      expect(dropped.values).toEqual([MESSAGE]);
      expect(dropped.errors).toMatchObject([{ extensions: { code: 'RATE_LIMITED' } }]);

      await logLine(stack);
      expect(await other.waitFor(1)).toEqual([MESSAGE]);
      expect(other.errors).toEqual([]);
    } finally {
      await tails.close();
    }
  });
});
