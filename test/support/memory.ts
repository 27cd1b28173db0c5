import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// Vitest's workers run without --expose-gc; the flag still takes effect for a new context.
setFlagsFromString('--expose-gc');

/** A full garbage collection, as the process would run one sooner or later. */
export const collectGarbage = runInNewContext('gc') as () => void;

/** Bytes still referenced (JS heap and Buffers) after full collections: what a leak would grow. */
export function retainedBytes(): number {
  collectGarbage();
  collectGarbage();
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
}

export const MiB = 1024 * 1024;
