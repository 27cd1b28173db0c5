import type { FalTailEvent, FalTailPosition } from './fal-tail.js';
import { ReplayFilter } from './replay-filter.js';

/**
 * Where a fal tail stands once `event` is handed out after `position`: the newest timestamp,
 * and the lines a resume from it (less `overlapMicros`) would hand out again. Updates
 * `position` in place. A failure moves nothing.
 */
export function advanced(
  position: FalTailPosition | undefined,
  event: FalTailEvent,
  overlapMicros: number,
): FalTailPosition | undefined {
  if (event.kind === 'failed') return position;
  const moved = position ?? { newest: event.micros, replays: new ReplayFilter() };
  moved.newest = Math.max(moved.newest, event.micros);
  moved.replays.delivered(event.data, event.micros, moved.newest - overlapMicros);
  return moved;
}

/** The same position for a tail of its own, which moves it on without moving `position`. */
export function copied(position: FalTailPosition): FalTailPosition {
  return { newest: position.newest, replays: position.replays.copy() };
}

/**
 * A filter for the lines, in order, of another tail that started at or before `position`: it
 * drops those a tail resumed from `position` would not hand out (stamped before its resume
 * point, or handed out already), until that tail has moved past `position`.
 */
export function unseenAfter(
  position: FalTailPosition,
  overlapMicros: number,
): (event: FalTailEvent) => FalTailEvent | undefined {
  const { newest } = position;
  const resumeFrom = newest - overlapMicros;
  const isReplay = position.replays.replaysFrom(resumeFrom);
  let caughtUp = false;
  return (event) => {
    if (event.kind === 'failed') return event;
    if (!caughtUp && event.micros < resumeFrom) return undefined;
    if (isReplay(event.data)) return undefined;
    if (event.micros > newest) caughtUp = true;
    return event;
  };
}

/** Another tail's copy of `own` among `events`: the same line, as the upstream sent it. */
export function sameLine(
  own: FalTailEvent,
  events: readonly FalTailEvent[],
): FalTailEvent | undefined {
  if (own.kind === 'failed') return undefined;
  return events.find((event) => event.kind === 'line' && event.data === own.data);
}
