import { releaseOnce, type Release } from './release.js';

/**
 * At most `capacity` upstream streams open at once. A tail takes a slot before it opens a
 * stream and gives it back once that stream has ended, so the gateway knows when its stream
 * pool is full instead of leaving a new stream queued, silent, inside the HTTP client.
 *
 * Invariant: `held` counts slots taken and not yet given back, and never exceeds `capacity`;
 * there are waiters only while every slot is held. A slot given back goes straight to the
 * longest waiter, so newcomers cannot overtake those already waiting.
 */
export class StreamSlots {
  private held = 0;
  private readonly waiting = new Set<(release: Release) => void>();

  constructor(readonly capacity: number) {}

  /** A slot, or undefined when none frees up within `waitMs` or `signal` aborts first. */
  take(waitMs: number, signal: AbortSignal): Promise<Release | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.held < this.capacity) {
      this.held += 1;
      return Promise.resolve(this.slot());
    }
    return new Promise((resolve) => {
      const settle = (release?: Release) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', giveUp);
        this.waiting.delete(grant);
        resolve(release);
      };
      const grant = (release: Release) => settle(release);
      const giveUp = () => settle();
      const timer = setTimeout(giveUp, waitMs);
      signal.addEventListener('abort', giveUp, { once: true });
      this.waiting.add(grant);
    });
  }

  private slot(): Release {
    return releaseOnce(() => {
      const [longest] = this.waiting;
      if (longest) longest(this.slot());
      else this.held -= 1;
    });
  }
}
