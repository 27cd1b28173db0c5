/** How long to wait before the next attempt: doubling from `baseMs`, capped at `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * The wait before attempt `failures + 1`: exponential, capped, and jittered over its upper half
 * so that clients failing together do not retry together.
 */
export function jitteredBackoffMs(failures: number, backoff: Backoff): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (failures - 1));
  return exponential / 2 + Math.random() * (exponential / 2);
}
