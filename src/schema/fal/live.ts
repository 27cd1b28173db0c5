import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { GatewayContext } from '../../context.js';
import type { FalTailEvent, FalTailPosition } from '../../live/fal-tail.js';
import type { TailFailure } from '../../live/hub.js';
import { ReplayFilter } from '../../live/replay-filter.js';
import { argumentsDigest } from '../../digest.js';
import { UpstreamError } from '../../errors.js';
import { fromMillis, type Instant } from '../../time.js';
import { builder } from '../builder.js';
import { requireCredential } from '../errors.js';
import { legacyRefusal } from './legacy-refusals.js';
import { falFilterParams, FalLogFilterInput, FalLogLineRef } from './logs.js';

type Lifecycle = GatewayContext['metrics']['subscription'];

const UNCOUNTED: Lifecycle = { started: () => undefined, ended: () => undefined };

/** An upstream failure keeps its contract code; anything else is masked as internal. */
function errorOf(failure: TailFailure): Error {
  return failure.details
    ? new UpstreamError(failure.message, failure.details)
    : new Error(failure.message);
}

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

builder.subscriptionField('falLogs', (t) =>
  t.field({
    type: FalLogLineRef,
    description:
      'A live tail of fal logs, oldest first as lines arrive. Without `filter.since` it starts now; with it, history from `since` is replayed first and the tail then continues live. With `filter.until` it completes there. An upstream drop is resumed without a gap or a repeat; when the upstream stays unreachable, the last event is an error and the subscription completes. Tails without `since` that share a credential and a filter share one upstream stream; a client that falls `TAIL_MAX_BACKLOG` lines behind goes on with a stream of its own, still without a gap or a repeat.',
    args: { filter: t.arg({ type: FalLogFilterInput }) },
    subscribe: (_root, args, context) => {
      const authorization = requireCredential(context, 'fal');
      const refused = context.falLogsApi === 'legacy' ? legacyRefusal(args.filter) : undefined;
      if (refused) throw refused;
      const filter = falFilterParams(args.filter);
      const start = args.filter?.since ?? fromMillis(Date.now());
      const end = args.filter?.until ?? undefined;
      const signal = AbortSignal.any([context.signal, context.shutdown]);
      const tail = (tailSignal: AbortSignal, lifecycle: Lifecycle, after?: FalTailPosition) =>
        context.falLive({
          authorization,
          filter,
          start,
          end,
          after,
          signal: tailSignal,
          requestId: context.call.requestId,
          logger: context.logger,
          lifecycle,
        });
      // A replay from `since` is this subscriber's own.
      if (args.filter?.since) return tail(signal, context.metrics.subscription);
      const handed = handedOver(start, context.tail.resumeOverlapMs * 1000);
      return context.falTails.subscribe(argumentsDigest({ authorization, filter, end: end?.iso }), {
        open: (sourceSignal) => tail(sourceSignal, UNCOUNTED),
        take: (event) => handed.take(event),
        goOnAlone: (ownSignal) => tail(ownSignal, UNCOUNTED, handed.position),
        signal,
        lifecycle: context.metrics.subscription,
      });
    },
    resolve: (event: FalTailEvent, _args, context: GatewayContext) => {
      if (event.kind === 'failed') throw errorOf(event);
      // Each event is its own unit of work: a long tail must not accumulate loaded requests.
      clearAllDataLoaders(context);
      return event.line;
    },
  }),
);
