import type { Logger } from 'pino';
import type { TailSettings } from '../config.js';
import { argumentsDigest } from '../paging/cursor.js';
import { fromMillis, type Instant } from '../time.js';
import type { FalLogFilterParams } from '../upstreams/fal/types.js';
import type { FalLiveSource, FalTailEvent, FalTailPosition } from './fal-tail.js';
import type { TailHub } from './hub.js';
import { ReplayFilter } from './replay-filter.js';

type Lifecycle = { started(): void; ended(): void };

const UNCOUNTED: Lifecycle = { started: () => undefined, ended: () => undefined };

/** A subscriber's live fal tail. */
export interface FalLogTailRequest {
  authorization: string;
  filter: FalLogFilterParams;
  /** Replay history from here first; such a tail has an upstream source of its own. */
  since: Instant | undefined;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  requestId: string | undefined;
  logger: Logger;
  lifecycle: Lifecycle;
}

export type FalLogTail = (request: FalLogTailRequest) => AsyncIterable<FalTailEvent>;

/**
 * What a subscriber of a shared tail has been handed, kept as its own tail keeps it, so that a
 * source of its own can take over without a gap or a repeat. Lines stamped before the subscriber
 * came are not its own.
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
 * Live fal tails from the chosen backend, as `Subscription.falLogs` has them: without `since`,
 * tails that carry the same key and filter share one upstream source through the hub, and one
 * that falls behind goes on with a source of its own; with `since`, each has its own.
 */
export function falLogTails(options: {
  live: FalLiveSource;
  hub: TailHub<FalTailEvent>;
  settings: TailSettings;
  /** Aborted when the gateway starts shutting down: tails then complete. */
  shutdown: AbortSignal;
}): FalLogTail {
  return (request) => {
    const start = request.since ?? fromMillis(Date.now());
    const signal = AbortSignal.any([request.signal, options.shutdown]);
    const tail = (tailSignal: AbortSignal, lifecycle: Lifecycle, after?: FalTailPosition) =>
      options.live({
        authorization: request.authorization,
        filter: request.filter,
        start,
        end: undefined,
        after,
        signal: tailSignal,
        requestId: request.requestId,
        logger: request.logger,
        lifecycle,
      });
    if (request.since) return tail(signal, request.lifecycle);
    const handed = handedOver(start, options.settings.resumeOverlapMs * 1000);
    const topic = argumentsDigest({ authorization: request.authorization, filter: request.filter });
    return options.hub.subscribe(topic, {
      open: (sourceSignal) => tail(sourceSignal, UNCOUNTED),
      take: (event) => handed.take(event),
      goOnAlone: (ownSignal) => tail(ownSignal, UNCOUNTED, handed.position),
      signal,
      lifecycle: request.lifecycle,
    });
  };
}
