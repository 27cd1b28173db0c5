import type { Logger } from 'pino';
import type { TailSettings } from '../config.js';
import { argumentsDigest } from '../digest.js';
import type { Instant } from '../time.js';
import type { CallOptions } from '../upstreams/http.js';
import type { RunSighting } from './feed-position.js';
import type { TailFailure, TailHub } from './hub.js';
import { pollFeed, type FeedEvent, type Poll, type PollObserver } from './poll-loop.js';
import { followFeed, type FeedHandOver } from './shared-feeds.js';

/** A subscriber's live feed as the schema asks for it. */
export interface LiveFeedRequest<Filter> {
  authorization: string;
  filter: Filter;
  /** Replay from here first, with a poller of its own (see `followFeed`). */
  since: Instant | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** The subscribing request's id, sent upstream with every poll. */
  requestId: string | undefined;
  logger: Logger;
  /** Told when the feed starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/** The changes a feed hands a subscriber, then at most one failure, last. */
export type LiveFeed<Filter, Change> = (
  request: LiveFeedRequest<Filter>,
) => AsyncIterable<Change | TailFailure>;

/**
 * What makes one kind of feed: where it starts, its poll with one client's credential, and what
 * its changes say of their runs. Its states are plain JSON-able data without a credential or
 * filter text: a feed shared through Redis carries them in its batches.
 */
export interface FeedKind<Filter, Change, State> {
  /** Names the kind in topics, so that two kinds never share a poller. */
  name: string;
  start(since: Instant | undefined): State;
  sighting: (change: Change) => RunSighting;
  /** How a replay goes over to the shared poller; without it, a replay polls alone for life. */
  handOver?: FeedHandOver<Change, State>;
  poller(
    authorization: string,
    filter: Filter,
    call: CallOptions,
    logger: Logger,
  ): Poll<Change, State>;
}

export interface LiveFeedOptions<Change, State> {
  hub: TailHub<FeedEvent<Change, State>>;
  intervalMs: number;
  settings: TailSettings;
  observer: PollObserver;
  /** Aborted when the gateway starts shutting down: feeds then complete. */
  shutdown: AbortSignal;
}

/**
 * Feeds of one kind. Feeds that carry the same credential and filter share one poller through
 * the hub (a topic is a digest: no credential or filter text); a feed with `since` replays from
 * there with a poller of its own, and joins the shared one once it has caught up with it, when
 * the kind can tell (`FeedKind.handOver`).
 */
export function liveFeed<Filter, Change, State>(
  kind: FeedKind<Filter, Change, State>,
  options: LiveFeedOptions<Change, State>,
): LiveFeed<Filter, Change> {
  return (request) => {
    const open = (
      signal: AbortSignal,
      lifecycle: LiveFeedRequest<Filter>['lifecycle'],
      from: State,
    ) =>
      pollFeed({
        poll: (upstream) =>
          kind.poller(
            request.authorization,
            request.filter,
            { signal: upstream, requestId: request.requestId },
            request.logger,
          ),
        start: from,
        intervalMs: options.intervalMs,
        settings: options.settings,
        signal,
        observer: options.observer,
        logger: request.logger,
        lifecycle,
      });
    const replay = request.since && {
      start: kind.start(request.since),
      handOver: kind.handOver,
      maxBrought: options.settings.maxBacklog,
    };
    return followFeed({
      hub: options.hub,
      topic: argumentsDigest({
        feed: kind.name,
        authorization: request.authorization,
        filter: request.filter,
      }),
      fresh: kind.start(undefined),
      replay,
      open,
      sighting: kind.sighting,
      // The hub ends shared feeds when the gateway shuts down; a replay's own poller is ended here.
      signal: replay ? AbortSignal.any([request.signal, options.shutdown]) : request.signal,
      lifecycle: request.lifecycle,
    });
  };
}
