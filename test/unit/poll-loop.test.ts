import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TailSettings } from '../../src/config.js';
import { memoryTailHub, tailFailure } from '../../src/live/hub.js';
import { liveFeed, type FeedKind } from '../../src/live/live-feed.js';
import { pollFeed, type FeedEvent, type PollStep } from '../../src/live/poll-loop.js';
import { UpstreamError } from '../../src/errors.js';

const settings: TailSettings = {
  idleTimeoutMs: 1_000,
  reconnectAttempts: 3,
  resumeOverlapMs: 0,
  backoffBaseMs: 1,
  backoffMaxMs: 5,
  maxBacklog: 3,
  streamWaitMs: 0,
};
const logger = pino({ level: 'silent' });
const quiet = { started: () => undefined, ended: () => undefined };

const polled = { began: expect.any(Number) as number, ended: expect.any(Number) as number };

const unavailable = () =>
  new UpstreamError('Dify is down', { code: 'UPSTREAM_UNAVAILABLE', source: 'dify' });

/** Counts pollers and polls as the metrics do. */
function observing() {
  const counts = { open: 0, ok: 0, failed: 0 };
  return {
    counts,
    observer: {
      opened: () => void counts.open++,
      closed: () => void counts.open--,
      polled: (outcome: 'ok' | 'failed') => void counts[outcome]++,
    },
  };
}

/**
 * A feed of numbers: each poll hands out the numbers from the state up to `head` (which a test
 * raises), unless `failing` says the upstream is down.
 */
function numbers() {
  const upstream = { head: 0, failing: 0, polls: 0 };
  const poll =
    () =>
    (from: number): Promise<PollStep<number, number>> => {
      upstream.polls += 1;
      if (upstream.failing > 0) {
        upstream.failing -= 1;
        return Promise.reject(unavailable());
      }
      const changes = [];
      for (let value = from + 1; value <= upstream.head; value += 1) changes.push(value);
      return Promise.resolve({ changes, state: upstream.head, again: false });
    };
  return { upstream, poll };
}

async function collect<Event>(events: AsyncIterable<Event>, count: number): Promise<Event[]> {
  const values: Event[] = [];
  if (count === 0) return values;
  for await (const event of events) {
    values.push(event);
    if (values.length === count) break;
  }
  return values;
}

const until = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('pollFeed', () => {
  it('hands out each poll with changes as one batch with the state after it (the first poll always), and loses nothing across failures', async () => {
    const { upstream, poll } = numbers();
    const { counts, observer } = observing();
    const stop = new AbortController();
    const feed = pollFeed({
      poll,
      start: 0,
      intervalMs: 5,
      settings,
      signal: stop.signal,
      observer,
      logger,
      lifecycle: quiet,
    });
    const events: FeedEvent<number, number>[] = [];
    const reading = (async () => {
      for await (const event of feed) events.push(event);
    })();
    await until(() => events.length === 1);
    upstream.head = 2;
    await until(() => events.length === 2);
    upstream.failing = 3; // one short of giving up
    upstream.head = 5;
    await until(() => events.length === 3);
    stop.abort();
    await reading;
    expect(events).toEqual([
      { kind: 'batch', changes: [], resume: 0, polled },
      { kind: 'batch', changes: [1, 2], resume: 2, polled },
      { kind: 'batch', changes: [3, 4, 5], resume: 5, polled },
    ]);
    expect(counts.failed).toBe(3);
    expect(counts.open).toBe(0);
  });

  it('ends with the failure after TAIL_RECONNECT_ATTEMPTS failed polls in a row', async () => {
    const { upstream, poll } = numbers();
    upstream.failing = Infinity;
    const { counts, observer } = observing();
    const feed = pollFeed({
      poll,
      start: 0,
      intervalMs: 5,
      settings,
      signal: new AbortController().signal,
      observer,
      logger,
      lifecycle: quiet,
    });
    expect(await collect(feed, 10)).toEqual([tailFailure(unavailable())]);
    expect(upstream.polls).toBe(settings.reconnectAttempts + 1);
    expect(counts).toEqual({ open: 0, ok: 0, failed: 4 });
  });

  it('ends at once on a failure that retrying cannot fix', async () => {
    const refused = new UpstreamError('bad key', { code: 'UNAUTHENTICATED', source: 'dify' });
    let polls = 0;
    const feed = pollFeed({
      poll: () => () => {
        polls += 1;
        return Promise.reject(refused);
      },
      start: 0,
      intervalMs: 5,
      settings,
      signal: new AbortController().signal,
      observer: observing().observer,
      logger,
      lifecycle: quiet,
    });
    expect(await collect(feed, 10)).toEqual([tailFailure(refused)]);
    expect(polls).toBe(1);
  });

  it('stops at once, mid-wait, when its signal aborts', async () => {
    const { upstream, poll } = numbers();
    const { counts, observer } = observing();
    const stop = new AbortController();
    const feed = pollFeed({
      poll,
      start: 0,
      intervalMs: 60_000,
      settings,
      signal: stop.signal,
      observer,
      logger,
      lifecycle: quiet,
    });
    expect((await feed.next()).value).toEqual({ kind: 'batch', changes: [], resume: 0, polled });
    const next = feed.next();
    await until(() => upstream.polls === 1);
    const started = Date.now();
    stop.abort();
    expect(await next).toEqual({ done: true, value: undefined });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(counts.open).toBe(0);
  });
});

describe('liveFeed', () => {
  /** A feed kind over `numbers`, counting the pollers it opens. */
  function numberFeeds() {
    const source = numbers();
    const { counts, observer } = observing();
    let opened = 0;
    const kind: FeedKind<{ name: string }, number, number> = {
      name: 'numbers',
      start: (since) => (since ? source.upstream.head - 2 : source.upstream.head),
      sighting: (value) => ({ run: String(value), change: 'FINISHED', status: 'done' }),
      poller: () => {
        opened += 1;
        return source.poll();
      },
    };
    const hub = memoryTailHub<FeedEvent<number, number>>({
      maxBacklog: settings.maxBacklog,
      failure: tailFailure,
    });
    const feeds = liveFeed(kind, {
      hub,
      intervalMs: 5,
      settings,
      observer,
      shutdown: new AbortController().signal,
    });
    const subscribe = (filter = { name: 'a' }, authorization = 'Bearer k', since?: string) => {
      const gone = new AbortController();
      const events = feeds({
        authorization,
        filter,
        since: since ? { micros: 0, iso: since } : undefined,
        signal: gone.signal,
        requestId: undefined,
        logger,
        lifecycle: quiet,
      });
      return { events, gone };
    };
    return { upstream: source.upstream, counts, subscribe, opened: () => opened };
  }

  it('shares one poller between identical feeds and stops it when the last one leaves', async () => {
    const feeds = numberFeeds();
    const a = feeds.subscribe();
    const b = feeds.subscribe();
    const other = feeds.subscribe({ name: 'b' });
    const otherKey = feeds.subscribe({ name: 'a' }, 'Bearer other');
    const reads = [a, b, other, otherKey].map(({ events }) => collect(events, 3));
    await until(() => feeds.counts.open === 3);
    feeds.upstream.head = 3;
    expect(await Promise.all(reads)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(feeds.opened()).toBe(3);
    await until(() => feeds.counts.open === 0);
  });

  it('gives a feed with since a poller of its own, from its replay', async () => {
    const feeds = numberFeeds();
    feeds.upstream.head = 10;
    const replaying = feeds.subscribe({ name: 'a' }, 'Bearer k', '2025-01-01T00:00:00Z');
    expect(await collect(replaying.events, 2)).toEqual([9, 10]);
    await until(() => feeds.counts.open === 0);
  });

  it('moves a subscriber that falls behind to a poller of its own, without a gap or a repeat', async () => {
    const feeds = numberFeeds();
    const fast = feeds.subscribe();
    const slow = feeds.subscribe();
    const slowIterator = slow.events[Symbol.asyncIterator]();
    const slowFirst = slowIterator.next();
    const fastValues: number[] = [];
    const reading = (async () => {
      for await (const value of fast.events) {
        fastValues.push(value as number);
        if (fastValues.length === 12) break;
      }
    })();
    await until(() => feeds.counts.open === 1);
    // One poll, one batch: the slow one falls TAIL_MAX_BACKLOG (3) batches behind on the fifth.
    for (let head = 1; head <= 12; head += 1) {
      feeds.upstream.head = head;
      await until(() => fastValues.length === head);
    }
    await reading;
    const slowValues = [(await slowFirst).value];
    while (slowValues.length < 12) slowValues.push((await slowIterator.next()).value);
    expect(fastValues).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(slowValues).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(feeds.opened()).toBe(2);
    await slowIterator.return?.();
    await until(() => feeds.counts.open === 0);
  });
});
