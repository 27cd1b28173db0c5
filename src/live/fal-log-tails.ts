import { argumentsDigest } from '../digest.js';
import type { Instant } from '../time.js';
import type { FalLiveRequest, FalLiveSource, FalTailEvent, FalTailPosition } from './fal-tail.js';
import type { TailHub } from './hub.js';
import { ReplayFilter } from './replay-filter.js';

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
function handedOver(start: Instant, overlapMicros: number) {
  let position: FalTailPosition | undefined;
  return {
    take(event: FalTailEvent): boolean {
      if (event.kind === 'failed') return true;
      if (event.micros < start.micros) return false;
      position ??= { newest: event.micros, replays: new ReplayFilter() };
      position.newest = Math.max(position.newest, event.micros);
      position.replays.delivered(event.data, event.micros, position.newest - overlapMicros);
      return true;
    },
    get position(): FalTailPosition | undefined {
      return position;
    },
  };
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
  return ({ replay, lifecycle, ...request }) => {
    if (replay) return live({ ...request, lifecycle });
    const handed = handedOver(request.start, options.resumeOverlapMs * 1000);
    const { authorization, filter, end } = request;
    return hub.subscribe(argumentsDigest({ authorization, filter, end: end?.iso }), {
      open: (signal) => live({ ...request, signal, lifecycle: UNCOUNTED }),
      take: (event) => handed.take(event),
      goOnAlone: (signal) =>
        live({ ...request, signal, lifecycle: UNCOUNTED, after: handed.position }),
      signal: request.signal,
      lifecycle,
    });
  };
}
