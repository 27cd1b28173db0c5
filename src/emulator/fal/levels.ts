/** Minimum-level order; stdout and stderr rank above error so they pass every minimum. */
const RANKS = new Map([
  ['trace', 0],
  ['debug', 1],
  ['info', 2],
  ['warning', 3],
  ['error', 4],
  ['stdout', 5],
  ['stderr', 5],
]);

const INFO_RANK = 2;

export const LEVEL_NAMES = [...RANKS.keys()];

export function isKnownLevel(level: string): boolean {
  return RANKS.has(level.toLowerCase());
}

/** Case-insensitive; a level fal does not know ranks as info. */
export function levelRank(level: string): number {
  return RANKS.get(level.toLowerCase()) ?? INFO_RANK;
}
