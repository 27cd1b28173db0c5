import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Poll } from '../../src/live/poll-loop.js';
import {
  MAX_FOLLOWED_RUNS,
  workflowRunFeedHandOver,
  workflowRunFeedStart,
  workflowRunPoller,
  type WorkflowRunChange,
  type WorkflowRunFeedFilter,
  type WorkflowRunFeedState,
  type WorkflowRunReaders,
} from '../../src/live/workflow-run-feed.js';
import { fromMicros, parseInstant } from '../../src/time.js';
import type { WorkflowLogsReader } from '../../src/paging/workflow-logs.js';
import type { DifyWorkflowLog } from '../../src/upstreams/dify/types.js';
import { UpstreamError } from '../../src/errors.js';
import {
  BASE_SECOND,
  random,
  ShufflingUpstream,
  upstreamWithBursts,
} from '../support/shuffling-dify.js';

const logger = pino({ level: 'silent' });

/**
 * Dify ordering the rows of one second its own way, the same on every call, with new rows landing
 * anywhere among them.
 */
class StableTiesUpstream extends ShufflingUpstream {
  private readonly ties = new Map<string, number>();
  private readonly place = random(99);

  override read: WorkflowLogsReader = (params) => {
    const tie = (row: DifyWorkflowLog) => {
      if (!this.ties.has(row.id)) this.ties.set(row.id, this.place());
      return this.ties.get(row.id)!;
    };
    const micros = (bound: string | undefined) => (bound ? parseInstant(bound)!.micros : undefined);
    const before = micros(params.createdAtBefore);
    const after = micros(params.createdAtAfter);
    const matching = this.rows
      .filter((row) => before === undefined || row.created_at.micros <= before)
      .filter((row) => after === undefined || row.created_at.micros >= after)
      .sort((a, b) => b.created_at.micros - a.created_at.micros || tie(a) - tie(b));
    const start = (params.page - 1) * params.limit;
    return Promise.resolve({
      page: params.page,
      limit: params.limit,
      total: matching.length,
      has_more: matching.length > params.page * params.limit,
      data: matching.slice(start, start + params.limit),
    });
  };
}

/**
 * Dify at its least helpful (rows of one second reordered on every call), answering with fresh
 * copies as a real client parses fresh JSON, with run detail, and with hooks to change it while
 * a poll reads it or to fail a call.
 */
class HostileDify {
  readonly upstream: ShufflingUpstream;
  detailReads: string[] = [];
  logReads = 0;
  /** Runs before every logs call: rows arriving (or changing) while a poll reads. */
  beforeRead: (() => void) | undefined;
  /** The calls (counted from now) that fail with a 500. */
  failing = new Set<number>();
  private calls = 0;

  constructor(upstream = new ShufflingUpstream(3)) {
    this.upstream = upstream;
  }

  readonly readers: WorkflowRunReaders = {
    logs: async (params) => {
      this.fail();
      this.logReads += 1;
      this.beforeRead?.();
      return structuredClone(await this.upstream.read(params));
    },
    run: (runId) => {
      this.fail();
      this.detailReads.push(runId);
      const row = this.upstream.rows.find((each) => each.workflow_run?.id === runId);
      if (!row?.workflow_run) return Promise.resolve(null);
      const run = row.workflow_run;
      return Promise.resolve(
        structuredClone({ ...run, status: run.status, inputs: {}, outputs: { done: true } }),
      );
    },
  };

  failNext(...offsets: number[]): void {
    this.failing = new Set(offsets.map((offset) => this.calls + offset));
  }

  /** Inserts `count` runs at `second` with `status`, and returns their row ids. */
  insert(second: number, count: number, status = 'running'): string[] {
    const before = this.upstream.rows.length;
    this.upstream.insert(second, count, status);
    return this.upstream.rows.slice(before).map((row) => row.id);
  }

  setStatus(rowId: string, status: string): void {
    const run = this.upstream.rows.find((row) => row.id === rowId)!.workflow_run!;
    run.status = status;
    const final = ['succeeded', 'failed', 'stopped', 'partial-succeeded'].includes(status);
    run.finished_at = final ? fromMicros(Date.now() * 1000) : null;
  }

  private fail(): void {
    this.calls += 1;
    if (this.failing.has(this.calls)) {
      throw new UpstreamError('Dify failed', { code: 'UPSTREAM_ERROR', source: 'dify' });
    }
  }
}

/** A feed driven poll by poll, as the poll loop drives it: a failed poll is retried from its state. */
function feedOver(
  dify: HostileDify,
  since?: number,
  filter: WorkflowRunFeedFilter = { params: {} },
) {
  const poll: Poll<WorkflowRunChange, WorkflowRunFeedState> = workflowRunPoller(
    dify.readers,
    filter,
    logger,
  );
  let state = workflowRunFeedStart(since === undefined ? undefined : fromMicros(since * 1_000_000));
  const handed: WorkflowRunChange[] = [];
  return {
    handed,
    get state() {
      return state;
    },
    /** One poll (and at once the next, while it says so); false when it failed. */
    async poll(): Promise<boolean> {
      for (;;) {
        let step;
        try {
          step = await poll(state);
        } catch {
          return false;
        }
        state = step.state;
        handed.push(...step.changes);
        if (!step.again) return true;
      }
    },
  };
}

const summary = (changes: readonly WorkflowRunChange[]) =>
  changes.map(({ change, log }) => `${log.id}:${change}:${log.workflow_run?.status}`);

const expectOnceEach = (changes: readonly WorkflowRunChange[]) => {
  const keys = summary(changes);
  expect(keys).toEqual([...new Set(keys)]);
};

describe('workflowRunPoller over a hostile Dify', () => {
  it('hands out a new run once per status, through running, paused, running again and succeeded', async () => {
    const dify = new HostileDify(upstreamWithBursts(11));
    const feed = feedOver(dify);
    expect(await feed.poll()).toBe(true);
    expect(feed.handed).toEqual([]); // the first poll only takes note of what is there

    const [run] = dify.insert(BASE_SECOND + 500, 1);
    const steps: Array<[string | undefined, string]> = [
      [undefined, 'running'],
      ['paused', 'paused'],
      [undefined, 'paused'],
      ['running', 'running'],
      ['succeeded', 'succeeded'],
      [undefined, 'succeeded'],
    ];
    for (const [status] of steps) {
      if (status) dify.setStatus(run!, status);
      await feed.poll();
    }
    expect(summary(feed.handed)).toEqual([
      `${run}:STARTED:running`,
      `${run}:UPDATED:paused`,
      `${run}:UPDATED:running`,
      `${run}:FINISHED:succeeded`,
    ]);
    const finished = feed.handed.at(-1)!;
    expect(finished.log.workflow_run?.finished_at).not.toBeNull();
    expect(feed.state.followed).toEqual([]);
  });

  it('hands out every run of a burst larger than a page once, also with rows arriving while it reads', async () => {
    const dify = new HostileDify(upstreamWithBursts(5));
    const feed = feedOver(dify);
    await feed.poll();
    const inserted: string[] = [];
    let second = BASE_SECOND + 1_000;
    // 250 runs over a few seconds, some sharing one, between two polls
    for (const count of [60, 1, 90, 40, 59])
      inserted.push(...dify.insert((second += 1), count, 'succeeded'));
    // and more arriving between the poll's own upstream calls
    let arrivals = 0;
    dify.beforeRead = () => {
      if (arrivals++ < 4) inserted.push(...dify.insert((second += 1), 7, 'failed'));
    };
    await feed.poll();
    dify.beforeRead = undefined;
    await feed.poll();
    expect(dify.logReads).toBeGreaterThan(3);
    expectOnceEach(feed.handed);
    expect(feed.handed.map(({ log }) => log.id).sort()).toEqual([...inserted].sort());
    expect(new Set(feed.handed.map(({ change }) => change))).toEqual(new Set(['FINISHED']));
  });

  it('finds rows that arrive anywhere among more than a page of rows sharing the newest second', async () => {
    const upstream = new StableTiesUpstream(12);
    const dify = new HostileDify(upstream);
    const second = BASE_SECOND + 50;
    dify.insert(second, 150, 'succeeded');
    const feed = feedOver(dify);
    await feed.poll();
    expect(feed.handed).toEqual([]);
    const arrived = dify.insert(second, 30, 'failed');
    await feed.poll();
    await feed.poll();
    expect(feed.handed.map(({ log }) => log.id).sort()).toEqual([...arrived].sort());
  });

  it('skips rows a page repeats from the one before', async () => {
    const dify = new HostileDify(upstreamWithBursts(9));
    const feed = feedOver(dify);
    await feed.poll();
    const plain = dify.readers.logs;
    let previousLast: DifyWorkflowLog | undefined;
    dify.readers.logs = async (params) => {
      const page = await plain(params);
      const repeated = previousLast ? [previousLast, ...page.data] : page.data;
      previousLast = page.data.at(-1);
      return { ...page, data: repeated };
    };
    const inserted = dify.insert(BASE_SECOND + 700, 80, 'succeeded');
    inserted.push(...dify.insert(BASE_SECOND + 701, 80, 'succeeded'));
    await feed.poll();
    await feed.poll();
    expectOnceEach(feed.handed);
    expect(feed.handed.map(({ log }) => log.id).sort()).toEqual([...inserted].sort());
  });

  it('reads a run that scrolled off the first page again by id, until it finishes', async () => {
    const dify = new HostileDify(upstreamWithBursts(2));
    const feed = feedOver(dify);
    await feed.poll();
    const [run] = dify.insert(BASE_SECOND + 800, 1);
    await feed.poll();
    dify.insert(BASE_SECOND + 801, 100, 'succeeded');
    dify.insert(BASE_SECOND + 802, 50, 'succeeded');
    await feed.poll();
    const runId = `run-${run}`;
    expect(dify.detailReads).toEqual([]);
    await feed.poll();
    expect(dify.detailReads).toEqual([runId]);
    dify.setStatus(run!, 'paused');
    await feed.poll();
    dify.setStatus(run!, 'stopped');
    await feed.poll();
    await feed.poll();
    expect(dify.detailReads).toEqual([runId, runId, runId]);
    expect(summary(feed.handed.filter(({ log }) => log.id === run))).toEqual([
      `${run}:STARTED:running`,
      `${run}:UPDATED:paused`,
      `${run}:FINISHED:stopped`,
    ]);
    expect(feed.handed.at(-1)!.log.workflow_run?.finished_at).not.toBeNull();
  });

  it('stops following a run Dify no longer has, without a change', async () => {
    const dify = new HostileDify(upstreamWithBursts(4));
    const feed = feedOver(dify);
    await feed.poll();
    const [run] = dify.insert(BASE_SECOND + 900, 1);
    await feed.poll();
    dify.upstream.rows = dify.upstream.rows.filter((row) => row.id !== run);
    await feed.poll();
    expect(summary(feed.handed)).toEqual([`${run}:STARTED:running`]);
    expect(feed.state.followed).toEqual([]);
  });

  it('loses and repeats nothing when polls fail part-way, whatever call fails', async () => {
    for (let failing = 1; failing <= 4; failing += 1) {
      const dify = new HostileDify(upstreamWithBursts(20 + failing));
      const feed = feedOver(dify);
      await feed.poll();
      const [running] = dify.insert(BASE_SECOND + 600, 1);
      await feed.poll();
      // Pushes the running one off the first page, so that it is read by id.
      const burst = dify.insert(BASE_SECOND + 601, 100, 'succeeded');
      await feed.poll();
      // A poll of four calls: three pages down to the mark, and the run's detail.
      burst.push(...dify.insert(BASE_SECOND + 602, 99, 'succeeded'));
      burst.push(...dify.insert(BASE_SECOND + 603, 99, 'failed'));
      burst.push(...dify.insert(BASE_SECOND + 604, 60, 'stopped'));
      dify.setStatus(running!, 'succeeded');
      dify.failNext(failing, failing + 1);
      expect(await feed.poll()).toBe(false);
      while (!(await feed.poll()));
      await feed.poll();
      expectOnceEach(feed.handed);
      // The running one: STARTED, then FINISHED.
      expect(feed.handed.map(({ log }) => log.id).sort()).toEqual(
        [running!, running!, ...burst].sort(),
      );
    }
  });

  it('hands out the rows from since first, oldest first, then goes live without a gap or a repeat', async () => {
    const dify = new HostileDify(upstreamWithBursts(6));
    const since = BASE_SECOND + 40;
    const expected = dify.upstream.rows
      .filter((row) => row.created_at.micros >= since * 1e6)
      .map((row) => row.id);
    const feed = feedOver(dify, since);
    let second = BASE_SECOND + 2_000;
    const arrived: string[] = [];
    dify.beforeRead = () => arrived.push(...dify.insert((second += 1), 3, 'succeeded'));
    await feed.poll();
    dify.beforeRead = undefined;
    await feed.poll();
    expectOnceEach(feed.handed);
    const ids = feed.handed.map(({ log }) => log.id);
    expect([...ids].sort()).toEqual([...expected, ...arrived].sort());
    const replayed = feed.handed.slice(0, expected.length);
    expect([...replayed.map(({ log }) => log.id)].sort()).toEqual([...expected].sort());
    const seconds = replayed.map(({ log }) => log.created_at.micros);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
  });

  it('with a status filter, hands out the runs that reach it, also those created unfinished', async () => {
    const dify = new HostileDify(upstreamWithBursts(8));
    const feed = feedOver(dify, undefined, { params: {}, status: 'succeeded' });
    await feed.poll();
    const [first, second] = dify.insert(BASE_SECOND + 300, 2);
    const [failing] = dify.insert(BASE_SECOND + 301, 1);
    await feed.poll();
    dify.insert(BASE_SECOND + 302, 120, 'failed');
    await feed.poll();
    dify.setStatus(first!, 'succeeded');
    dify.setStatus(failing!, 'failed');
    await feed.poll();
    dify.setStatus(second!, 'paused');
    await feed.poll();
    dify.setStatus(second!, 'succeeded');
    await feed.poll();
    expect(summary(feed.handed)).toEqual([
      `${first}:FINISHED:succeeded`,
      `${second}:FINISHED:succeeded`,
    ]);
  });

  it(`follows at most ${MAX_FOLLOWED_RUNS} unfinished runs, the newest`, async () => {
    const dify = new HostileDify(new ShufflingUpstream(1));
    const feed = feedOver(dify);
    await feed.poll();
    let second = BASE_SECOND;
    for (let i = 0; i < 7; i += 1) dify.insert((second += 1), 90);
    await feed.poll();
    expect(feed.handed).toHaveLength(630);
    expect(feed.state.followed).toHaveLength(MAX_FOLLOWED_RUNS);
    expect(feed.state.followed[0]!.created_at.micros).toBeGreaterThan((BASE_SECOND + 1) * 1e6);
  });
});

describe('a replaying workflow run feed handing over to the shared poller', () => {
  const { covered, owns } = workflowRunFeedHandOver;

  it('is covered once it is done replaying and follows no run the shared poller does not', async () => {
    const dify = new HostileDify();
    dify.insert(BASE_SECOND, 3, 'succeeded');
    const [old] = dify.insert(BASE_SECOND + 10, 1, 'running');
    dify.insert(BASE_SECOND + 20, 150, 'succeeded');
    const shared = feedOver(dify);
    await shared.poll();
    const replay = feedOver(dify, BASE_SECOND + 5);
    expect(covered(replay.state, shared.state)).toBe(false);
    await replay.poll();
    // The replay follows the run it saw running; the shared poller's first page ends above it.
    expect(replay.state.followed.map((log) => log.id)).toEqual([old]);
    expect(covered(replay.state, shared.state)).toBe(false);
    dify.setStatus(old!, 'succeeded');
    await replay.poll();
    await shared.poll();
    expect(summary(replay.handed.slice(-1))).toEqual([`${old}:FINISHED:succeeded`]);
    expect(covered(replay.state, shared.state)).toBe(true);

    const [fresh] = dify.insert(BASE_SECOND + 30, 1, 'running');
    await Promise.all([replay.poll(), shared.poll()]);
    expect(covered(replay.state, shared.state)).toBe(true);
    expect(replay.state.followed.map((log) => log.id)).toEqual([fresh]);
  });

  it('owns the changes of runs created from since on, not those the shared poller follows from before', async () => {
    const dify = new HostileDify();
    const [before] = dify.insert(BASE_SECOND, 1, 'running');
    const [from] = dify.insert(BASE_SECOND + 5, 1, 'running');
    const shared = feedOver(dify);
    await shared.poll();
    for (const id of [before, from]) dify.setStatus(id!, 'succeeded');
    await shared.poll();
    const start = workflowRunFeedStart(fromMicros((BASE_SECOND + 5) * 1e6 - 1));
    const owned = shared.handed.filter((change) => owns(change, start));
    expect(summary(shared.handed).sort()).toEqual(
      [`${before}:FINISHED:succeeded`, `${from}:FINISHED:succeeded`].sort(),
    );
    expect(summary(owned)).toEqual([`${from}:FINISHED:succeeded`]);
  });
});
