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
