import { Repeater } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { TailSettings } from '../config.js';
import { fromMicros, parseInstant, type Instant } from '../time.js';
import { UpstreamError } from '../errors.js';
import type { FalClient } from '../upstreams/fal/client.js';
import type { FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import { tailFailure, type TailFailure } from './hub.js';
import type { Release } from './release.js';
import { backedOff } from './tail-backoff.js';
import { redactCredentials } from '../upstreams/redact.js';
import { ReplayFilter } from './replay-filter.js';
import { STOPPED } from './stopped.js';
import type { StreamSlots } from './stream-slots.js';

/** A delivered line, its timestamp in microseconds, and its event data exactly as sent. */
export interface FalTailLine {
  kind: 'line';
  line: FalLogLine;
  micros: number;
  data: string;
}

/**
 * Where a client stands in a tail: the newest timestamp it was handed, and the lines a resume
 * from there (less the overlap) would hand it again.
 */
export interface FalTailPosition {
  newest: number;
  replays: ReplayFilter;
}

/** What a fal tail hands out: lines, and at most one failure, last. */
export type FalTailEvent = FalTailLine | TailFailure;

/** A live fal tail as the schema asks for it, whichever backend serves it. */
export interface FalLiveRequest {
  authorization: string;
  filter: FalLogFilterParams;
  start: Instant;
  end: Instant | undefined;
  /** Lines a client already has, when the tail takes over from another: they are not repeated. */
  after?: FalTailPosition | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** The subscribing request's id, sent upstream with every reconnect. */
  requestId: string | undefined;
  logger: Logger;
  /** Told when the tail starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/** The backend chosen at start (`FAL_LOGS_API`), serving live tails. */
export type FalLiveSource = (request: FalLiveRequest) => AsyncIterable<FalTailEvent>;

export interface FalTailRequest extends FalLiveRequest {
  client: FalClient;
  /** The gateway's upstream streams: the tail holds a slot while it has a stream open. */
  streams: StreamSlots;
  settings: TailSettings;
}

const streamsExhausted = () =>
  new UpstreamError(
    "The gateway's upstream stream capacity is exhausted (UPSTREAM_MAX_STREAMS); retry later",
    { code: 'RATE_LIMITED', source: 'fal' },
  );

/**
 * A live tail of fal logs over the upstream's SSE stream, oldest first as lines arrive.
 *
 * A dropped stream (reset, end, idle timeout, an `error` event) is reopened from a little
 * before the newest delivered line, and the replayed lines are dropped, so the client sees
 * neither a gap nor a repeat. After `reconnectAttempts` failures in a row, or at once for an
 * error that retrying cannot fix (a refused key), the last value is the failure and the tail ends.
 * Each stream holds one of the gateway's stream slots: a tail that has never had a stream and
 * gets no slot within `streamWaitMs` ends at once with RATE_LIMITED; a reconnect that gets none
 * counts as a failed attempt and backs off like any other.
 * Closing the tail, or `signal` (the client going away, the gateway shutting down), aborts
 * the upstream request and completes the tail.
 */
export function tailFalLogs(request: FalTailRequest): Repeater<FalTailEvent> {
  return new Repeater(async (push, stop) => {
    request.lifecycle.started();
    const upstream = new AbortController();
    const onClientGone = () => void stop();
    request.signal.addEventListener('abort', onClientGone, { once: true });
    // Aborted on the next turn of the event loop: closing a stream is costly (its socket, and
    // undici's errors), and tails that stop together (replays switching on one line) hand out
    // that line first and close their streams after it.
    void stop.then(() => setImmediate(() => upstream.abort(STOPPED)));

    const { settings } = request;
    const overlapMicros = settings.resumeOverlapMs * 1000;
    const replays = request.after?.replays ?? new ReplayFilter();
    let newest = request.after?.newest;
    let failures = 0;
    let progressed = true;
    // A tail taking over from a shared one is already running for its client.
    let hadStream = request.after !== undefined;

    try {
      while (!upstream.signal.aborted) {
        // Without progress last time, the overlap alone may be what keeps the tail from moving on.
        const overlap = progressed ? overlapMicros : 0;
        const startMicros =
          newest === undefined
            ? request.start.micros
            : Math.max(request.start.micros, newest - overlap);
        replays.expectReplayFrom(startMicros);
        progressed = false;
        let opened = false;
        let problem: unknown;
        let slot: Release | undefined;
        try {
          slot = await request.streams.take(settings.streamWaitMs, upstream.signal);
          if (!slot) throw streamsExhausted();
          const events = request.client.logsStream(
            request.authorization,
            { ...request.filter, start: fromMicros(startMicros).iso, end: request.end?.iso },
            settings.idleTimeoutMs,
            { signal: upstream.signal, requestId: request.requestId },
          );
          for await (const event of events) {
            if (event.kind === 'open') {
              opened = true;
              hadStream = true;
              continue;
            }
            if (event.kind === 'unreadable') {
              request.logger.debug('skipped a fal stream event that is not a log line');
              continue;
            }
            if (event.kind === 'error') {
              const message = redactCredentials(event.message, request.authorization);
              throw new UpstreamError(`fal reported a stream error: ${message}`, {
                code: 'UPSTREAM_ERROR',
                source: 'fal',
              });
            }
            if (replays.isReplay(event.data)) continue;
            const micros = parseInstant(event.line.timestamp)?.micros ?? newest ?? startMicros;
            newest = Math.max(newest ?? micros, micros);
            replays.delivered(event.data, micros, newest - overlapMicros);
            failures = 0;
            progressed = true;
            await push({ kind: 'line', line: event.line, micros, data: event.data });
          }
          if (request.end && Date.now() * 1000 >= request.end.micros) return;
          problem = new UpstreamError('fal ended the log stream', {
            code: 'UPSTREAM_UNAVAILABLE',
            source: 'fal',
          });
        } catch (error) {
          if (upstream.signal.aborted) return;
          problem = error;
        } finally {
          slot?.();
        }

        // A stream that went quiet is reopened at once: a quiet app is not a failing upstream.
        if (
          opened &&
          problem instanceof UpstreamError &&
          problem.details.code === 'UPSTREAM_TIMEOUT'
        ) {
          request.logger.debug('fal log stream idle; reopening');
          continue;
        }
        failures += 1;
        // A new tail at the cap is refused rather than held in silence until a stream frees up.
        const refused = !slot && !hadStream;
        if (refused) request.logger.warn('no upstream stream free for a new fal tail; refused');
        const retry =
          !refused &&
          (await backedOff(problem, failures, settings, upstream.signal, (error) =>
            request.logger.info(
              { failures, code: error.details.code },
              'fal log stream dropped; resuming',
            ),
          ));
        if (!retry) {
          await push(tailFailure(problem));
          return;
        }
      }
    } finally {
      request.signal.removeEventListener('abort', onClientGone);
      upstream.abort(STOPPED);
      void stop();
      request.lifecycle.ended();
    }
  });
}
