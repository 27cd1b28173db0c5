import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import type { TailSettings } from '../config.js';
import { fromMicros, type Instant } from '../time.js';
import { asV1Line } from '../upstreams/fal-legacy/as-v1-line.js';
import type { FalLegacyClient } from '../upstreams/fal-legacy/client.js';
import type { FalLegacyLogLine } from '../upstreams/fal-legacy/types.js';
import type { CallOptions } from '../upstreams/http.js';
import { falLegacyPlan, type FalLegacyQuery } from './fal-legacy-plan.js';
import type { FalLiveRequest, FalTailEvent, FalTailLine } from './fal-tail.js';
import { tailFailure } from './hub.js';
import { ReplayFilter } from './replay-filter.js';
import { backoffMs, isRetryable } from './tail-backoff.js';

export interface FalLegacyPollRequest extends FalLiveRequest {
  client: FalLegacyClient;
  settings: TailSettings;
  /** `FAL_LEGACY_POLL_INTERVAL_MS`: the wait between one poll's end and the next. */
  intervalMs: number;
}

/** The legacy API's largest page (it documents none; NOTES.md). */
const PAGE_LIMIT = 1000;

interface PageReading {
  client: FalLegacyClient;
  authorization: string;
  call: CallOptions;
  logger: FalLiveRequest['logger'];
}

/**
 * Every line of `query` strictly between `since` and `until`, newest first. The API has no
 * cursor: a full page may have more behind it, read by moving `until` to 1 µs past the oldest
 * timestamp read, which reads the lines at that timestamp again, whole (they replace the ones
 * the page ended with). A page holding one timestamp alone cannot be paged within: the rest of
 * that microsecond is skipped, with a warning.
 */
async function readAll(
  reading: PageReading,
  query: FalLegacyQuery,
  since: Instant,
  until: Instant | undefined,
): Promise<FalLegacyLogLine[]> {
  const lines: FalLegacyLogLine[] = [];
  let upper = until;
  let rereading: number | undefined;
  for (;;) {
    const page = await reading.client.logs(
      reading.authorization,
      { ...query, limit: PAGE_LIMIT, since, until: upper },
      reading.call,
    );
    while (rereading !== undefined && lines.at(-1)?.timestamp.micros === rereading) lines.pop();
    lines.push(...page);
    if (page.length < PAGE_LIMIT) return lines;
    const oldest = page.at(-1)!.timestamp.micros;
    if (page[0]!.timestamp.micros === oldest) {
      reading.logger.warn(
        { limit: PAGE_LIMIT },
        'more fal legacy lines share one microsecond than a page holds; the rest are skipped',
      );
      rereading = undefined;
      upper = fromMicros(oldest);
    } else {
      rereading = oldest;
      upper = fromMicros(oldest + 1);
    }
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
 */
export function pollFalLegacyLogs(request: FalLegacyPollRequest): Repeater<FalTailEvent> {
  return new Repeater(async (push, stop) => {
    request.lifecycle.started();
    const upstream = new AbortController();
    const onClientGone = () => void stop();
    request.signal.addEventListener('abort', onClientGone, { once: true });
    void stop.then(() => upstream.abort());

    const { settings } = request;
    const plan = falLegacyPlan(request.filter);
    const reading: PageReading = {
      client: request.client,
      authorization: request.authorization,
      call: { signal: upstream.signal, requestId: request.requestId },
      logger: request.logger,
    };
    const overlapMicros = settings.resumeOverlapMs * 1000;
    const replays = request.after?.replays ?? new ReplayFilter();
    let newest = request.after?.newest;
    let failures = 0;

    /** The lines of one poll from `startMicros` on, oldest first. */
    const poll = async (startMicros: number): Promise<FalTailLine[]> => {
      const since = fromMicros(startMicros - 1);
      const perQuery = await Promise.all(
        plan.queries.map((query) => readAll(reading, query, since, request.end)),
      );
      return perQuery
        .flat()
        .map((legacy) => {
          const line = asV1Line(legacy);
          return {
            kind: 'line' as const,
            line,
            micros: legacy.timestamp.micros,
            data: JSON.stringify(line),
          };
        })
        .filter(({ line }) => plan.keeps(line))
        .reverse()
        .sort((a, b) => a.micros - b.micros);
    };

    try {
      while (!upstream.signal.aborted) {
        const startMicros =
          newest === undefined
            ? request.start.micros
            : Math.max(request.start.micros, newest - overlapMicros);
        const polledAtMicros = Date.now() * 1000;
        let lines: FalTailLine[];
        try {
          lines = await poll(startMicros);
        } catch (error) {
          if (upstream.signal.aborted) return;
          failures += 1;
          if (!isRetryable(error) || failures > settings.reconnectAttempts) {
            await push(tailFailure(error));
            return;
          }
          request.logger.info(
            { failures, code: error.details.code },
            'fal legacy log poll failed; retrying',
          );
          await sleep(backoffMs(failures, error, settings), undefined, {
            signal: upstream.signal,
          }).catch(() => undefined);
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
