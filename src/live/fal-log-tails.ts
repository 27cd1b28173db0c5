import { argumentsDigest } from '../digest.js';
import type { Instant } from '../time.js';
import type { FalLiveRequest, FalLiveSource, FalTailEvent, FalTailPosition } from './fal-tail.js';
import { advanced, copied, unseenAfter } from './fal-tail-position.js';
import type { Resumable, TailHub } from './hub.js';

type Lifecycle = FalLiveRequest['lifecycle'];

const UNCOUNTED: Lifecycle = { started: () => undefined, ended: () => undefined };

/** A client's live fal tail: with `replay`, history from `start` comes first. */
export interface FalLogTailRequest extends Omit<FalLiveRequest, 'after'> {
  /** The client asked for history from `start` (`filter.since`) before the live lines. */
  replay: boolean;
}

/** Opens a client's fal tail, sharing one upstream source between identical tails. */
export type FalLogTails = (request: FalLogTailRequest) => AsyncIterable<FalTailEvent>;

/**
 * What a subscriber of a shared tail has been handed, kept as its own tail keeps it, so that a
 * stream of its own can take over without a gap or a repeat. Lines stamped before the
 * subscriber came are not its own.
 */
class HandedOver {
  #position: FalTailPosition | undefined;

  constructor(
    private readonly start: Instant,
    private readonly overlapMicros: number,
  ) {}

  take(event: FalTailEvent): boolean {
    if (event.kind !== 'failed' && event.micros < this.start.micros) return false;
    this.#position = advanced(this.#position, event, this.overlapMicros);
    return true;
  }

  get position(): FalTailPosition | undefined {
    return this.#position;
  }
}

/**
 * Tails without a replay that share a credential, a filter and an end share one upstream source
 * through `hub`; a replay from `since` is its subscriber's own.
 */
export function sharedFalLogTails(options: {
  live: FalLiveSource;
  hub: TailHub<FalTailEvent>;
  resumeOverlapMs: number;
}): FalLogTails {
  const { live, hub } = options;
  const overlapMicros = options.resumeOverlapMs * 1000;
  return ({ replay, lifecycle, ...request }) => {
    if (replay) return live({ ...request, lifecycle });
    const handed = new HandedOver(request.start, overlapMicros);
    const own = (signal: AbortSignal, after?: FalTailPosition) =>
      live({ ...request, signal, lifecycle: UNCOUNTED, after });
    const resumable: Resumable<FalTailEvent, FalTailPosition> = {
      advance: (position, event) => advanced(position, event, overlapMicros),
      open: (signal, after) => own(signal, copied(after)),
      unseen: (position) => unseenAfter(position, overlapMicros),
    };
    const { authorization, filter, end } = request;
    return hub.subscribe(argumentsDigest({ authorization, filter, end: end?.iso }), {
      open: (signal) => own(signal),
      take: (event) => handed.take(event),
      goOnAlone: (signal) => own(signal, handed.position),
      signal: request.signal,
      lifecycle,
      resumable,
    });
  };
}
