import { FixedBuffer, Repeater } from 'graphql-yoga';

/** A source of values shared by its subscribers; it stops when `signal` aborts. */
export type SharedSource<Value> = (signal: AbortSignal) => AsyncIterable<Value>;

export interface SharedTailsOptions<Value> {
  /** Values a subscriber may fall behind before it is cut off. */
  maxBacklog: number;
  /** The last value of a subscriber that fell `maxBacklog` behind. */
  overflow(): Value;
  /** The last value of every subscriber when the source fails by throwing. */
  failure(error: unknown): Value;
}

export interface Subscription<Value> {
  key: string;
  open: SharedSource<Value>;
  /** Values this subscriber wants (those from before it joined, say, it may not). */
  accept(value: Value): boolean;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

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
 * and stops when the last one leaves. Every subscriber receives every value it accepts from
 * when it joined, in order. A subscriber that falls `maxBacklog` values behind may neither hold
 * the others back nor grow without bound: it receives `overflow()` as its last value and ends.
 */
export class SharedTails<Value> {
  private readonly channels = new Map<string, Channel<Value>>();

  constructor(private readonly options: SharedTailsOptions<Value>) {}

  join(subscription: Subscription<Value>): Repeater<Value> {
    const buffer = new FixedBuffer(this.options.maxBacklog);
    return new Repeater<Value>(async (push, stop) => {
      subscription.lifecycle.started();
      const subscriber: Subscriber<Value> = {
        deliver: (value) => {
          if (!subscription.accept(value)) return;
          if (buffer.full) {
            void push(this.options.overflow());
            void stop();
            return;
          }
          void push(value);
        },
        end: (...last) => {
          if (last.length > 0) void push(last[0]!);
          void stop();
        },
      };
      const channel = this.channelFor(subscription.key, subscription.open);
      channel.subscribers.add(subscriber);
      const onGone = () => void stop();
      subscription.signal.addEventListener('abort', onGone, { once: true });
      if (subscription.signal.aborted) void stop();
      try {
        await stop;
      } finally {
        subscription.signal.removeEventListener('abort', onGone);
        channel.subscribers.delete(subscriber);
        if (channel.subscribers.size === 0) channel.stop.abort();
        subscription.lifecycle.ended();
      }
    }, buffer);
  }

  private channelFor(key: string, open: SharedSource<Value>): Channel<Value> {
    const existing = this.channels.get(key);
    if (existing && !existing.stop.signal.aborted) return existing;
    const channel: Channel<Value> = { subscribers: new Set(), stop: new AbortController() };
    this.channels.set(key, channel);
    void this.pump(key, channel, open);
    return channel;
  }

  private async pump(key: string, channel: Channel<Value>, open: SharedSource<Value>) {
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
