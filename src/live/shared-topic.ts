import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { BatchedAppends } from './batched-appends.js';
import { reached, type Resumable, type TopicSubscription } from './hub.js';
import type { RedisLink } from './redis-link.js';
import { appendedAtMs, type StreamEntry, type TopicStream } from './topic-stream.js';

/** What the metrics are told of sharing through Redis. */
export interface SharingObserver {
  reachable(up: boolean): void;
  leaseTaken(takeover: boolean): void;
  leaseGivenUp(): void;
  /** A topic went on with a source of this replica's own because Redis was away. */
  fellBack(): void;
  /** How long ago the entry just read from a topic's stream was appended. */
  lag(topic: string, seconds: number): void;
  /** This replica stopped following `topic`. */
  forget(topic: string): void;
}

/** One topic as this replica shares it through Redis. */
export interface TopicSharing<Event> {
  link: RedisLink;
  stream: TopicStream;
  /** Names the topic in metrics: the start of its keyed digest. */
  label: string;
  leaseRenewMs: number;
  observer: SharingObserver;
  logger: Logger;
  /** The event a source that throws ends with. */
  failure(error: unknown): Event;
  /** Told of each follower's run, which settles once it has given up the topic. */
  track(following: Promise<void>): void;
}

export type SharedSubscription<Event, Position> = TopicSubscription<Event, Position> & {
  resumable: Resumable<Event, Position>;
};

/**
 * This replica's events of a topic shared through Redis, while it has subscribers to it (until
 * `signal` aborts), every event once and in order, whichever source they come from:
 *
 * - Sharing: one reader follows the topic's stream, and a beat every `leaseRenewMs` keeps
 *   this replica among the topic's followers and renews (or takes) the lease. Holding it, the
 *   replica runs the topic's source and appends to the stream; taking it over, it goes on after
 *   the stream's last events when others follow them (or it does), else after what it handed out.
 * - Alone: while Redis is away, the replica runs a source of its own from what it handed out.
 * - Rejoining: once Redis is back, it reads the stream again (holding the lease if it can) but
 *   keeps its own source until that source has handed out the first event the stream brought;
 *   from there the stream goes on, less what it repeats. Whatever point the stream's source
 *   resumed from (Redis may have lost the stream), the switch leaves no gap and no repeat.
 *
 * Invariant: `position` is where the events handed out so far leave the topic, and no switch of
 * source moves it but by handing out: a source of this replica's own resumes from it; a stream
 * joined while that source runs is handed out only from an event the source had reached, less
 * what `unseen` drops; and the stream a sharing phase follows has no gap, as each of its holders
 * goes on after the events it holds.
 */
export function followSharedTopic<Event, Position>(
  sharing: TopicSharing<Event>,
  first: SharedSubscription<Event, Position>,
  signal: AbortSignal,
): Repeater<Event> {
  return new Repeater(async (push, stop) => {
    const gone = new AbortController();
    const leave = () => gone.abort();
    signal.addEventListener('abort', leave, { once: true });
    if (signal.aborted) leave();
    void stop.then(leave);
    const following = new TopicFollower(sharing, first, push, gone.signal).run();
    sharing.track(following.catch(() => undefined));
    try {
      await following;
    } finally {
      signal.removeEventListener('abort', leave);
      leave();
      sharing.observer.forget(sharing.label);
      void stop();
    }
  });
}

type Outcome = 'ended' | 'stopped' | 'redis-lost';

interface Holding {
  stop: AbortController;
  finished: boolean;
  done: Promise<void>;
}

/** A source of this replica's own, handing out as it goes until stopped or it ends. */
interface OwnSource {
  /** Stops it at once: nothing more is handed out. */
  stop(): void;
  /** Whether `stop` was called (rather than the source ending by itself). */
  readonly stopped: boolean;
  /** Settles once it hands out nothing more; rejects when the source throws. */
  done: Promise<void>;
}

/** Thrown by an append once another replica holds the topic's lease. */
class LeaseLost extends Error {}

const APPEND_BATCH = 200;

class TopicFollower<Event, Position> {
  private position: Position | undefined;
  /** What a stream joined after a source of this replica's own brings that was not handed out. */
  private unseen: ((event: Event) => Event | undefined) | undefined;
  private readonly resumable: Resumable<Event, Position>;

  constructor(
    private readonly sharing: TopicSharing<Event>,
    private readonly first: SharedSubscription<Event, Position>,
    private readonly push: (event: Event) => Promise<unknown>,
    private readonly gone: AbortSignal,
  ) {
    this.resumable = first.resumable;
  }

  async run(): Promise<void> {
    const { link, observer } = this.sharing;
    await link.settled(this.gone);
    let own: OwnSource | undefined;
    try {
      while (!this.gone.aborted) {
        if (!own && !link.up) {
          observer.fellBack();
          own = this.alone();
        }
        if (own && !(await this.redisBack(own))) return;
        const outcome = await this.share(own);
        if (outcome !== 'redis-lost') return;
        if (own?.stopped) own = undefined;
      }
    } finally {
      own?.stop();
      await own?.done;
    }
  }

  private async deliver(event: Event): Promise<void> {
    const fresh = this.unseen ? this.unseen(event) : event;
    if (fresh === undefined) return;
    this.position = this.resumable.advance(this.position, fresh);
    await this.push(fresh);
  }

  /** True once Redis is back; false once `own` has ended (by itself, or the topic is gone). */
  private redisBack(own: OwnSource): Promise<boolean> {
    const waiting = new AbortController();
    return Promise.race([
      this.sharing.link.whenUp(waiting.signal).then(() => !this.gone.aborted),
      own.done.then(() => false),
    ]).finally(() => waiting.abort());
  }

  /** Runs a source of this replica's own, from what it handed out. */
  private alone(): OwnSource {
    this.unseen = undefined;
    const stop = new AbortController();
    let stopped = false;
    const onGone = () => stop.abort();
    this.gone.addEventListener('abort', onGone, { once: true });
    const source =
      this.position === undefined
        ? this.first.open(stop.signal)
        : this.resumable.open(stop.signal, this.position);
    const run = async () => {
      try {
        for await (const event of source) {
          if (stopped) break;
          await this.deliver(event);
        }
      } finally {
        stop.abort();
        this.gone.removeEventListener('abort', onGone);
      }
    };
    return {
      stop: () => {
        stopped = true;
        stop.abort();
      },
      // One per topic and Redis outage, never per request or per line.
      // eslint-disable-next-line no-restricted-syntax
      get stopped() {
        return stopped;
      },
      done: run(),
    };
  }

  /**
   * Follows the topic's stream (holding its lease when it can) until Redis is away, the topic's
   * source ends, or this replica has no subscribers left. With `own` running, rejoins (see above).
   */
  private async share(own: OwnSource | undefined): Promise<Outcome> {
    const { link, stream } = this.sharing;
    const phase = new AbortController();
    const end = () => phase.abort();
    this.gone.addEventListener('abort', end, { once: true });
    let lost = false;
    const loseRedis = (error?: unknown) => {
      if (this.gone.aborted || lost) return;
      lost = true;
      link.failed(error);
      phase.abort();
    };
    void link.whenDown(phase.signal).then(() => {
      if (!phase.signal.aborted) loseRedis();
    });
    // The topic's source ended on this replica (its end, or a failure) before it rejoined.
    let ownEnded = false;
    const ownSettled = () => {
      if (own?.stopped) return;
      ownEnded = true;
      phase.abort();
    };
    void own?.done.then(ownSettled, ownSettled);
    let reader: Redis | undefined;
    phase.signal.addEventListener('abort', () => reader?.disconnect(), { once: true });
    let beating: Promise<void> | undefined;
    let joining = own;
    const brought: Event[] = [];
    try {
      reader = await link.reader();
      if (phase.signal.aborted) reader.disconnect();
      let lastId = await stream.newestId();
      beating = this.beat(phase.signal, loseRedis);
      for (;;) {
        const blockMs = joining ? this.sharing.leaseRenewMs : 0;
        for (const { id, entry } of await stream.read(reader, lastId, blockMs)) {
          lastId = id;
          this.sharing.observer.lag(this.sharing.label, (Date.now() - appendedAtMs(id)) / 1000);
          if (entry.kind === 'end') {
            // The shared source ended; this replica's own goes on, and so will the next holder's.
            if (!joining) return 'ended';
            brought.length = 0;
            continue;
          }
          const event = JSON.parse(entry.data) as Event;
          if (joining) brought.push(event);
          else await this.deliver(event);
        }
        if (joining && reached(this.resumable, this.position, brought[0])) {
          joining.stop();
          await joining.done;
          joining = undefined;
          this.unseen = this.resumable.unseen(this.position!);
          for (const event of brought.splice(0)) await this.deliver(event);
        }
      }
    } catch (error) {
      if (this.gone.aborted) return 'stopped';
      if (ownEnded) return 'ended';
      loseRedis(error);
      return 'redis-lost';
    } finally {
      phase.abort();
      this.gone.removeEventListener('abort', end);
      reader?.disconnect();
      await beating;
      // Gives the lease up at once, so that another replica's subscribers need not wait for it to lapse.
      if (!lost) await stream.leave().catch(() => undefined);
    }
  }

  /** Every `leaseRenewMs`: renews this replica's place among the followers and the lease. */
  private async beat(phase: AbortSignal, loseRedis: (error: unknown) => void): Promise<void> {
    let holding: Holding | undefined;
    try {
      while (!phase.aborted) {
        if (holding?.finished) holding = undefined;
        const { holding: held, others } = await this.sharing.stream.beat();
        if (held && !holding) holding = this.hold(phase, others, loseRedis);
        if (!held && holding) {
          holding.stop.abort();
          await holding.done;
          holding = undefined;
        }
        await sleep(this.sharing.leaseRenewMs, undefined, { signal: phase }).catch(() => undefined);
      }
    } catch (error) {
      loseRedis(error);
    } finally {
      holding?.stop.abort();
      await holding?.done;
    }
  }

  /** Runs the topic's source while this replica holds the lease, appending what it hands out. */
  private hold(phase: AbortSignal, others: number, loseRedis: (error: unknown) => void): Holding {
    const stop = new AbortController();
    const onPhaseEnd = () => stop.abort();
    phase.addEventListener('abort', onPhaseEnd, { once: true });
    const holding: Holding = { stop, finished: false, done: Promise.resolve() };
    holding.done = (async () => {
      let taken = false;
      try {
        const { stream, observer } = this.sharing;
        const since = (await stream.eventsSinceEnd()).map((data) => JSON.parse(data) as Event);
        // Others follow the stream, or this replica does: go on after it. Else what the stream
        // keeps is a past run's (or Redis lost it): go on after what this replica handed out.
        const continuing = since.length > 0 && (others > 0 || this.position !== undefined);
        const after = continuing
          ? since.reduce<Position | undefined>(
              (position, event) => this.resumable.advance(position, event),
              undefined,
            )
          : this.position;
        observer.leaseTaken(continuing);
        taken = true;
        this.sharing.logger.debug(
          { topic: this.sharing.label, others, continuing },
          'took the lease of a shared live topic',
        );
        const source =
          after === undefined
            ? this.first.open(stop.signal)
            : this.resumable.open(stop.signal, after);
        const appends = new BatchedAppends<StreamEntry>(async (batch) => {
          if (!(await stream.append(batch))) throw new LeaseLost();
        }, APPEND_BATCH);
        for await (const event of failingAs(source, (error) => this.sharing.failure(error))) {
          await appends.add({ kind: 'event', data: JSON.stringify(event) });
        }
        if (!stop.signal.aborted) await appends.add({ kind: 'end' });
        await appends.drained();
      } catch (error) {
        if (error instanceof LeaseLost) {
          this.sharing.logger.info(
            { topic: this.sharing.label },
            'lost the lease of a shared live topic',
          );
        } else if (!stop.signal.aborted) loseRedis(error);
      } finally {
        if (taken)
          this.sharing.logger.debug(
            { topic: this.sharing.label },
            'gave up the lease of a shared live topic',
          );
        stop.abort();
        phase.removeEventListener('abort', onPhaseEnd);
        if (taken) this.sharing.observer.leaseGivenUp();
        holding.finished = true;
      }
    })();
    return holding;
  }
}

/** `events`, ending with `failure(error)` instead of throwing it. */
async function* failingAs<Event>(
  events: AsyncIterable<Event>,
  failure: (error: unknown) => Event,
): AsyncGenerator<Event> {
  try {
    yield* events;
  } catch (error) {
    yield failure(error);
  }
}
