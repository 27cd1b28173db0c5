import pLimit from 'p-limit';
import type { Logger } from 'pino';
import {
  walkFalRequests,
  type FalRequestsPosition,
  type FalRequestsReader,
} from '../paging/fal-requests.js';
import { MAX_REPLAYED_REQUESTS } from '../read-bounds.js';
import { fromMillis, hoursBefore, parseInstant, type Instant } from '../time.js';
import { UpstreamError } from '../errors.js';
import type { FalClient } from '../upstreams/fal/client.js';
import type { FalRequestItem, FalRequestStatusClass } from '../upstreams/fal/types.js';
import type { CallOptions } from '../upstreams/http.js';
import type { FeedKind } from './live-feed.js';
import type { Poll, PollStep } from './poll-loop.js';
import type { RunChange } from './run-change.js';

/** A change of a fal request, with the request as the feed last saw it. */
export interface FalRequestChange {
  change: RunChange;
  /** When: the request was sent (STARTED), it ended (FINISHED). */
  at: Instant;
  request: FalRequestItem;
}

export function falRequestsReader(
  client: FalClient,
  authorization: string,
  call: CallOptions,
): FalRequestsReader {
  return (params) => client.requestsByEndpoint(authorization, params, call);
}

export interface FalRequestFeedFilter {
  /** Distinct and sorted, so that identical feeds are recognised as such. */
  endpointIds: readonly string[];
  status?: FalRequestStatusClass | undefined;
  requestId?: string | undefined;
}

/** Where a feed stands; plain data, so that another poller (or process) may go on from it. */
export interface FalRequestFeedState {
  /**
   * `replay`: the requests sent from `since` are still to be handed out; `first`: the first poll
   * only takes note of what is there; `live`: every poll hands out what changed.
   */
  phase: 'replay' | 'first' | 'live';
  /** The feed's `since` (ISO): requests sent earlier are not its own. */
  since?: string | undefined;
  /** The latest end seen, in epoch microseconds. */
  newestEnd?: number | undefined;
  /** Requests seen pending, as last seen, oldest sent first; each is followed until it ends. */
  pending: readonly FalRequestItem[];
  /** Requests handed out finished that a poll still reads: those that ended from the floor on. */
  finished: readonly { id: string; ended: number }[];
}

/** Without `since`, a poll's window: the upstream's own default, the last 24 hours. */
const WINDOW_HOURS = 24;
const PAGE = 100;
/** Requests followed while pending; past it, the longest pending are forgotten. */
export const MAX_FOLLOWED_REQUESTS = 1_000;
/** Finished requests remembered; past it, those that ended first are forgotten. */
export const MAX_REMEMBERED_FINISHED = 10_000;
const LOOKUPS_IN_FLIGHT = 4;

export function falRequestFeedStart(since: Instant | undefined): FalRequestFeedState {
  return since
    ? { phase: 'replay', since: since.iso, pending: [], finished: [] }
    : { phase: 'first', pending: [], finished: [] };
}

const micros = (iso: string | null | undefined) => (iso ? parseInstant(iso)?.micros : undefined);

/**
 * What a poll saw, turned into changes: each request is handed out STARTED when first seen
 * pending and FINISHED when first seen ended. Works on its own copies, so a failed poll changes
 * nothing.
 */
class Sightings {
  readonly changes: FalRequestChange[] = [];
  readonly pending: Map<string, FalRequestItem>;
  readonly finished: Map<string, number>;
  private newestEnd: number | undefined;

  constructor(
    state: FalRequestFeedState,
    /** Finished requests that ended before it are ones the feed read before (or never was to). */
    private readonly floor: number,
    private readonly quietly: boolean,
    private readonly now: Instant,
  ) {
    this.pending = new Map(state.pending.map((item) => [item.request_id, item]));
    this.finished = new Map(state.finished.map(({ id, ended }) => [id, ended]));
    this.newestEnd = state.newestEnd;
  }

  see(item: FalRequestItem): void {
    const id = item.request_id;
    if (item.ended_at == null) {
      if (!this.pending.has(id)) this.hand('STARTED', item.sent_at, item);
      this.pending.set(id, item);
      return;
    }
    if (this.finished.has(id)) return;
    const ended = micros(item.ended_at) ?? this.now.micros;
    this.newestEnd = Math.max(this.newestEnd ?? ended, ended);
    const followed = this.pending.delete(id);
    if (!followed && ended < this.floor) return;
    this.finished.set(id, ended);
    this.hand('FINISHED', item.ended_at, item);
  }

  /** A followed request read again by id: null when the upstream no longer has it. */
  again(earlier: FalRequestItem, item: FalRequestItem | null): void {
    if (item) this.see(item);
    else this.pending.delete(earlier.request_id);
  }

  state(phase: FalRequestFeedState['phase'], since: string | undefined, overlapMicros: number) {
    const floor = (this.newestEnd ?? Number.NEGATIVE_INFINITY) - overlapMicros;
    const finished = [...this.finished]
      .filter(([, ended]) => ended >= floor)
      .map(([id, ended]) => ({ id, ended }))
      .sort((a, b) => a.ended - b.ended)
      .slice(-MAX_REMEMBERED_FINISHED);
    const pending = [...this.pending.values()]
      .sort((a, b) => (micros(a.sent_at) ?? 0) - (micros(b.sent_at) ?? 0))
      .slice(-MAX_FOLLOWED_REQUESTS);
    return { phase, since, newestEnd: this.newestEnd, pending, finished };
  }

  /** The changes in the order they happened. */
  ordered(): FalRequestChange[] {
    return this.changes.sort((a, b) => a.at.micros - b.at.micros);
  }

  private hand(change: RunChange, at: string, request: FalRequestItem) {
    if (this.quietly) return;
    this.changes.push({ change, at: parseInstant(at) ?? this.now, request });
  }
}

export interface FalRequestPollerOptions {
  /** `TAIL_RESUME_OVERLAP_MS`: how far below the latest end seen a poll reads, for late arrivals. */
  overlapMs: number;
  logger: Logger;
}

/**
 * A live feed of the requests some fal endpoints served, by polling. The upstream lists pending
 * requests first, then the rest by end, latest first: each poll walks that list (exactly once
 * while it shifts) through every pending request and down to the latest end it saw before (less
 * the overlap), and reads again by id each request it followed as pending that it did not meet
 * on the way. With `since` it first reads every request sent from there and hands them out in the
 * order they happened (at most MAX_REPLAYED_REQUESTS).
 */
export function falRequestPoller(
  read: FalRequestsReader,
  filter: FalRequestFeedFilter,
  options: FalRequestPollerOptions,
): Poll<FalRequestChange, FalRequestFeedState> {
  const overlapMicros = options.overlapMs * 1000;
  const query = {
    endpointIds: filter.endpointIds,
    status: filter.status,
    requestId: filter.requestId,
    sortBy: 'ended_at' as const,
    expand: [],
  };
  const limit = pLimit(LOOKUPS_IN_FLIGHT);

  /** The walk of `window` until `enough` says so (or to its end); each request once. */
  const walkUntil = async (
    window: { start: Instant; end: Instant },
    enough: (item: FalRequestItem, count: number) => boolean,
  ): Promise<FalRequestItem[]> => {
    const rows = new Map<string, FalRequestItem>();
    let after: FalRequestsPosition | undefined;
    for (;;) {
      const walk = await walkFalRequests({
        read,
        query,
        window,
        after,
        first: PAGE,
        onLostAnchor: () =>
          options.logger.warn(
            'fal requests moved too far while a feed read them; read on by index',
          ),
      });
      for (const { item } of walk.entries) {
        if (!rows.has(item.request_id)) rows.set(item.request_id, item);
        if (enough(item, rows.size)) return [...rows.values()];
      }
      const last = walk.entries.at(-1);
      if (!walk.hasNextPage || !last) return [...rows.values()];
      after = last.position;
    }
  };

  const replayStep = async (state: FalRequestFeedState) => {
    const now = fromMillis(Date.now());
    const rows = await walkUntil(
      { start: parseInstant(state.since!)!, end: now },
      (_item, count) => {
        if (count <= MAX_REPLAYED_REQUESTS) return false;
        throw new UpstreamError(
          `filter.since: more than ${MAX_REPLAYED_REQUESTS} requests were sent since then, more than a feed replays: choose a later since`,
          { code: 'BAD_USER_INPUT', source: 'fal' },
        );
      },
    );
    const seen = new Sightings(state, Number.NEGATIVE_INFINITY, false, now);
    for (const item of rows) seen.see(item);
    return {
      changes: seen.ordered(),
      state: seen.state('live', state.since, overlapMicros),
      again: false,
    };
  };

  const pollStep = async (state: FalRequestFeedState) => {
    const now = fromMillis(Date.now());
    const start = state.since ? parseInstant(state.since)! : hoursBefore(now, WINDOW_HOURS);
    const first = state.phase === 'first';
    // Without a finish seen yet, every finished request in the window is new.
    let floor = first ? undefined : (state.newestEnd ?? Number.NEGATIVE_INFINITY) - overlapMicros;
    const rows = await walkUntil({ start, end: now }, (item) => {
      const ended = micros(item.ended_at);
      if (ended === undefined) return false;
      floor ??= ended - overlapMicros;
      return ended < floor;
    });
    const met = new Set(rows.map((item) => item.request_id));
    const unmet = state.pending.filter((item) => !met.has(item.request_id));
    const found = await Promise.all(
      unmet.map((item) =>
        limit(async () => {
          const page = await read({
            endpointIds: filter.endpointIds,
            requestId: item.request_id,
            page: 1,
            limit: 1,
          });
          return page.items[0] ?? null;
        }),
      ),
    );

    const seen = new Sightings(state, floor ?? Number.NEGATIVE_INFINITY, first, now);
    unmet.forEach((item, i) => seen.again(item, found[i] ?? null));
    for (const item of rows) seen.see(item);
    return {
      changes: seen.ordered(),
      state: seen.state('live', state.since, overlapMicros),
      again: false,
    };
  };

  return (state): Promise<PollStep<FalRequestChange, FalRequestFeedState>> =>
    state.phase === 'replay' ? replayStep(state) : pollStep(state);
}

/**
 * Feeds of fal requests, read with `client`; `overlapMs` is `TAIL_RESUME_OVERLAP_MS`. A feed with
 * `since` keeps its poller for life: its `since` bounds every poll's window, where the shared
 * poller's is the last 24 hours, so the two read different requests.
 */
export const falRequestFeedKind = (
  client: FalClient,
  overlapMs: number,
): FeedKind<FalRequestFeedFilter, FalRequestChange, FalRequestFeedState> => ({
  name: 'falRequests',
  start: falRequestFeedStart,
  // A request has no status between pending and ended: its change stands for its status.
  sighting: ({ change, request }) => ({ run: request.request_id, change, status: change }),
  poller: (authorization, filter, call, logger) =>
    falRequestPoller(falRequestsReader(client, authorization, call), filter, { overlapMs, logger }),
});
