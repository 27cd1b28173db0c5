import { z } from 'zod';
import { fromMillis, hoursBefore, type Instant } from '../time.js';

/** An input object's check that its `since` comes before its `until` (reported on `until`). */
export const orderedTimeBounds = z
  .looseObject({ since: z.custom<Instant>().nullish(), until: z.custom<Instant>().nullish() })
  .refine(({ since, until }) => !since || !until || since.micros < until.micros, {
    message: 'must be later than since',
    path: ['until'],
  });

export interface TimeWindow {
  start: Instant;
  end: Instant;
}

/** `since` inclusive and `until` exclusive, or the `hours` before `until` (or before now). */
export function windowFrom(
  bounds:
    { since?: Instant | null | undefined; until?: Instant | null | undefined } | null | undefined,
  hours: number,
  now: number,
): TimeWindow {
  const end = bounds?.until ?? fromMillis(now);
  return { start: bounds?.since ?? hoursBefore(end, hours), end };
}
