/**
 * Merges lists that are each sorted newest first into one newest-first list. Items of equal
 * time keep the order of the lists they came from (earlier lists first), then their own, so the
 * merge of the same lists is the same on every call.
 */
export function mergeNewestFirst<Item>(
  lists: readonly (readonly Item[])[],
  timeOf: (item: Item) => number,
): Item[] {
  const merged: Item[] = [];
  const next = lists.map(() => 0);
  for (;;) {
    let best = -1;
    let bestTime = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < lists.length; i += 1) {
      const item = lists[i]![next[i]!];
      if (item === undefined) continue;
      const time = timeOf(item);
      if (best === -1 || time > bestTime) {
        best = i;
        bestTime = time;
      }
    }
    if (best === -1) return merged;
    merged.push(lists[best]![next[best]!]!);
    next[best]! += 1;
  }
}
