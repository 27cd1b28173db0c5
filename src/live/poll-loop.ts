import { setTimeout as sleep } from 'node:timers/promises';
import { Repeater } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { TailSettings } from '../config.js';
import { tailFailure, type TailFailure } from './hub.js';
import { backedOff } from './tail-backoff.js';

/** What one poll found, and the state the next poll starts from. */
export interface PollStep<Change, State> {
  changes: Change[];
  state: State;
  /** Poll again at once, without waiting the interval (a replay not yet read to its end). */
  again: boolean;
  /** The poll read a replay's stretch of the past, not what is there now. */
  replayed?: boolean;
}

/**
 * One poll from `state`. It must not change `state`: a poll that throws is retried from the same
 * state, so nothing it had read is lost and nothing is delivered twice.
 */
export type Poll<Change, State> = (state: State) => Promise<PollStep<Change, State>>;

/** The changes of one poll, handed out together with the state right after them. */
export interface FeedBatch<Change, State> {
  kind: 'batch';
  changes: Change[];
  /** Where a poller resumes to go on right after these changes, without a gap or a repeat. */
  resume: State;
  /**
   * When the poll that found them began and ended (epoch ms, by the poller's clock), and whether
   * it read a replay's stretch of the past rather than what is there now.
   */
  polled: { began: number; ended: number; replayed?: boolean };
}

/** What a feed's poller hands out: batches of changes, and at most one failure, last. */
export type FeedEvent<Change, State> = FeedBatch<Change, State> | TailFailure;

/** Told when a poller starts and ends, and of every poll's outcome (for the metrics). */
export interface PollObserver {
  opened(): void;
  closed(): void;
  polled(outcome: 'ok' | 'failed'): void;
}

export interface FeedPollRequest<Change, State> {
  poll(signal: AbortSignal): Poll<Change, State>;
  start: State;
  /** The wait between one poll's end and the next. */
  intervalMs: number;
  settings: TailSettings;
  /** Aborted when nobody follows the feed any more: the poller stops at once. */
  signal: AbortSignal;
  observer: PollObserver;
  logger: Logger;
  /** Told when the feed starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/**
 * Polls every `intervalMs` from `start`, handing out each poll's changes as one batch (and the
 * first poll's, even without changes, for the state it leaves). A failed poll hands out nothing
 * and is retried from the same state after a backoff; after `reconnectAttempts` failures in a
 * row, or at once for an error that retrying cannot fix, the last value is the failure. Closing
 * it, or `signal`, stops it at once, aborting the poll in flight.
 */
export function pollFeed<Change, State>(
  request: FeedPollRequest<Change, State>,
): Repeater<FeedEvent<Change, State>> {
  return new Repeater(async (push, stop) => {
    request.lifecycle.started();
    request.observer.opened();
    const upstream = new AbortController();
    const onGone = () => void stop();
    request.signal.addEventListener('abort', onGone, { once: true });
    if (request.signal.aborted) void stop();
    void stop.then(() => upstream.abort());

    const poll = request.poll(upstream.signal);
    let state = request.start;
    let failures = 0;
    let handedOut = false;
    try {
      while (!upstream.signal.aborted) {
        let step: PollStep<Change, State>;
        const began = Date.now();
        try {
          step = await poll(state);
        } catch (error) {
          if (upstream.signal.aborted) return;
          request.observer.polled('failed');
          failures += 1;
          const retry = await backedOff(
            error,
            failures,
            request.settings,
            upstream.signal,
            (problem) =>
              request.logger.info(
                { failures, code: problem.details.code },
                'feed poll failed; retrying',
              ),
          );
          if (!retry) {
            await push(tailFailure(error));
            return;
          }
          continue;
        }
        request.observer.polled('ok');
        failures = 0;
        state = step.state;
        // The first poll's batch goes out even when empty: a poller that goes on from the last
        // batch must not start before what the first poll took note of.
        if (step.changes.length > 0 || !handedOut) {
          handedOut = true;
          const polled = { began, ended: Date.now(), ...(step.replayed && { replayed: true }) };
          await push({ kind: 'batch', changes: step.changes, resume: state, polled });
        }
        if (!step.again) {
          await sleep(request.intervalMs, undefined, { signal: upstream.signal }).catch(
            () => undefined,
          );
        }
      }
    } finally {
      request.signal.removeEventListener('abort', onGone);
      upstream.abort();
      void stop();
      request.observer.closed();
      request.lifecycle.ended();
    }
  });
}
