import pLimit from 'p-limit';
import type { Logger } from 'pino';
import {
  secondOf,
  walkWorkflowLogs,
  type SecondsWindow,
  type WorkflowLogFilterParams,
  type WorkflowLogPosition,
  type WorkflowLogsReader,
} from '../paging/workflow-logs.js';
import {
  walkWorkflowLogsOldestFirst,
  type OldestFirstWorkflowLogPosition,
} from '../paging/workflow-logs-oldest-first.js';
import { DIFY_LOGS_MAX_LIMIT } from '../read-bounds.js';
import { fromMillis, type Instant } from '../time.js';
import type { DifyClient } from '../upstreams/dify/client.js';
import { isRunFinished, upstreamStatusOf } from '../run-status.js';
import type { DifyWorkflowLog, DifyWorkflowRunDetail } from '../upstreams/dify/types.js';
import { UpstreamError } from '../errors.js';
import type { CallOptions } from '../upstreams/http.js';
import type { FeedKind } from './live-feed.js';
import type { FeedHandOver } from './shared-feeds.js';
import type { Poll, PollStep } from './poll-loop.js';
import type { RunChange } from './run-change.js';

/** A log row with its run, as the feed hands runs out. */
export type FollowedLog = DifyWorkflowLog & {
  workflow_run: NonNullable<DifyWorkflowLog['workflow_run']>;
};

/** A change of a Dify workflow run, with its log row as the feed last saw it. */
export interface WorkflowRunChange {
  change: RunChange;
  /** When: the run's creation (STARTED), its end (FINISHED), when the feed saw it (UPDATED). */
  at: Instant;
  log: FollowedLog;
}

/** The two upstream calls the feed makes, with one client's credential. */
export interface WorkflowRunReaders {
  logs: WorkflowLogsReader;
  /** `GET /workflows/run/{id}`; null when Dify has no such run (any more). */
  run(runId: string): Promise<DifyWorkflowRunDetail | null>;
}

export function difyRunReaders(
  client: DifyClient,
  authorization: string,
  call: CallOptions,
): WorkflowRunReaders {
  return {
    logs: (params) => client.workflowLogs(authorization, params, call),
    run: (runId) =>
      client.workflowRun(authorization, runId, call).catch((error: unknown) => {
        if (error instanceof UpstreamError && error.details.code === 'NOT_FOUND') return null;
        throw error;
      }),
  };
}

export interface WorkflowRunFeedFilter {
  /** Dify's own filters. */
  params: Omit<WorkflowLogFilterParams, 'status'>;
  /**
   * Only changes into this status (spelled as `upstreamStatusOf` spells it) are handed out. Dify
   * cannot filter on it for a feed: a run it lists as finished is one created long before.
   */
  status?: string | undefined;
}

/** Where a feed stands; plain data, so that another poller (or process) may go on from it. */
export interface WorkflowRunFeedState {
  /** While the rows from `since` are replayed, oldest first: the walk's pinned end and position. */
  replay?:
    | {
        since: number;
        until?: number | undefined;
        after?: OldestFirstWorkflowLogPosition | undefined;
      }
    | undefined;
  /**
   * The newest created_at second read and the id of every row read at it: every row above it is
   * new. Undefined before the first poll, which only takes note of what is there.
   */
  mark?: WorkflowLogPosition | undefined;
  /** Runs seen unfinished, as last seen, oldest first; re-read every poll until they finish. */
  followed: readonly FollowedLog[];
}

/** Runs followed at once: past it, the oldest are forgotten (each costs a call per poll). */
export const MAX_FOLLOWED_RUNS = 500;
const RUN_READS_IN_FLIGHT = 8;

/** Where a feed starts: from the rows of `since` on, or from what is there at its first poll. */
export function workflowRunFeedStart(since: Instant | undefined): WorkflowRunFeedState {
  return since
    ? { replay: { since: Math.ceil(since.micros / 1e6) }, followed: [] }
    : { followed: [] };
}

const isAbove = (row: DifyWorkflowLog, mark: WorkflowLogPosition | undefined) => {
  if (!mark) return true;
  const second = secondOf(row);
  return second > mark.second || (second === mark.second && !mark.ids.includes(row.id));
};

/** The mark moved up to the newest of `rows`. */
function raised(mark: WorkflowLogPosition | undefined, rows: readonly DifyWorkflowLog[]) {
  let next = mark;
  for (const row of rows) {
    const second = secondOf(row);
    if (!next || second > next.second) next = { second, ids: [row.id] };
    else if (second === next.second && !next.ids.includes(row.id)) {
      next = { second, ids: [...next.ids, row.id] };
    }
  }
  return next;
}

/**
 * The newest rows: the first page (100 rows), and when no row of it lies below the mark's second
 * (more rows arrived than a page holds, or that second holds more than a page), on down through
 * that second, each row once: Dify orders the rows of one second arbitrarily, so a row that
 * arrived in it may sit anywhere among them. Without a mark, through the newest second.
 */
async function readNewest(
  read: WorkflowLogsReader,
  params: WorkflowRunFeedFilter['params'],
  mark: WorkflowLogPosition | undefined,
): Promise<DifyWorkflowLog[]> {
  const rows: DifyWorkflowLog[] = [];
  let floor = mark?.second;
  let after: WorkflowLogPosition | undefined;
  let window: SecondsWindow = {};
  for (;;) {
    const walk = await walkWorkflowLogs({
      read,
      filter: params,
      window,
      after,
      first: DIFY_LOGS_MAX_LIMIT,
    });
    rows.push(...walk.entries.map(({ row }) => row));
    floor ??= rows[0] && secondOf(rows[0]);
    const through = floor;
    if (through === undefined || !walk.hasNextPage || !walk.end) return rows;
    if (walk.entries.some(({ row }) => secondOf(row) < through)) return rows;
    after = walk.end;
    window = { since: through };
  }
}

const withDetail = (log: FollowedLog, run: DifyWorkflowRunDetail): FollowedLog => ({
  ...log,
  workflow_run: {
    ...log.workflow_run,
    status: run.status,
    error: run.error,
    elapsed_time: run.elapsed_time,
    total_tokens: run.total_tokens,
    total_steps: run.total_steps,
    finished_at: run.finished_at,
  },
});

/**
 * What a poll saw, turned into changes: each run is handed out once per status it is seen in.
 * Works on its own copy of the followed runs, so a poll that fails changes nothing.
 */
class Sightings {
  readonly changes: WorkflowRunChange[] = [];
  readonly followed: Map<string, FollowedLog>;

  constructor(
    followed: readonly FollowedLog[],
    private readonly filter: WorkflowRunFeedFilter,
    private readonly now: Instant,
  ) {
    this.followed = new Map(followed.map((log) => [log.id, log]));
  }

  /** A row not seen before; `quietly` takes note of it without handing out a change. */
  first(row: DifyWorkflowLog, quietly = false): void {
    if (!row.workflow_run) return;
    const log = row as FollowedLog;
    if (isRunFinished(log.workflow_run)) {
      if (!quietly) this.hand('FINISHED', log.workflow_run.finished_at ?? log.created_at, log);
      return;
    }
    if (!quietly) this.hand('STARTED', log.created_at, log);
    this.followed.set(log.id, log);
  }

  /** A followed run seen again: a change when its status changed; null when it is gone. */
  again(earlier: FollowedLog, row: DifyWorkflowLog | null): void {
    if (!row?.workflow_run) {
      this.followed.delete(earlier.id);
      return;
    }
    const log = row as FollowedLog;
    if (isRunFinished(log.workflow_run)) {
      this.followed.delete(log.id);
      this.hand('FINISHED', log.workflow_run.finished_at ?? this.now, log);
      return;
    }
    this.followed.set(log.id, log);
    const status = upstreamStatusOf(log.workflow_run.status);
    if (status !== upstreamStatusOf(earlier.workflow_run.status))
      this.hand('UPDATED', this.now, log);
  }

  /** The followed runs, the newest MAX_FOLLOWED_RUNS of them, oldest first. */
  kept(logger: Logger): FollowedLog[] {
    const all = [...this.followed.values()].sort(
      (a, b) => a.created_at.micros - b.created_at.micros,
    );
    if (all.length <= MAX_FOLLOWED_RUNS) return all;
    logger.warn(
      { forgotten: all.length - MAX_FOLLOWED_RUNS },
      'a workflow run feed follows too many unfinished runs; the oldest are no longer followed',
    );
    return all.slice(-MAX_FOLLOWED_RUNS);
  }

  private hand(change: RunChange, at: Instant, log: FollowedLog) {
    const { status } = this.filter;
    if (status === undefined || upstreamStatusOf(log.workflow_run.status) === status) {
      this.changes.push({ change, at, log });
    }
  }
}

/**
 * A live feed of a Dify app's workflow runs, by polling. Each poll reads the newest rows (the
 * first page, and on down to the mark after a burst), hands out the runs above the mark (STARTED
 * or FINISHED), and compares the runs it follows with how it sees them now: on the first page, or
 * else (they scrolled off it) read again one by one. With `since` it first replays the rows from
 * there, oldest first, a page per poll, then goes on above the newest of them.
 */
export function workflowRunPoller(
  readers: WorkflowRunReaders,
  filter: WorkflowRunFeedFilter,
  logger: Logger,
): Poll<WorkflowRunChange, WorkflowRunFeedState> {
  const limit = pLimit(RUN_READS_IN_FLIGHT);

  const replayStep = async (
    replay: NonNullable<WorkflowRunFeedState['replay']>,
    state: WorkflowRunFeedState,
  ): Promise<PollStep<WorkflowRunChange, WorkflowRunFeedState>> => {
    const walk = await walkWorkflowLogsOldestFirst({
      read: readers.logs,
      filter: filter.params,
      window: { since: replay.since, until: replay.until },
      after: replay.after,
      first: DIFY_LOGS_MAX_LIMIT,
    });
    const seen = new Sightings(state.followed, filter, fromMillis(Date.now()));
    for (const { row } of walk.entries) seen.first(row);
    const followed = seen.kept(logger);
    const until = walk.until ?? replay.until;
    if (walk.hasNextPage) {
      const after = walk.end ?? replay.after;
      return {
        changes: seen.changes,
        state: { replay: { since: replay.since, until, after }, followed },
        again: walk.entries.length > 0,
        replayed: true,
      };
    }
    // Rows created later in the pinned second joined the walk; the end holds all of that second.
    const end = walk.end ?? replay.after;
    const mark =
      until === undefined
        ? { second: replay.since, ids: [] }
        : { second: until, ids: end?.second === until ? [...end.ids] : [] };
    return { changes: seen.changes, state: { mark, followed }, again: false, replayed: true };
  };

  const liveStep = async (
    state: WorkflowRunFeedState,
  ): Promise<PollStep<WorkflowRunChange, WorkflowRunFeedState>> => {
    const rows = await readNewest(readers.logs, filter.params, state.mark);
    const onPage = new Set(rows.map((row) => row.id));
    const scrolledOff = state.followed.filter((log) => !onPage.has(log.id));
    const details = await Promise.all(
      scrolledOff.map((log) => limit(() => readers.run(log.workflow_run.id))),
    );

    const seen = new Sightings(state.followed, filter, fromMillis(Date.now()));
    scrolledOff.forEach((log, i) => {
      const detail = details[i];
      seen.again(log, detail ? withDetail(log, detail) : null);
    });
    const handled = new Set<string>();
    for (const row of rows.toReversed()) {
      if (handled.has(row.id)) continue;
      handled.add(row.id);
      const earlier = seen.followed.get(row.id);
      if (earlier) seen.again(earlier, row);
      else if (isAbove(row, state.mark)) seen.first(row, state.mark === undefined);
    }
    // An app without rows yet: everything from now on lies above the epoch.
    const mark = raised(state.mark, rows) ?? { second: 0, ids: [] };
    return { changes: seen.changes, state: { mark, followed: seen.kept(logger) }, again: false };
  };

  return (state) => (state.replay ? replayStep(state.replay, state) : liveStep(state));
}

/**
 * A replay's poller and the shared one read the same newest rows once the replay is done; what
 * may differ is the runs each follows (the replay's, created from `since`; the shared one's,
 * unfinished on its first page and created since), and the shared one also hands out changes of
 * runs created before `since`.
 */
export const workflowRunFeedHandOver: FeedHandOver<WorkflowRunChange, WorkflowRunFeedState> = {
  covered: (own, shared) => {
    if (own.replay || !own.mark) return false;
    const followed = new Set(shared.followed.map((log) => log.id));
    return own.followed.every((log) => followed.has(log.id));
  },
  owns: ({ log }, start) => start.replay === undefined || secondOf(log) >= start.replay.since,
};

/** Feeds of Dify workflow runs, read with `client`. */
export const workflowRunFeedKind = (
  client: DifyClient,
): FeedKind<WorkflowRunFeedFilter, WorkflowRunChange, WorkflowRunFeedState> => ({
  name: 'workflowRuns',
  start: workflowRunFeedStart,
  sighting: ({ change, log }) => ({
    run: log.workflow_run.id,
    change,
    status: upstreamStatusOf(log.workflow_run.status),
  }),
  handOver: workflowRunFeedHandOver,
  poller: (authorization, filter, call, logger) =>
    workflowRunPoller(difyRunReaders(client, authorization, call), filter, logger),
});
