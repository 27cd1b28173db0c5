import { FixedBuffer, Repeater } from 'graphql-yoga';

/** A source of values; it stops when `signal` aborts. */
export type TailSource<Value> = (signal: AbortSignal) => AsyncIterable<Value>;

export interface SharedTailsOptions<Value> {
  /** Values a subscriber may fall behind the shared source before it goes on alone. */
  maxBacklog: number;
  /** The last value of every subscriber when the shared source fails by throwing. */
  failure(error: unknown): Value;
  /**
   * The gateway shutting down: every source stops then, as when its last subscriber leaves, and
   * its subscribers end, as do those gone on with a source of their own. It is listened to once
   * per hub, and per source of a subscriber's own, not once per subscriber.
   */
  shutdown?: AbortSignal;
}

export interface Subscription<Value> {
  key: string;
  open: TailSource<Value>;
  /**
   * Offered each value of the shared source, in order, while the subscriber keeps up; true
   * hands it over (a line stamped before the subscriber came, say, is not).
   */
  take(value: Value): boolean;
  /**
   * The subscriber's own source, for when it falls `maxBacklog` values behind: it must go on
   * right after the last value `take` handed over, without a gap or a repeat.
   */
  goOnAlone: TailSource<Value>;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/**
 * A subscriber that takes a shared tail's values as they come, with no buffer of its own here
 * (see `SharedTail.follow`).
 */
export interface TailFollower<Value> {
  /**
   * Each value handed over, in order. Returns how many values the follower holds that it has not
   * passed on yet (its backlog): at `maxBacklog` it leaves the shared source (see `alone`).
   */
  next(value: Value): number;
  /** The subscription has ended, after `last` when given; nothing comes after. */
  end(last?: Value): void;
  /**
   * The follower fell `maxBacklog` values behind: `values` go on right after the last value
   * handed over, without a gap or a repeat, read at its own pace. Returning their iterator ends
   * the subscription.
   */
  alone(values: AsyncIterable<Value>): void;
}

/**
 * A subscription to a shared tail: iterated (each value buffered for it, up to `maxBacklog`), or,
 * before it is iterated, followed (each value passed to a follower as the shared source brings it).
 */
export type SharedTail<Value> = Repeater<Value> & {
  /**
   * Hands the values to `follower` instead; the subscription must not be iterated then. Returns
   * how the follower leaves (its client went away); `follower.end` is not called then.
   */
  follow(follower: TailFollower<Value>): () => void;
};

interface Subscriber<Value> {
  deliver(value: Value): void;
  /** Ends the subscription, after `last` when given. */
  end(last?: Value): void;
}

interface Channel<Value> {
  subscribers: Set<Subscriber<Value>>;
  stop: AbortController;
}

/**
 * One source per key, however many subscribe to it: the source opens with the first subscriber
 * and stops when the last one leaves. Every subscriber receives every value it takes, in order.
 * A subscriber that falls `maxBacklog` values behind (a client that reads slowly) may neither
 * hold the others back nor grow without bound: it leaves the shared source and goes on with a
 * source of its own, which it then reads at its own pace.
 */
export class SharedTails<Value> {
  private readonly channels = new Map<string, Channel<Value>>();

  constructor(private readonly options: SharedTailsOptions<Value>) {
    options.shutdown?.addEventListener(
      'abort',
      () => {
        for (const channel of this.channels.values()) channel.stop.abort();
      },
      { once: true },
    );
  }

  join(subscription: Subscription<Value>): SharedTail<Value> {
    const buffer = new FixedBuffer(this.options.maxBacklog);
    const iterated = new Repeater<Value>(async (push, stop) => {
      subscription.lifecycle.started();
      let fellBehind = () => undefined as void;
      const behind = new Promise<void>((resolve) => (fellBehind = resolve));
      const leave = this.enter(subscription, {
        deliver: (value) => {
          if (buffer.full) fellBehind();
          else if (subscription.take(value)) void push(value);
        },
        end: (...last) => {
          if (last.length > 0) void push(last[0]!);
          void stop();
        },
      });
      const own = new AbortController();
      const onGone = () => void stop();
      subscription.signal.addEventListener('abort', onGone, { once: true });
      if (subscription.signal.aborted) void stop();
      try {
        if ((await Promise.race([stop.then(() => false), behind.then(() => true)])) === false) {
          return;
        }
        leave();
        void stop.then(() => own.abort());
        for await (const value of subscription.goOnAlone(this.untilShutdown(own.signal))) {
          await push(value);
        }
        void stop();
      } finally {
        subscription.signal.removeEventListener('abort', onGone);
        own.abort();
        leave();
        subscription.lifecycle.ended();
      }
    }, buffer);
    return Object.assign(iterated, {
      follow: (follower: TailFollower<Value>) => this.follow(subscription, follower),
    });
  }

  /**
   * `follower` is handed each value the shared source brings, synchronously, until it ends, the
   * subscriber goes away, or the follower falls `maxBacklog` behind (it then goes on alone).
   */
  private follow(subscription: Subscription<Value>, follower: TailFollower<Value>): () => void {
    subscription.lifecycle.started();
    const own = new AbortController();
    let ended = false;
    const finish = () => {
      if (ended) return;
      ended = true;
      subscription.signal.removeEventListener('abort', onGone);
      own.abort();
      leave();
      subscription.lifecycle.ended();
    };
    const onGone = () => {
      finish();
      follower.end();
    };
    // Ends the subscription when its own source ends, fails or is returned (even unstarted).
    const goOnAlone = (): AsyncIterable<Value> => ({
      [Symbol.asyncIterator]: () => {
        const source = subscription.goOnAlone(this.untilShutdown(own.signal));
        const values = source[Symbol.asyncIterator]();
        return {
          next: async () => {
            try {
              const next = await values.next();
              if (next.done) finish();
              return next;
            } catch (error) {
              finish();
              throw error;
            }
          },
          return: async () => {
            finish();
            await values.return?.();
            return { done: true, value: undefined };
          },
        };
      },
    });
    const leave = this.enter(subscription, {
      deliver: (value) => {
        if (ended || !subscription.take(value)) return;
        if (follower.next(value) < this.options.maxBacklog) return;
        leave();
        follower.alone(goOnAlone());
      },
      end: (...last) => {
        finish();
        follower.end(...last);
      },
    });
    subscription.signal.addEventListener('abort', onGone, { once: true });
    if (subscription.signal.aborted) onGone();
    return finish;
  }

  /** `signal` or the gateway's shutdown, whichever aborts first. */
  private untilShutdown(signal: AbortSignal): AbortSignal {
    const { shutdown } = this.options;
    return shutdown ? AbortSignal.any([signal, shutdown]) : signal;
  }

  /** Adds `subscriber` to its key's channel (opening it when needed); returns how it leaves. */
  private enter(subscription: Subscription<Value>, subscriber: Subscriber<Value>): () => void {
    const channel = this.channelFor(subscription.key, subscription.open);
    channel.subscribers.add(subscriber);
    return () => {
      if (!channel.subscribers.delete(subscriber)) return;
      if (channel.subscribers.size === 0) channel.stop.abort();
    };
  }

  private channelFor(key: string, open: TailSource<Value>): Channel<Value> {
    const existing = this.channels.get(key);
    if (existing && !existing.stop.signal.aborted) return existing;
    const channel: Channel<Value> = { subscribers: new Set(), stop: new AbortController() };
    this.channels.set(key, channel);
    if (this.options.shutdown?.aborted) channel.stop.abort();
    void this.pump(key, channel, open);
    return channel;
  }

  private async pump(key: string, channel: Channel<Value>, open: TailSource<Value>) {
    const last: Value[] = [];
    try {
      for await (const value of open(channel.stop.signal)) {
        for (const subscriber of channel.subscribers) subscriber.deliver(value);
      }
    } catch (error) {
      last.push(this.options.failure(error));
    } finally {
      channel.stop.abort();
      if (this.channels.get(key) === channel) this.channels.delete(key);
      for (const subscriber of channel.subscribers) subscriber.end(...last);
    }
  }
}
