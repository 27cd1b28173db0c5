import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import type { TailSettings } from '../config.js';
import { fromMicros, type Instant } from '../time.js';
import type { FalLegacyClient } from '../upstreams/fal-legacy/client.js';
import { inSpan } from '../upstreams/tracing.js';
import { falLegacyReader } from '../paging/fal-legacy-reader.js';
import { walkFalLogs, type FalLogPageReader, type FalLogPosition } from '../paging/fal-logs.js';
import type { FalLiveRequest, FalTailEvent, FalTailLine } from './fal-tail.js';
import { tailFailure } from './hub.js';
import { ReplayFilter } from './replay-filter.js';
import { backedOff } from './tail-backoff.js';

export interface FalLegacyPollRequest extends FalLiveRequest {
  client: FalLegacyClient;
  settings: TailSettings;
  /** `FAL_LEGACY_POLL_INTERVAL_MS`: the wait between one poll's end and the next. */
  intervalMs: number;
}

/** Lines one walk of a poll reads before it hands them on; a poll walks on until it has all. */
const WALK_PAGE = 5000;
const FAR_FUTURE_MICROS = 365 * 24 * 3_600_000_000;

/**
 * Every line of the window, oldest first, read through the legacy reader (which pages, merges
 * apps and checks in the gateway what the API cannot filter) and the exact-once walk.
 */
async function readWindow(
  reader: FalLogPageReader,
  request: FalLegacyPollRequest,
  window: { start: Instant; end: Instant },
): Promise<FalTailLine[]> {
  const lines: FalTailLine[] = [];
  let after: FalLogPosition | undefined;
  for (;;) {
    const walk = await walkFalLogs({
      reader,
      filter: request.filter,
      window,
      after,
      first: WALK_PAGE,
    });
    if (walk.unreachableBursts.length > 0) {
      request.logger.warn(
        { bursts: walk.unreachableBursts },
        'more fal legacy lines share one timestamp than a page holds; the rest are skipped',
      );
    }
    for (const { line, micros } of walk.entries) {
      lines.push({ kind: 'line', line, micros, data: JSON.stringify(line) });
    }
    const last = walk.entries.at(-1);
    if (!walk.hasNextPage || !last) return lines.reverse();
    after = { micros: last.micros, seen: last.seen };
  }
}

/**
 * A live tail of fal logs over the legacy API, which has no stream: every `intervalMs` it reads
 * every line from the newest one delivered (less the resume overlap) on, each of the plan's
 * queries (one per app) paged back to that point, and hands them out oldest first, dropping
 * what it already delivered, so the client sees neither a gap nor a repeat. A failed poll
 * delivers nothing and is retried after a backoff; after `reconnectAttempts` failures in a
 * row, or at once for an error that retrying cannot fix, the last value is the failure. With
 * `end` it completes once a poll has covered it. Closing it, or `signal`, stops it at once.
 * Each poll is a span, its upstream calls its children.
 */
export function pollFalLegacyLogs(request: FalLegacyPollRequest): Repeater<FalTailEvent> {
  return new Repeater(async (push, stop) => {
    request.lifecycle.started();
    const upstream = new AbortController();
    const onClientGone = () => void stop();
    request.signal.addEventListener('abort', onClientGone, { once: true });
    void stop.then(() => upstream.abort());

    const { settings } = request;
    const reader = falLegacyReader(request.client, request.authorization, {
      signal: upstream.signal,
      requestId: request.requestId,
    });
    const overlapMicros = settings.resumeOverlapMs * 1000;
    const replays = request.after?.replays ?? new ReplayFilter();
    let newest = request.after?.newest;
    let failures = 0;

    /** The lines of one poll from `startMicros` on, oldest first. */
    const poll = (startMicros: number) =>
      readWindow(reader, request, {
        start: fromMicros(startMicros),
        end: request.end ?? fromMicros(Date.now() * 1000 + FAR_FUTURE_MICROS),
      });

    try {
      while (!upstream.signal.aborted) {
        const startMicros =
          newest === undefined
            ? request.start.micros
            : Math.max(request.start.micros, newest - overlapMicros);
        const polledAtMicros = Date.now() * 1000;
        let lines: FalTailLine[];
        try {
          lines = await inSpan('fal legacy poll', () => poll(startMicros));
        } catch (error) {
          if (upstream.signal.aborted) return;
          failures += 1;
          const retry = await backedOff(error, failures, settings, upstream.signal, (problem) =>
            request.logger.info(
              { failures, code: problem.details.code },
              'fal legacy log poll failed; retrying',
            ),
          );
          if (!retry) {
            await push(tailFailure(error));
            return;
          }
          continue;
        }
        failures = 0;
        replays.expectReplayFrom(startMicros);
        for (const line of lines) {
          if (replays.isReplay(line.data)) continue;
          newest = Math.max(newest ?? line.micros, line.micros);
          replays.delivered(line.data, line.micros, newest - overlapMicros);
          await push(line);
        }
        if (request.end && polledAtMicros >= request.end.micros) return;
        await sleep(request.intervalMs, undefined, { signal: upstream.signal }).catch(
          () => undefined,
        );
      }
    } finally {
      request.signal.removeEventListener('abort', onClientGone);
      upstream.abort();
      void stop();
      request.lifecycle.ended();
    }
  });
}
