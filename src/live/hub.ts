import type { UpstreamErrorDetails } from '../errors.js';
import { UpstreamError } from '../errors.js';
import { SharedTails, type SharedTail, type Subscription } from './shared-tails.js';

/**
 * How a tail ended in failure, as plain data: a hub may carry it to another process. `details`
 * is there for an upstream failure (the contract's code and what the upstream said); without
 * it the failure is internal and is masked at the schema edge.
 */
export interface TailFailure {
  kind: 'failed';
  message: string;
  details?: UpstreamErrorDetails;
}

export function tailFailure(error: unknown): TailFailure {
  if (error instanceof UpstreamError) {
    return { kind: 'failed', message: error.message, details: { ...error.details } };
  }
  return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * How a topic's events let another source take over from them. A hub that moves a topic from
 * one source to another (another replica's, or this replica's own while Redis is away) needs
 * it; a topic without it is shared within one process only.
 */
export interface Resumable<Event, Position> {
  /**
   * Where the topic stands once `event` is handed out after `position` (undefined: nothing
   * yet). It may update `position` in place; the hub keeps only what it returns.
   */
  advance(position: Position | undefined, event: Event): Position | undefined;
  /** The topic's source going on right after `position`, without a gap or a repeat. */
  open(signal: AbortSignal, after: Position): AsyncIterable<Event>;
  /**
   * A filter for the events, in order, of a source that may have started at or before
   * `position` (another replica's, opened before this one had them all): each event less what
   * was handed out by then, that is the event itself when none of it was, undefined when all
   * of it was.
   */
  unseen(position: Position): (event: Event) => Event | undefined;
}

/**
 * Whether a subscriber at `position` has handed out (some of) `event` already, or a source
 * resumed from there would not hand it out: another source that brought `event` first covers
 * what comes next for it, so the subscriber may switch to that source.
 */
export function reached<Event, Position>(
  resumable: Pick<Resumable<Event, Position>, 'unseen'>,
  position: Position | undefined,
  event: Event | undefined,
): boolean {
  return (
    event !== undefined && position !== undefined && resumable.unseen(position)(event) !== event
  );
}

/**
 * A subscriber of a topic; see `Subscription` for what each part promises. `open` is the
 * topic's source from where this subscriber starts (the one that comes first opens it for all).
 * `resumable.open` and `resumable.unseen` must leave the position they are given as it is: the
 * hub goes on advancing it.
 */
export interface TopicSubscription<Event, Position = unknown> extends Omit<
  Subscription<Event>,
  'key'
> {
  resumable?: Resumable<Event, Position>;
}

/**
 * Live tails shared by topic: subscribers of one topic share one source, opened with the first
 * and stopped after the last. A topic is an opaque digest (no credential or filter text) and
 * events are JSON-able data, so that an implementation may fan out across processes.
 */
export interface TailHub<Event> {
  subscribe<Position>(
    topic: string,
    subscription: TopicSubscription<Event, Position>,
  ): SharedTail<Event>;
}

export interface TailHubOptions<Event> {
  /** Tells this hub's topics from other hubs' (e.g. `fal-logs`); fixed text, no client data. */
  name: string;
  /** Events a subscriber may fall behind the shared source before it goes on alone. */
  maxBacklog: number;
  /** The last event of every subscriber when the shared source fails by throwing. */
  failure(error: unknown): Event;
  /** The gateway shutting down: every topic's subscribers then end (see `SharedTailsOptions`). */
  shutdown?: AbortSignal;
}

/** Where the hubs of one gateway share their topics: this process, or Redis. Chosen once at start. */
export interface TailHubs {
  hub<Event>(options: TailHubOptions<Event>): TailHub<Event>;
  /** Why sharing is impaired now (e.g. Redis unreachable), for `/ready`; undefined when it is not. */
  trouble(): string | undefined;
  /** Once the hubs' topics have stopped: gives up what they hold (leases, connections). */
  close(): Promise<void>;
}

/** The hub of one process: topics shared in memory. */
export function memoryTailHub<Event>(
  options: Omit<TailHubOptions<Event>, 'name'> & { name?: string },
): TailHub<Event> {
  const tails = new SharedTails<Event>(options);
  return { subscribe: (topic, subscription) => tails.join({ key: topic, ...subscription }) };
}

/** Hubs sharing within this process only (no `REDIS_URL`). */
export function memoryTailHubs(): TailHubs {
  return {
    hub: memoryTailHub,
    trouble: () => undefined,
    close: () => Promise.resolve(),
  };
}
