import { FixedBuffer, Repeater } from 'graphql-yoga';

/** A source of values; it stops when `signal` aborts. */
export type TailSource<Value> = (signal: AbortSignal) => AsyncIterable<Value>;

export interface SharedTailsOptions<Value> {
  /** Values a subscriber may fall behind the shared source before it goes on alone. */
  maxBacklog: number;
  /** The last value of every subscriber when the shared source fails by throwing. */
  failure(error: unknown): Value;
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

  constructor(private readonly options: SharedTailsOptions<Value>) {}

  join(subscription: Subscription<Value>): Repeater<Value> {
    const buffer = new FixedBuffer(this.options.maxBacklog);
    return new Repeater<Value>(async (push, stop) => {
      subscription.lifecycle.started();
      let fellBehind = () => undefined as void;
      const behind = new Promise<void>((resolve) => (fellBehind = resolve));
      const subscriber: Subscriber<Value> = {
        deliver: (value) => {
          if (buffer.full) fellBehind();
          else if (subscription.take(value)) void push(value);
        },
        end: (...last) => {
          if (last.length > 0) void push(last[0]!);
          void stop();
        },
      };
      const channel = this.channelFor(subscription.key, subscription.open);
      channel.subscribers.add(subscriber);
      const leave = () => {
        if (!channel.subscribers.delete(subscriber)) return;
        if (channel.subscribers.size === 0) channel.stop.abort();
      };
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
        for await (const value of subscription.goOnAlone(own.signal)) await push(value);
        void stop();
      } finally {
        subscription.signal.removeEventListener('abort', onGone);
        own.abort();
        leave();
        subscription.lifecycle.ended();
      }
    }, buffer);
  }

  private channelFor(key: string, open: TailSource<Value>): Channel<Value> {
    const existing = this.channels.get(key);
    if (existing && !existing.stop.signal.aborted) return existing;
    const channel: Channel<Value> = { subscribers: new Set(), stop: new AbortController() };
    this.channels.set(key, channel);
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
