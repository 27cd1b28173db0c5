import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  falRequestFeedStart,
  falRequestPoller,
  MAX_FOLLOWED_REQUESTS,
  type FalRequestChange,
  type FalRequestFeedFilter,
  type FalRequestFeedState,
} from '../../src/live/fal-request-feed.js';
import type { FalRequestsReader } from '../../src/paging/fal-requests.js';
import { fromMillis, parseInstant } from '../../src/time.js';
import { UpstreamError } from '../../src/errors.js';
import type { FalRequestItem } from '../../src/upstreams/fal/types.js';

const logger = pino({ level: 'silent' });
const ENDPOINT = 'acme/app';
const STATUS_CLASS = { success: 2, user_error: 4, error: 5 } as const;

const millis = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/**
 * fal's requests API as NOTES.md describes it (sent_at in [start, end), pending first, then
 * ended_at descending, page-number pages), answering with fresh copies, with hooks to change it
 * while a poll reads it or to fail a call.
 */
class HostileFal {
  rows: FalRequestItem[] = [];
  calls = 0;
  lookups: string[] = [];
  beforeRead: (() => void) | undefined;
  private failing = new Set<number>();
  private next = 0;
  /** Milliseconds the fake's requests are stamped from: an hour ago, one per millisecond on. */
  private clock = Date.now() - 3_600_000;

  readonly read: FalRequestsReader = (params) => {
    this.calls += 1;
    if (this.failing.has(this.calls)) {
      return Promise.reject(
        new UpstreamError('fal failed', { code: 'UPSTREAM_ERROR', source: 'fal' }),
      );
    }
    this.beforeRead?.();
    if (params.requestId) this.lookups.push(params.requestId);
    const start = params.start ? parseInstant(params.start)!.micros / 1000 : -Infinity;
    const end = params.end ? parseInstant(params.end)!.micros / 1000 : Infinity;
    const statusClass = params.status && STATUS_CLASS[params.status];
    const matching = this.rows
      .filter((row) => params.endpointIds.includes(row.endpoint_id))
      .filter(
        (row) =>
          params.requestId !== undefined ||
          (millis(row.sent_at)! >= start && millis(row.sent_at)! < end),
      )
      .filter((row) => params.requestId === undefined || row.request_id === params.requestId)
      .filter((row) => !statusClass || Math.floor((row.status_code ?? 0) / 100) === statusClass)
      .sort(
        (a, b) =>
          (millis(b.ended_at) ?? Infinity) - (millis(a.ended_at) ?? Infinity) ||
          millis(b.sent_at)! - millis(a.sent_at)! ||
          (a.request_id < b.request_id ? -1 : 1),
      );
    const from = (params.page - 1) * params.limit;
    const hasMore = matching.length > from + params.limit;
    return Promise.resolve({
      items: structuredClone(matching.slice(from, from + params.limit)),
      next_cursor: hasMore ? String(params.page + 1) : null,
      has_more: hasMore,
    });
  };

  failNext(...offsets: number[]): void {
    this.failing = new Set(offsets.map((offset) => this.calls + offset));
  }

  /** `count` requests sent now, pending (or ended with `statusCode` a moment later). */
  send(count: number, statusCode?: number): string[] {
    return Array.from({ length: count }, () => {
      const sent = (this.clock += 1);
      const row: FalRequestItem = {
        request_id: `req-${(this.next += 1).toString().padStart(5, '0')}`,
        endpoint_id: ENDPOINT,
        sent_at: new Date(sent).toISOString(),
        started_at: new Date(sent).toISOString(),
        ended_at: null,
        status_code: null,
        duration: null,
      };
      this.rows.push(row);
      if (statusCode) this.finish(row.request_id, statusCode);
      return row.request_id;
    });
  }

  /** Ends a request now, or at `endedAt` (a request that reaches the listing late). */
  finish(requestId: string, statusCode = 200, endedAt = (this.clock += 1)): void {
    const row = this.rows.find((each) => each.request_id === requestId)!;
    row.ended_at = new Date(endedAt).toISOString();
    row.status_code = statusCode;
    row.duration = (endedAt - millis(row.sent_at)!) / 1000;
  }

  /** A moment from the fake's clock, for an end stamped in the past. */
  tick(): number {
    return (this.clock += 1);
  }
}

function feedOver(
  fal: HostileFal,
  since?: number,
  filter: FalRequestFeedFilter = { endpointIds: [ENDPOINT] },
) {
  const poll = falRequestPoller(fal.read, filter, { overlapMs: 0, logger });
  let state: FalRequestFeedState = falRequestFeedStart(
    since === undefined ? undefined : fromMillis(since),
  );
  const handed: FalRequestChange[] = [];
  return {
    handed,
    get state() {
      return state;
    },
    async poll(): Promise<boolean> {
      try {
        const step = await poll(state);
        state = step.state;
        handed.push(...step.changes);
        return true;
      } catch {
        return false;
      }
    },
  };
}

const summary = (changes: readonly FalRequestChange[]) =>
  changes.map(({ change, request }) => `${request.request_id}:${change}`);

const expectOnceEach = (changes: readonly FalRequestChange[]) => {
  const keys = summary(changes);
  expect(keys).toEqual([...new Set(keys)]);
};

describe('falRequestPoller over a hostile requests API', () => {
  it('hands out STARTED when first seen pending and FINISHED when its end is first seen, once each', async () => {
    const fal = new HostileFal();
    fal.send(30, 200);
    fal.send(3);
    const feed = feedOver(fal);
    await feed.poll();
    expect(feed.handed).toEqual([]); // the first poll only takes note of what is there

    const [pending] = fal.send(1);
    const [quick] = fal.send(1, 500);
    await feed.poll();
    await feed.poll();
    fal.finish(pending!, 422);
    await feed.poll();
    await feed.poll();
    expect(summary(feed.handed)).toEqual([
      `${pending}:STARTED`,
      `${quick}:FINISHED`,
      `${pending}:FINISHED`,
    ]);
    expect(feed.handed.at(-1)!.request).toMatchObject({ status_code: 422 });
    expect(feed.handed.map(({ at }) => at.micros)).toEqual(
      [...feed.handed.map(({ at }) => at.micros)].sort((a, b) => a - b),
    );
  });

  it('follows the requests pending when it starts to their end', async () => {
    const fal = new HostileFal();
    const earlier = fal.send(2);
    const feed = feedOver(fal);
    await feed.poll();
    fal.finish(earlier[1]!);
    await feed.poll();
    expect(summary(feed.handed)).toEqual([`${earlier[1]}:FINISHED`]);
  });

  it('hands out every request of a burst larger than a page once, while the list shifts under it', async () => {
    const fal = new HostileFal();
    fal.send(120, 200);
    const feed = feedOver(fal);
    await feed.poll();
    const ended = fal.send(250, 200);
    const pending = fal.send(130);
    // While a poll reads: new requests come in at the top, pending ones end and move down.
    let reads = 0;
    const arrived: string[] = [];
    fal.beforeRead = () => {
      reads += 1;
      if (reads > 6) return;
      arrived.push(...fal.send(20));
      for (const id of pending.slice((reads - 1) * 10, reads * 10)) fal.finish(id, 500);
    };
    await feed.poll();
    fal.beforeRead = undefined;
    for (const id of pending)
      if (!fal.rows.find((row) => row.request_id === id)!.ended_at) fal.finish(id);
    for (const id of arrived) fal.finish(id, 404);
    await feed.poll();
    await feed.poll();
    expectOnceEach(feed.handed);
    const finished = feed.handed.filter(({ change }) => change === 'FINISHED');
    expect(finished.map(({ request }) => request.request_id).sort()).toEqual(
      [...ended, ...pending, ...arrived].sort(),
    );
    const started = feed.handed.filter(({ change }) => change === 'STARTED');
    for (const { request } of started) {
      expect([...pending, ...arrived]).toContain(request.request_id);
    }
  });

  it('reads a followed request by id when it ends with an end older than one seen already', async () => {
    const fal = new HostileFal();
    fal.send(5, 200);
    const feed = feedOver(fal);
    await feed.poll();
    const [late] = fal.send(1);
    await feed.poll();
    const endedBefore = fal.tick();
    fal.send(3, 200);
    await feed.poll();
    // Its end is stamped before the last three ended: a poll stops reading before reaching it.
    fal.finish(late!, 200, endedBefore);
    fal.lookups = [];
    await feed.poll();
    expect(fal.lookups).toEqual([late]);
    expect(summary(feed.handed.filter(({ request }) => request.request_id === late))).toEqual([
      `${late}:STARTED`,
      `${late}:FINISHED`,
    ]);
    await feed.poll();
    expectOnceEach(feed.handed);
  });

  it('loses and repeats nothing when polls fail part-way, whatever call fails', async () => {
    for (let failing = 1; failing <= 4; failing += 1) {
      const fal = new HostileFal();
      fal.send(50, 200);
      const feed = feedOver(fal);
      await feed.poll();
      const [late] = fal.send(1);
      await feed.poll();
      const endedBefore = fal.tick();
      const between = fal.send(5, 200);
      await feed.poll();
      // Three pages of ends, and the late one read by id: four calls.
      const burst = fal.send(230, 200);
      fal.finish(late!, 200, endedBefore);
      fal.failNext(failing, failing + 1);
      expect(await feed.poll()).toBe(false);
      while (!(await feed.poll()));
      await feed.poll();
      expectOnceEach(feed.handed);
      expect(summary(feed.handed).sort()).toEqual(
        [
          `${late}:STARTED`,
          `${late}:FINISHED`,
          ...[...between, ...burst].map((id) => `${id}:FINISHED`),
        ].sort(),
      );
    }
  });

  it('with since, hands out the requests sent from there first, in the order they happened', async () => {
    const fal = new HostileFal();
    const before = fal.send(10, 200);
    const since = Date.parse(fal.rows.find((row) => row.request_id === before.at(-1))!.sent_at) + 1;
    const done = fal.send(40, 200);
    const running = fal.send(5);
    // Ended in another order than sent
    const reordered = fal.send(3);
    for (const id of reordered.toReversed()) fal.finish(id);
    const feed = feedOver(fal, since);
    await feed.poll();
    const replayed = summary(feed.handed);
    expect([...replayed].sort()).toEqual(
      [
        ...done.map((id) => `${id}:FINISHED`),
        ...reordered.map((id) => `${id}:FINISHED`),
        ...running.map((id) => `${id}:STARTED`),
      ].sort(),
    );
    const at = feed.handed.map((change) => change.at.micros);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(replayed.slice(-3)).toEqual(reordered.toReversed().map((id) => `${id}:FINISHED`));

    fal.finish(running[0]!);
    const [fresh] = fal.send(1, 200);
    await feed.poll();
    expect(summary(feed.handed.slice(replayed.length))).toEqual([
      `${running[0]}:FINISHED`,
      `${fresh}:FINISHED`,
    ]);
  });

  it('with a status filter, hands out the requests that end in it', async () => {
    const fal = new HostileFal();
    const feed = feedOver(fal, undefined, { endpointIds: [ENDPOINT], status: 'user_error' });
    await feed.poll();
    const [bad] = fal.send(1, 422);
    fal.send(2, 200);
    const [slow] = fal.send(1);
    await feed.poll();
    fal.finish(slow!, 404);
    await feed.poll();
    expect(summary(feed.handed)).toEqual([`${bad}:FINISHED`, `${slow}:FINISHED`]);
  });

  it(`follows at most ${MAX_FOLLOWED_REQUESTS} pending requests, and remembers few finished ones`, async () => {
    const fal = new HostileFal();
    const feed = feedOver(fal);
    await feed.poll();
    fal.send(MAX_FOLLOWED_REQUESTS + 50);
    await feed.poll();
    expect(feed.state.pending).toHaveLength(MAX_FOLLOWED_REQUESTS);
    for (const row of fal.rows) fal.finish(row.request_id);
    await feed.poll();
    expect(feed.handed).toHaveLength(2 * (MAX_FOLLOWED_REQUESTS + 50));
    expect(feed.state.pending).toEqual([]);
    expect(feed.state.finished).toHaveLength(1);
  });
});
