import { Repeater } from 'graphql-yoga';
import { feedResumable, type RunSighting } from './feed-position.js';
import type { TailFailure, TailHub } from './hub.js';
import type { FeedEvent } from './poll-loop.js';

type Lifecycle = { started(): void; ended(): void };

const UNCOUNTED: Lifecycle = { started: () => undefined, ended: () => undefined };

export interface FeedFollower<Change, State> {
  hub: TailHub<FeedEvent<Change, State>>;
  /** The feed's topic in the hub; undefined for a feed of its own (one replaying from `since`). */
  topic: string | undefined;
  /** A poller of the feed, from `resume` when given (else from its start). */
  open(
    signal: AbortSignal,
    lifecycle: Lifecycle,
    resume?: State,
  ): AsyncIterable<FeedEvent<Change, State>>;
  /** What a change says of its run, which is what a hub moving the topic between pollers keeps. */
  sighting: (change: Change) => RunSighting;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: Lifecycle;
}

/**
 * A subscriber's changes of a feed. With a topic, identical subscribers share one poller through
 * the hub (across replicas, when the hub shares through Redis: the topic is resumable from its
 * batches); one that falls behind goes on with a poller of its own from the state after the last
 * batch it was handed, so that it sees neither a gap nor a repeat. Without one, it has its own.
 */
export function followFeed<Change, State>(
  follower: FeedFollower<Change, State>,
): Repeater<Change | TailFailure> {
  const { topic, signal, lifecycle } = follower;
  if (topic === undefined) return changesOf(follower.open(signal, lifecycle));
  let handed: State | undefined;
  return changesOf(
    follower.hub.subscribe(topic, {
      open: (sourceSignal) => follower.open(sourceSignal, UNCOUNTED),
      take: (event) => {
        if (event.kind === 'batch') handed = event.resume;
        return true;
      },
      goOnAlone: (ownSignal) => follower.open(ownSignal, UNCOUNTED, handed),
      signal,
      lifecycle,
      resumable: feedResumable(follower.sighting, (sourceSignal, resume) =>
        follower.open(sourceSignal, UNCOUNTED, resume),
      ),
    }),
  );
}

/**
 * The changes of each batch one by one, then the failure, if any, last. A Repeater rather than an
 * async generator: returning it stops the feed even while it waits for the next poll.
 */
function changesOf<Change, State>(
  events: AsyncIterable<FeedEvent<Change, State>>,
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
        for (const change of event.changes) await push(change);
      }
    } finally {
      await iterator.return?.();
      void stop();
    }
  });
}
