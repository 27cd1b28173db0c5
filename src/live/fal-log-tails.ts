import { argumentsDigest } from '../digest.js';
import type { Instant } from '../time.js';
import type { FalLiveRequest, FalLiveSource, FalTailEvent, FalTailPosition } from './fal-tail.js';
import { advanced, copied, sameLine, unseenAfter } from './fal-tail-position.js';
import { catchUp } from './catch-up.js';
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
 * Tails that share a credential, a filter and an end share one upstream source through `hub`.
 * A replay from `since` reads a source of its own until it has caught up with the shared one
 * (see `catchUp`), then goes on with it.
 */
export function sharedFalLogTails(options: {
  live: FalLiveSource;
  hub: TailHub<FalTailEvent>;
  resumeOverlapMs: number;
  /** Lines a replay may see the shared tail bring before it has caught up (see `catchUp`). */
  maxBrought: number;
  /** The gateway shutting down: replays then end (the hub ends the shared tails). */
  shutdown: AbortSignal;
}): FalLogTails {
  const { live, hub, maxBrought, shutdown } = options;
  const overlapMicros = options.resumeOverlapMs * 1000;
  const positions: Pick<Resumable<FalTailEvent, FalTailPosition>, 'advance' | 'unseen'> = {
    advance: (position, event) => advanced(position, event, overlapMicros),
    unseen: (position) => unseenAfter(position, overlapMicros),
  };
  const shared = ({ lifecycle, ...request }: Omit<FalLogTailRequest, 'replay'>) => {
    const handed = new HandedOver(request.start, overlapMicros);
    const own = (signal: AbortSignal, after?: FalTailPosition) =>
      live({ ...request, signal, lifecycle: UNCOUNTED, after });
    const { authorization, filter, end } = request;
    return hub.subscribe(argumentsDigest({ authorization, filter, end: end?.iso }), {
      open: (signal) => own(signal),
      take: (event) => handed.take(event),
      goOnAlone: (signal) => own(signal, handed.position),
      signal: request.signal,
      lifecycle,
      resumable: {
        advance: positions.advance,
        unseen: positions.unseen,
        open: (signal, after) => own(signal, copied(after)),
      },
    });
  };
  return ({ replay, ...request }) => {
    if (!replay) return shared(request);
    // The gateway shutting down ends the own source, and the hub ends the shared tail.
    return catchUp({
      own: (signal) =>
        live({ ...request, signal: AbortSignal.any([signal, shutdown]), lifecycle: UNCOUNTED }),
      join: (signal) => shared({ ...request, signal, lifecycle: UNCOUNTED }),
      resumable: positions,
      ends: (event) => event.kind === 'failed',
      twin: sameLine,
      maxBrought,
      signal: request.signal,
      lifecycle: request.lifecycle,
    });
  };
}
