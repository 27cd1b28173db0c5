import { releaseOnce, type Release } from './release.js';

/**
 * What clients hold open, counted under several keys at once (a client's credentials, its
 * address): a hold that would take any of its keys past `limit` is refused.
 *
 * Invariant: a key's count is the number of holds naming it that are not yet released; a key
 * at zero is forgotten, so memory follows what is open, not every client ever seen.
 */
export class ClientQuota {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** One place under each of `keys`, or undefined (nothing held) when any of them is full. */
  hold(keys: readonly string[]): Release | undefined {
    const distinct = [...new Set(keys)];
    if (distinct.some((key) => (this.counts.get(key) ?? 0) >= this.limit)) return undefined;
    for (const key of distinct) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return releaseOnce(() => {
      for (const key of distinct) {
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left > 0) this.counts.set(key, left);
        else this.counts.delete(key);
      }
    });
  }
}
