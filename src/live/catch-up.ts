import { Repeater } from 'graphql-yoga';
import { reached, type Resumable } from './hub.js';
import type { SharedTail, TailFollower } from './shared-tails.js';
import { STOPPED } from './stopped.js';

/** A subscriber that replays from a past moment, and the shared tail it may go on with. */
export interface CatchUpRequest<Event, Position> {
  /** The subscriber's own source, from the moment it asked for. */
  own(signal: AbortSignal): AsyncIterable<Event>;
  /** A subscription to the shared tail of the same topic, taking every event from that moment. */
  join(signal: AbortSignal): SharedTail<Event>;
  resumable: Pick<Resumable<Event, Position>, 'advance' | 'unseen'>;
  /** Whether an event ends the tail (a failure): a shared tail that brings one is not joined. */
  ends(event: Event): boolean;
  /**
   * Whether the own source, at `position`, may hand over to the shared tail that brought
   * `brought` (oldest first), once it has reached the first of them. Without it, it may.
   */
  covered?(position: Position, brought: readonly Event[]): boolean;
  /**
   * The shared tail's copy, among `brought`, of `own`, the event the own source switched on; it
   * is handed out in place of `own`, so that subscribers switching on the same event (replays
   * from different moments after a restart, all catching up on the next live line) can share
   * its run and frame. Without it, or without a copy, `own` is handed out.
   */
  twin?(own: Event, brought: readonly Event[]): Event | undefined;
  /**
   * Events the shared tail may bring before the own source has reached the first of them; past
   * that, the subscription to it is dropped and a fresh one taken.
   */
  maxBrought: number;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/** A follower of a replay (see `CatchUpTail.follow`). */
export interface ReplayFollower<Event> extends TailFollower<Event> {
  /**
   * `values` come first, read at the follower's pace: whatever `next`, `alone` and `end` bring
   * goes after them. When they end before the replay caught up, `end` has been called.
   */
  first(values: AsyncIterable<Event>): void;
}

/** A source a follower may be handed instead of iterating it: a shared tail, or a replay. */
export interface Followable<Event> {
  /** Returns how the follower leaves (its client went away); `follower.end` is not called then. */
  follow(follower: ReplayFollower<Event>): () => void;
}

/** A replay's events: iterated, or, before it is iterated, followed. */
export type CatchUpTail<Event> = Repeater<Event> & Followable<Event>;

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Where a replay stands: what its own source has handed out, what the shared tail brought
 * meanwhile, and, once it has switched, which part of each shared event is still to be handed
 * out (`unseen`).
 */
class Replay<Event, Position> {
  private position: Position | undefined;
  private brought: Event[] = [];
  /** What the shared tail brought before the switch, to be handed out right after it. */
  private rest: Event[] = [];
  private unseen: ((event: Event) => Event | undefined) | undefined;
  /** The shared tail ended or failed before the switch: the own source goes on alone. */
  joinOver = false;
  /** Stops the own source (see `stopOwn`); let go once it has. */
  private ownStop: AbortController | undefined = new AbortController();

  constructor(private readonly request: CatchUpRequest<Event, Position>) {}

  get switched(): boolean {
    return this.unseen !== undefined;
  }

  /** After the switch: what of a shared event the own source has not handed out, if any. */
  fresh(event: Event): Event | undefined {
    return this.unseen!(event);
  }

  /**
   * The shared tail brought `event` before the switch. `kept` unless the subscription to it must
   * be left: it `ends`, or brought too much (`overflow`: a fresh one may be taken).
   */
  bring(event: Event): 'kept' | 'ends' | 'overflow' {
    if (this.request.ends(event)) return 'ends';
    if (this.brought.push(event) > this.request.maxBrought) return 'overflow';
    this.switchWhenCaughtUp();
    return 'kept';
  }

  /** A subscription to the shared tail is over before the switch. */
  left(overflowed: boolean) {
    this.brought = [];
    if (!overflowed) this.joinOver = true;
  }

  /**
   * The own source's events until the switch, then what the shared tail brought before it, less
   * what the own source handed out; over there. It also ends when the own source does before
   * the switch (`switched` is false then).
   */
  events(): AsyncIterator<Event> {
    const stopped = this.ownStop?.signal ?? AbortSignal.abort(STOPPED);
    const own = this.request.own(stopped)[Symbol.asyncIterator]();
    const next = async (): Promise<IteratorResult<Event, undefined>> => {
      for (;;) {
        if (this.switched) {
          if (this.rest.length === 0) return DONE;
          const fresh = this.fresh(this.rest.shift()!);
          if (fresh !== undefined) return { done: false, value: fresh };
          continue;
        }
        let event: IteratorResult<Event>;
        try {
          event = await own.next();
        } catch (error) {
          // The own source stopped (at the switch, or as the replay ends) may end by throwing.
          if (this.switched) continue;
          if (stopped.aborted) return DONE;
          throw error;
        }
        // Switched meanwhile: the shared tail covers what comes after what was handed out.
        if (this.switched) continue;
        if (event.done || stopped.aborted) return DONE;
        this.position = this.request.resumable.advance(this.position, event.value);
        this.switchWhenCaughtUp();
        if (!this.switched) return { done: false, value: event.value };
        return { done: false, value: this.request.twin?.(event.value, this.rest) ?? event.value };
      }
    };
    return {
      next,
      return: async () => {
        this.stopOwn();
        await own.return?.();
        return DONE;
      },
    };
  }

  /** Switches to the shared tail once the own source has reached what it brought first. */
  private switchWhenCaughtUp() {
    const { request, position, brought } = this;
    if (this.switched || this.joinOver || !reached(request.resumable, position, brought[0])) return;
    if (request.covered && !request.covered(position!, brought)) return;
    this.unseen = request.resumable.unseen(position!);
    this.position = undefined;
    this.rest = brought;
    this.brought = [];
    this.stopOwn();
  }

  /** Stops the own source: at the switch, or when the replay ends. */
  stopOwn() {
    this.ownStop?.abort(STOPPED);
    this.ownStop = undefined;
  }
}

/**
 * A replay that goes on with the shared tail once it has caught up with it. The own source
 * hands its events out, while a subscription to the shared tail collects what that tail brings
 * (`brought`). Once the own source has handed out (or gone past) the first event brought, the
 * own source stops, and the shared tail goes on from there, less what the own source handed
 * out already (`unseen`): no gap and no repeat, as when a shared tail's subscriber rejoins it.
 * A replay then costs an upstream source only until it has caught up.
 *
 * A source whose position alone does not tell whether the shared tail covers what comes next
 * (a feed's poller, which follows runs the shared one may not) says so with `covered`.
 *
 * The own source ends the subscription when it ends before the switch (its failure, or the end
 * of the window); the shared tail ends it after. A shared tail that ends or fails before the
 * switch is left, and the own source goes on alone.
 *
 * Iterated, the replay reads the shared tail as an iterator after the switch too. Followed
 * (`follow`), the follower reads the replay up to the switch (`ReplayFollower.first`) and is then
 * handed the shared tail's events as that tail brings them, as any of its followers is.
 *
 * Invariant: events are handed out in order: the own source's until the switch, then what the
 * shared tail brought before it, then the shared tail's as they come.
 */
export function catchUp<Event, Position>(
  request: CatchUpRequest<Event, Position>,
): CatchUpTail<Event> {
  return Object.assign(iterated(request), {
    follow: (follower: ReplayFollower<Event>) => followed(request, follower),
  });
}

function iterated<Event, Position>(request: CatchUpRequest<Event, Position>): Repeater<Event> {
  const { lifecycle } = request;
  return new Repeater<Event>(async (push, stop) => {
    lifecycle.started();
    const replay = new Replay(request);
    const done = new AbortController();
    const leave = () => void stop();
    request.signal.addEventListener('abort', leave, { once: true });
    if (request.signal.aborted) leave();
    void stop.then(() => done.abort());
    done.signal.addEventListener('abort', () => replay.stopOwn(), { once: true });

    /** Settles once the own source's events, and what the shared tail brought, are out. */
    const ownRun = (async () => {
      const events = replay.events();
      for (let next = await events.next(); !next.done; next = await events.next()) {
        await push(next.value);
      }
      if (!replay.switched) void stop();
    })();
    const joinRun = async () => {
      while (!done.signal.aborted && !replay.joinOver) {
        const attempt = new AbortController();
        const onDone = () => attempt.abort();
        done.signal.addEventListener('abort', onDone, { once: true });
        let overflowed = false;
        try {
          for await (const event of request.join(attempt.signal)) {
            if (replay.switched) {
              await ownRun;
              const fresh = replay.fresh(event);
              if (fresh !== undefined) await push(fresh);
              continue;
            }
            const brought = replay.bring(event);
            if (brought !== 'kept') {
              overflowed = brought === 'overflow';
              break;
            }
          }
        } catch (error) {
          // Before the switch, a shared tail that throws is left like one that fails.
          if (replay.switched) throw error;
        } finally {
          attempt.abort();
          done.signal.removeEventListener('abort', onDone);
        }
        if (replay.switched) {
          await ownRun;
          void stop();
          return;
        }
        replay.left(overflowed);
      }
    };

    try {
      await Promise.all([ownRun, joinRun(), stop]);
    } finally {
      request.signal.removeEventListener('abort', leave);
      done.abort();
      lifecycle.ended();
    }
  });
}

/** `values` less what the own source handed out before the switch. */
function unseenOf<Event>(
  values: AsyncIterable<Event>,
  fresh: (event: Event) => Event | undefined,
): AsyncIterable<Event> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = values[Symbol.asyncIterator]();
      return {
        async next() {
          for (;;) {
            const next = await iterator.next();
            if (next.done) return next;
            const value = fresh(next.value);
            if (value !== undefined) return { done: false, value };
          }
        },
        // Returned at once, not after a pending `next`: the source stops when the client goes.
        return: async () => (await iterator.return?.()) ?? DONE,
      };
    },
  };
}

/**
 * What a follower reads first: the replay's events up to the switch (see `Replay.events`);
 * `endedAlone` is told when they end before it. Made apart from the follower's other state, so
 * that what it holds (the own source) goes once the follower has read it.
 */
function replayed<Event, Position>(
  replay: Replay<Event, Position>,
  endedAlone: () => void,
): AsyncIterable<Event> {
  return {
    [Symbol.asyncIterator]() {
      const events = replay.events();
      return {
        async next() {
          const next = await events.next();
          if (next.done && !replay.switched) endedAlone();
          return next;
        },
        return: () => events.return!(),
      };
    },
  };
}

function followed<Event, Position>(
  request: CatchUpRequest<Event, Position>,
  follower: ReplayFollower<Event>,
): () => void {
  const { lifecycle, signal } = request;
  lifecycle.started();
  const replay = new Replay(request);
  let over = false;
  let leaveJoin: () => void = () => undefined;
  const finish = () => {
    if (over) return;
    over = true;
    signal.removeEventListener('abort', gone);
    replay.stopOwn();
    leaveJoin();
    lifecycle.ended();
  };
  const gone = () => {
    if (over) return;
    finish();
    follower.end();
  };

  const joinFollower: TailFollower<Event> = {
    next(event) {
      if (replay.switched) {
        const fresh = replay.fresh(event);
        return fresh === undefined ? 0 : follower.next(fresh);
      }
      const brought = replay.bring(event);
      if (brought !== 'kept') {
        leaveJoin();
        replay.left(brought === 'overflow');
        if (!replay.joinOver) join();
      }
      return 0;
    },
    end(...last) {
      if (!replay.switched) {
        replay.left(false);
        return;
      }
      finish();
      follower.end(...last);
    },
    // Only after the switch: before it, `next` never tells of a backlog.
    alone: (values) => follower.alone(unseenOf(values, (event) => replay.fresh(event))),
  };
  // The subscription to the shared tail goes when the subscriber does: it ends then before the
  // switch (`joinFollower.end`), and with it the replay after; `gone` does the rest.
  const join = () => {
    leaveJoin = request.join(signal).follow(joinFollower);
  };

  follower.first(replayed(replay, gone));
  signal.addEventListener('abort', gone, { once: true });
  if (signal.aborted) gone();
  else join();
  return finish;
}
