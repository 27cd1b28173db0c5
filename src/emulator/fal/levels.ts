/**
 * Minimum-level order, as fal ranks its own levels (fal-ai/isolate `LogLevel`): stdout and
 * stderr rank above error, so `level=error` also returns them, and stderr above stdout.
 */
const RANKS = new Map([
  ['trace', 0],
  ['debug', 10],
  ['info', 20],
  ['warning', 30],
  ['error', 40],
  ['stdout', 100],
  ['stderr', 110],
]);

const INFO_RANK = 20;

export const LEVEL_NAMES = [...RANKS.keys()];

export function isKnownLevel(level: string): boolean {
  return RANKS.has(level.toLowerCase());
}

/** Case-insensitive; a level fal does not know ranks as info. */
export function levelRank(level: string): number {
  return RANKS.get(level.toLowerCase()) ?? INFO_RANK;
}
