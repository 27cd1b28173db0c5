import { faultMessage, writeHead, writeThenReset } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { writeForever } from '../http/hostile-bodies.js';
import { DAY } from '../time.js';
import { sendValidationError } from './errors.js';
import { lineMatcher, present } from './filter.js';
import { defaultEnd, parseStreamQuery } from './query.js';
import { SseWriter } from './sse.js';
import { firstOlderThan } from './store.js';
import type { FalStore, LineEntry } from './store.js';
import type { FalLogLine } from './wire.js';

/** The open logs.stream responses, so they can be counted and ended on close. */
export class OpenStreams {
  #enders = new Set<() => void>();

  get size(): number {
    return this.#enders.size;
  }

  add(end: () => void): () => void {
    this.#enders.add(end);
    return () => this.#enders.delete(end);
  }

  endAll(): void {
    for (const end of this.#enders) end();
  }
}

export interface StreamRouteOptions {
  store: FalStore;
  now: () => number;
  streams: OpenStreams;
  keepAliveMs: number;
}

/**
 * `POST /serverless/logs/stream`: replays stored lines from `start` oldest first, then sends
 * matching lines as they are appended, until `end` passes or the client goes away.
 */
export function streamRoute({ store, now, streams, keepAliveMs }: StreamRouteOptions) {
  return (ex: Exchange, tenant: string): void => {
    const parsed = parseStreamQuery(ex.call.query, ex.bodyText);
    if (!parsed.ok) return sendValidationError(ex, parsed.param, parsed.problem);
    const filter = parsed.value;
    const start = filter.start ?? (now() - DAY) * 1000;
    const end = filter.end ?? Infinity;
    const inWindow = (entry: LineEntry) => entry.micros >= start && entry.micros < end;
    const matches = lineMatcher(filter, store.owner(tenant));
    const { res } = ex;

    writeHead(ex, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    if (ex.fault?.resetMidBody) return writeThenReset(ex, 'data: {"timestamp":"');
    if (ex.fault?.endlessBody) return void writeForever(res, 'data: {"message":"', 'x');
    if (ex.fault?.endlessEvent) return void writeForever(res, '', 'data: x\n');
    const sse = new SseWriter(res, ex.fault, faultMessage(ex));
    const replayEnd = Math.min(end, defaultEnd(now() * 1000));
    replay(sse, store.entries(tenant), { start, end: replayEnd }, (entry) =>
      matches(entry) ? present(entry, filter.traceback) : undefined,
    );
    if (!sse.open || end <= now() * 1000) return sse.end();

    const unsubscribe = store.subscribe(tenant, (entry) => {
      try {
        if (inWindow(entry) && matches(entry)) sse.line(present(entry, filter.traceback));
      } catch (error) {
        sse.error(`internal error: ${String(error)}`);
      }
    });
    const keepAlive = setInterval(() => sse.comment('keep-alive'), keepAliveMs).unref();
    const cancelEnd = end === Infinity ? undefined : after(end / 1000 - now(), () => sse.end());
    const forget = streams.add(() => sse.end());
    res.on('close', () => {
      unsubscribe();
      clearInterval(keepAlive);
      cancelEnd?.();
      forget();
    });
  };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** setTimeout that also waits past the timer limit (about 24.8 days); returns the canceller. */
function after(ms: number, run: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (left: number) => {
    timer = setTimeout(
      () => (left > MAX_TIMER_MS ? arm(left - MAX_TIMER_MS) : run()),
      Math.min(left, MAX_TIMER_MS),
    ).unref();
  };
  arm(ms);
  return () => clearTimeout(timer);
}

/** Sends the stored lines of [start, end), oldest first. */
function replay(
  sse: SseWriter,
  entries: readonly LineEntry[],
  window: { start: number; end: number },
  shown: (entry: LineEntry) => FalLogLine | undefined,
): void {
  sse.comment('connected');
  for (let i = firstOlderThan(entries, window.start) - 1; i >= 0 && sse.open; i--) {
    const entry = entries[i];
    if (!entry || entry.micros >= window.end) break;
    const line = shown(entry);
    if (line) sse.line(line);
  }
}
