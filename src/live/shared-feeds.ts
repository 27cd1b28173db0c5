import { Repeater } from 'graphql-yoga';
import { catchUp } from './catch-up.js';
import { feedResumable, type RunSighting } from './feed-position.js';
import type { TailFailure, TailHub } from './hub.js';
import type { FeedBatch, FeedEvent } from './poll-loop.js';

type Lifecycle = { started(): void; ended(): void };

const UNCOUNTED: Lifecycle = { started: () => undefined, ended: () => undefined };

/**
 * How a feed replaying from a past moment may go over to the poller of its filter (see
 * `catchUp`). A replay's poller and the shared one differ in what they follow, so its position
 * alone does not tell when the shared poller covers what comes next.
 */
export interface FeedHandOver<Change, State> {
  /**
   * Whether a replay's poller at `own` may leave what comes next to the shared poller at
   * `shared`: it is done replaying, and the shared poller follows every run it follows.
   */
  covered: (own: State, shared: State) => boolean;
  /**
   * Whether a replay from `start` hands out `change`: the shared poller also follows runs from
   * before the replay's beginning, which are not the replay's.
   */
  owns: (change: Change, start: State) => boolean;
}

export interface FeedReplay<Change, State> {
  start: State;
  /** Without it, the replay polls alone for its whole life. */
  handOver: FeedHandOver<Change, State> | undefined;
  /** Batches the shared poller may bring before the replay has caught up (see `catchUp`). */
  maxBrought: number;
}

export interface FeedFollower<Change, State> {
  hub: TailHub<FeedEvent<Change, State>>;
  /** The feed's topic in the hub, whose poller starts from `fresh`. */
  topic: string;
  fresh: State;
  /** Replays from a past moment first, with a poller of its own. */
  replay: FeedReplay<Change, State> | undefined;
  /** A poller of the feed from `from`. */
  open(
    signal: AbortSignal,
    lifecycle: Lifecycle,
    from: State,
  ): AsyncIterable<FeedEvent<Change, State>>;
  /** What a change says of its run, which is what a hub moving the topic between pollers keeps. */
  sighting: (change: Change) => RunSighting;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: Lifecycle;
}

const isBatch = <Change, State>(
  event: FeedEvent<Change, State> | undefined,
): event is FeedBatch<Change, State> => event?.kind === 'batch';

/**
 * A subscriber's changes of a feed. Identical subscribers share the topic's poller through the
 * hub (across replicas, when the hub shares through Redis: the topic is resumable from its
 * batches); one that falls behind goes on with a poller of its own from the state after the last
 * batch it was handed, so that it sees neither a gap nor a repeat. A replay reads a poller of its
 * own, and goes over to the topic's once it has caught up with it when the feed's kind can tell
 * (`FeedHandOver`).
 */
export function followFeed<Change, State>(
  follower: FeedFollower<Change, State>,
): Repeater<Change | TailFailure> {
  const { replay, signal, lifecycle } = follower;
  const resumable = feedResumable(follower.sighting, (sourceSignal, resume: State) =>
    follower.open(sourceSignal, UNCOUNTED, resume),
  );
  const shared = (subscriberSignal: AbortSignal, counted: Lifecycle) => {
    let handed: State | undefined;
    return follower.hub.subscribe(follower.topic, {
      open: (sourceSignal) => follower.open(sourceSignal, UNCOUNTED, follower.fresh),
      take: (event) => {
        if (event.kind === 'batch') handed = event.resume;
        return true;
      },
      goOnAlone: (ownSignal) => follower.open(ownSignal, UNCOUNTED, handed ?? follower.fresh),
      signal: subscriberSignal,
      lifecycle: counted,
      resumable,
    });
  };
  if (!replay) return changesOf(shared(signal, lifecycle));
  const { start, handOver } = replay;
  if (!handOver) return changesOf(follower.open(signal, lifecycle, start));
  const events = catchUp({
    own: (ownSignal) => follower.open(ownSignal, UNCOUNTED, start),
    join: (joinSignal) => shared(joinSignal, UNCOUNTED),
    resumable,
    ends: (event) => event.kind === 'failed',
    covered: (position, brought) => {
      const last = brought.at(-1);
      return isBatch(last) && handOver.covered(position.resume, last.resume);
    },
    maxBrought: replay.maxBrought,
    signal,
    lifecycle,
  });
  return changesOf(events, (change) => handOver.owns(change, start));
}

/**
 * The changes of each batch one by one (those `keep` keeps), then the failure, if any, last. A
 * Repeater rather than an async generator: returning it stops the feed even while it waits for
 * the next poll.
 */
function changesOf<Change, State>(
  events: AsyncIterable<FeedEvent<Change, State>>,
  keep: (change: Change) => boolean = () => true,
): Repeater<Change | TailFailure> {
  return new Repeater(async (push, stop) => {
    const iterator = events[Symbol.asyncIterator]();
    void stop.then(() => iterator.return?.());
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        const event = next.value;
        if (event.kind === 'failed') {
          await push(event);
          return;
        }
        for (const change of event.changes) if (keep(change)) await push(change);
      }
    } finally {
      await iterator.return?.();
      void stop();
    }
  });
}
