import { setTimeout as sleep } from 'node:timers/promises';
import type { TailSettings } from '../config.js';
import { UpstreamError, type UpstreamErrorCode } from '../errors.js';
import { jitteredBackoffMs } from '../upstreams/retry.js';

const RETRYABLE: ReadonlySet<UpstreamErrorCode> = new Set([
  'RATE_LIMITED',
  'UPSTREAM_ERROR',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
]);

/**
 * A failure a reconnect may cure. An event past UPSTREAM_MAX_EVENT_BYTES is not one: the resume
 * would replay it, so the tail ends at once rather than read it again on every attempt.
 */
const isRetryable = (error: unknown): error is UpstreamError =>
  error instanceof UpstreamError &&
  RETRYABLE.has(error.details.code) &&
  error.details.limit === undefined;

/** The wait before a tail's next attempt: jittered, and no shorter than the upstream asked. */
function backoffMs(failures: number, error: unknown, settings: TailSettings): number {
  const jittered = jitteredBackoffMs(failures, {
    baseMs: settings.backoffBaseMs,
    maxMs: settings.backoffMaxMs,
  });
  const retryAfterMs = error instanceof UpstreamError ? (error.details.retryAfter ?? 0) * 1000 : 0;
  return Math.min(Math.max(jittered, retryAfterMs), settings.backoffMaxMs * 4);
}

/**
 * After a tail's `failures`-th failed attempt in a row: false when it must end with `problem`
 * (one a retry cannot cure, or one too many), else true once the backoff has been waited out
 * (or `signal` aborted), with `retrying` told first.
 */
export async function backedOff(
  problem: unknown,
  failures: number,
  settings: TailSettings,
  signal: AbortSignal,
  retrying: (error: UpstreamError) => void,
): Promise<boolean> {
  if (!isRetryable(problem) || failures > settings.reconnectAttempts) return false;
  retrying(problem);
  await sleep(backoffMs(failures, problem, settings), undefined, { signal }).catch(() => undefined);
  return true;
}
