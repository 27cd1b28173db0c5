import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RedisSettings } from '../../src/config.js';
import type { TailHub, TailHubs } from '../../src/live/hub.js';
import { redisTailHubs } from '../../src/live/redis-tail-hub.js';
import type { SharingObserver } from '../../src/live/shared-topic.js';
import { startRedisServer, stopRedisServers, type RedisServer } from '../support/redis-server.js';
import { startTcpGate, type TcpGate } from '../support/tcp-gate.js';
import { until } from '../support/sse-client.js';

/**
 * Two replicas' hubs in one process, sharing a topic through a real Redis, over sources the test
 * feeds by hand: events are the numbers 1, 2, 3…, a position is the last number handed out.
 * What the sources hand out, and when, is up to the test, so that the switches between sources
 * can be driven exactly where timing would rarely put them.
 */

interface Source {
  replica: string;
  /** The position it resumes after; undefined for a source from the start. */
  after: number | undefined;
  next: number;
  stopped: boolean;
  /** Hands out the numbers after the last one handed out, up to `last`. */
  upTo(last: number): void;
}

const opened: Source[] = [];

function openSource(replica: string, signal: AbortSignal, after?: number): Repeater<number> {
  return new Repeater<number>((push, stop) => {
    const source: Source = {
      replica,
      after,
      next: (after ?? 0) + 1,
      stopped: false,
      upTo(last) {
        for (; this.next <= last && !this.stopped; this.next += 1) void push(this.next);
      },
    };
    opened.push(source);
    const end = () => {
      source.stopped = true;
      void stop();
    };
    signal.addEventListener('abort', end, { once: true });
    if (signal.aborted) end();
  });
}

const NOTHING: SharingObserver = {
  reachable: () => undefined,
  leaseTaken: () => undefined,
  leaseGivenUp: () => undefined,
  fellBack: () => undefined,
  lag: () => undefined,
  forget: () => undefined,
};

let redis: RedisServer;
let gate: TcpGate;
let hubs: TailHubs[] = [];
/** How each test's subscribers leave. */
const leaving: Array<() => void> = [];
/**
 * Each test's keys in Redis start with a prefix of its own. A lease or a follower that an
 * earlier test left behind lapses only after a lease's time; the next test's replica would
 * take the topic over from that test's stream and go on after its last event.
 */
let keyPrefix = '';
let tests = 0;
beforeAll(async () => {
  redis = await startRedisServer();
  gate = await startTcpGate(Number(new URL(redis.url).port));
});
beforeEach(() => {
  tests += 1;
  keyPrefix = `test-${tests}:`;
});
afterEach(async () => {
  // As a gateway shuts down: its subscribers go first, and their topics give up leases and places.
  for (const leave of leaving.splice(0)) leave();
  await Promise.all(hubs.map((each) => each.close()));
  hubs = [];
  opened.length = 0;
});
afterAll(async () => {
  await gate.close();
  await stopRedisServers();
});

/** A replica's hub, reaching Redis at `url`. */
function replicaHub(url: string): TailHub<number> {
  const settings: RedisSettings = {
    url,
    keyPrefix,
    leaseTtlMs: 1_000,
    leaseRenewMs: 100,
    streamMaxLen: 1_000,
    secret: 'a secret both replicas share',
  };
  const each = redisTailHubs(settings, pino({ level: 'silent' }), NOTHING);
  hubs.push(each);
  return each.hub<number>({ name: 'numbers', maxBacklog: 1_000, failure: () => -1 });
}

/** A subscriber of `topic` on `replica`'s hub: what it receives, and how to leave. */
function follow(hub: TailHub<number>, replica: string, topic: string) {
  const leave = new AbortController();
  const received: number[] = [];
  const events = hub.subscribe(topic, {
    open: (signal) => openSource(replica, signal),
    take: () => true,
    goOnAlone: (signal) => openSource(replica, signal),
    signal: leave.signal,
    lifecycle: { started: () => undefined, ended: () => undefined },
    resumable: {
      advance: (position: number | undefined, event) => Math.max(position ?? 0, event),
      open: (signal, after) => openSource(replica, signal, after),
      unseen: (position) => (event) => (event > position ? event : undefined),
    },
  });
  void (async () => {
    for await (const event of events) received.push(event);
  })();
  leaving.push(() => leave.abort());
  return { received };
}

const running = (replica: string, after: number | undefined) =>
  opened.filter(
    (source) => source.replica === replica && source.after === after && !source.stopped,
  );

async function sourceOf(replica: string, after?: number) {
  await until(() => running(replica, after).length === 1, 10_000, `a source on ${replica}`);
  return running(replica, after)[0]!;
}

const numbers = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Until both replicas follow the topic in Redis (each has beaten since it read the stream's end). */
async function bothFollow() {
  const client = new Redis(redis.url, { protocol: 2 });
  try {
    await until(
      async () => {
        const [key] = await client.keys(`${keyPrefix}*:followers`);
        return key !== undefined && (await client.zcard(key)) === 2;
      },
      10_000,
      'both replicas to follow the topic',
    );
  } finally {
    client.disconnect();
  }
}

/**
 * Replica a reaches Redis directly, replica b through a gate, so that after Redis comes back
 * (empty: it lost the stream) a holds the topic before b is back. Each went on alone after 3,
 * a up to `aAlone`, b up to `bAlone`.
 */
async function rejoinAfterRedisLostTheStream(aAlone: number, bAlone: number) {
  const a = follow(replicaHub(redis.url), 'a', 'numbers');
  const first = await sourceOf('a');
  const b = follow(replicaHub(`redis://${gate.address}`), 'b', 'numbers');
  await bothFollow();
  first.upTo(3);
  await until(() => a.received.length === 3 && b.received.length === 3, 5_000, '1 to 3');

  gate.shut();
  await redis.stop('SIGKILL');
  const own = { a: await sourceOf('a', 3), b: await sourceOf('b', 3) };
  own.a.upTo(aAlone);
  own.b.upTo(bAlone);
  await until(
    () => a.received.length === aAlone && b.received.length === bAlone,
    5_000,
    'what each replica handed out alone',
  );

  await redis.start();
  const holder = await sourceOf('a', aAlone);
  return { a, b, own, holder };
}

it('rejoins a stream that resumed past where a replica stands only once its own source gets there', async () => {
  const { a, b, own, holder } = await rejoinAfterRedisLostTheStream(10, 5);
  holder.upTo(11);
  own.a.upTo(11);
  await until(() => own.a.stopped, 5_000, 'a to share again');

  gate.open();
  await bothFollow();
  holder.upTo(13);
  await sleep(300);
  // b stands at 5 and the stream goes on at 12: b keeps its own source until it reaches 12.
  expect(own.b.stopped).toBe(false);
  expect(b.received).toEqual(numbers(1, 5));
  own.b.upTo(14);
  await until(() => own.b.stopped, 5_000, 'b to share again');
  holder.upTo(15);
  await until(() => a.received.length >= 15 && b.received.length >= 15, 5_000, '15 on both');
  await sleep(200);
  expect(a.received).toEqual(numbers(1, 15));
  expect(b.received).toEqual(numbers(1, 15));
  expect(opened.filter((source) => !source.stopped)).toEqual([holder]);
});

it('rejoins a stream that resumed before where a replica stands at once, dropping what it repeats', async () => {
  const { a, b, own, holder } = await rejoinAfterRedisLostTheStream(5, 10);
  holder.upTo(8);
  own.a.upTo(8);
  await until(() => own.a.stopped, 5_000, 'a to share again');

  gate.open();
  await bothFollow();
  // b stands at 10 and the stream goes on at 9: b shares at once, and drops 9 and 10.
  holder.upTo(15);
  await until(() => own.b.stopped, 5_000, 'b to share again');
  await until(() => a.received.length >= 15 && b.received.length >= 15, 5_000, '15 on both');
  await sleep(200);
  expect(a.received).toEqual(numbers(1, 15));
  expect(b.received).toEqual(numbers(1, 15));
  expect(opened.filter((source) => !source.stopped)).toEqual([holder]);
});
