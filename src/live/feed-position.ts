import { Repeater } from 'graphql-yoga';
import type { Resumable } from './hub.js';
import type { FeedEvent } from './poll-loop.js';
import type { RunChange } from './run-change.js';

/** What a feed's change says of its run: which run, and the status it is a change into. */
export interface RunSighting {
  run: string;
  change: RunChange;
  /** The run's status as the change saw it (a fal request's change stands for its status). */
  status: string;
}

/** Runs a position remembers: more than any two pollers of one feed are apart. */
export const MAX_REMEMBERED_RUNS = 2_000;

/**
 * The runs a subscriber was handed changes of lately: for each, the status of the last change
 * and whether it finished. A poller hands out each run's changes so: at most one STARTED, first;
 * an UPDATED only into a status other than the last one; at most one FINISHED, last. `had` tells
 * a change that breaks this, which only a source behind what was handed out brings. (One behind
 * by two status changes of an unfinished run, as a rejoined replica's may be, can still bring the
 * older of the two: an UPDATED that is not told from a new one.)
 */
export class HandedRuns {
  /** By run, least recently handed first. */
  private readonly runs = new Map<string, { last: string; finished: boolean }>();

  record({ run, change, status }: RunSighting): void {
    const finished = change === 'FINISHED' || this.runs.get(run)?.finished === true;
    this.runs.delete(run);
    this.runs.set(run, { last: status, finished });
    if (this.runs.size > MAX_REMEMBERED_RUNS) this.runs.delete(this.runs.keys().next().value!);
  }

  /** Whether the subscriber must not be handed `sighting`: it has had it, or what came after it. */
  had({ run, change, status }: RunSighting): boolean {
    const known = this.runs.get(run);
    if (!known) return false;
    return known.finished || change === 'STARTED' || known.last === status;
  }

  copy(): HandedRuns {
    const copy = new HandedRuns();
    for (const [run, known] of this.runs) copy.runs.set(run, { ...known });
    return copy;
  }
}

/**
 * Where a feed stands for the subscribers it has handed batches to: the state after the last
 * batch (a poller from it goes on right after it) and the runs of the changes handed out lately.
 *
 * Invariant: `handed` holds the last change handed out of every run that a source the topic may
 * switch to (another replica's poller, behind by a poll or two) can still bring, so that such a
 * source's changes less those `handed` had keep each run's changes in order and once each.
 */
export interface FeedPosition<State> {
  resume: State;
  handed: HandedRuns;
  /**
   * When the latest poll of what is there (not a replay's page) whose batch was handed out began
   * (epoch ms; 0: none yet).
   */
  latestPollBegan: number;
}

/** How far the clocks of two replicas may be apart. */
export const CLOCK_SKEW_MS = 1_000;

/**
 * How a feed's events let another poller take over from them (see `Resumable`): a poller from
 * the last batch's state, and another replica's poller that this replica joins, each less the
 * changes `HandedRuns.had` (it tracks what passes, so a poller from the exact state loses
 * nothing). A batch less every change of it still carries its state, so that the position moves
 * on with it.
 *
 * A batch whose poll ended before the latest poll of what is there (not a replay's page) handed
 * out began counts as reached even when none of its changes was handed out (it is then a copy,
 * not the batch itself): that poll saw all it saw. So a replica that rejoins a poller which
 * found nothing it has not (one that started afresh, say) goes over to it after its own next
 * batch instead of waiting for a change in common.
 */
export function feedResumable<Change, State>(
  sighting: (change: Change) => RunSighting,
  open: (signal: AbortSignal, resume: State) => AsyncIterable<FeedEvent<Change, State>>,
): Resumable<FeedEvent<Change, State>, FeedPosition<State>> {
  const unseen = (position: FeedPosition<State>) => {
    const handed = position.handed.copy();
    const { latestPollBegan } = position;
    return (event: FeedEvent<Change, State>): FeedEvent<Change, State> => {
      if (event.kind === 'failed') return event;
      const fresh = event.changes.filter((change) => {
        const seen = sighting(change);
        if (handed.had(seen)) return false;
        handed.record(seen);
        return true;
      });
      const reached = event.polled.ended + CLOCK_SKEW_MS < latestPollBegan;
      return fresh.length === event.changes.length && !reached
        ? event
        : { ...event, changes: fresh };
    };
  };
  return {
    advance(position, event) {
      if (event.kind === 'failed') return position;
      // A replay's poll read a stretch of the past: it says nothing of what was there by then.
      const began = event.polled.replayed ? 0 : event.polled.began;
      const moved = position ?? {
        resume: event.resume,
        handed: new HandedRuns(),
        latestPollBegan: began,
      };
      moved.resume = event.resume;
      moved.latestPollBegan = Math.max(moved.latestPollBegan, began);
      for (const change of event.changes) moved.handed.record(sighting(change));
      return moved;
    },
    open: (signal, after) => mapped(open(signal, after.resume), unseen(after)),
    unseen,
  };
}

/**
 * Each of `events` through `map`. A Repeater rather than an async generator: returning it stops
 * `events` even while it waits for the next one.
 */
function mapped<Event>(
  events: AsyncIterable<Event>,
  map: (event: Event) => Event,
): Repeater<Event> {
  return new Repeater(async (push, stop) => {
    const iterator = events[Symbol.asyncIterator]();
    void stop.then(() => iterator.return?.());
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        await push(map(next.value));
      }
    } finally {
      await iterator.return?.();
      void stop();
    }
  });
}
