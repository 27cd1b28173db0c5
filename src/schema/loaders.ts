import pLimit from 'p-limit';

/**
 * A DataLoader batch that loads each key on its own, at most `concurrency` at a time; a key
 * whose load fails gets its error, and the others their values.
 */
export async function loadEach<Key, Value>(
  keys: readonly Key[],
  concurrency: number,
  load: (key: Key) => Promise<Value>,
): Promise<(Value | Error)[]> {
  const limit = pLimit(concurrency);
  const settled = await Promise.allSettled(keys.map((key) => limit(() => load(key))));
  return settled.map((outcome) =>
    outcome.status === 'fulfilled' ? outcome.value : asError(outcome.reason),
  );
}

function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** A Map that forgets its oldest entries past a size; fits DataLoader's cacheMap. */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly capacity: number) {
    super();
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    for (const oldest of this.keys()) {
      if (this.size <= this.capacity) break;
      this.delete(oldest);
    }
    return this;
  }
}
