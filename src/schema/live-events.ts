import { initContextCache } from '@pothos/core';
import type { GraphQLError } from 'graphql';
import type { GatewayContext, TailFailure } from '../context.js';
import { UpstreamError } from '../errors.js';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';

export const RunChangeEnum = builder.enumType('RunChange', {
  description:
    'How a run changed, as a live feed saw it. Each run is delivered once per status it is seen in.',
  values: {
    STARTED: {
      description: 'First seen unfinished (a Dify run running or paused, a fal request pending).',
    },
    UPDATED: {
      description: 'Seen in another unfinished status than before (paused, running again).',
    },
    FINISHED: {
      description: 'First seen in a final status, also when first seen already finished.',
    },
  } as const,
});

export const isFailure = (event: object): event is TailFailure =>
  'kind' in event && event.kind === 'failed';

/** An upstream failure keeps its contract code; anything else is masked as internal. */
export function failureError(failure: TailFailure): Error {
  return failure.details
    ? new UpstreamError(failure.message, failure.details)
    : new Error(failure.message);
}

/**
 * Readies the context for the next event of a live feed: each event is its own unit of work, so
 * what an earlier event loaded (a run's outputs while it ran, a request while it was pending) is
 * not served for this one, and a long feed does not pile up what it loaded.
 */
export function freshRequestCaches(context: GatewayContext): void {
  Object.assign(context, initContextCache());
}

/** A live source's `until` (at `path`) refused before any upstream call: live sources have no end. */
export function refuseLiveEnd(
  until: object | null | undefined,
  path: string,
  closedRead: string,
): void {
  if (until) {
    throw badUserInput(
      path,
      `a live source has no end: leave until out (${closedRead} reads a closed window)`,
    );
  }
}

/**
 * An event of a live feed as its field hands it out: a failure thrown as the error `toError`
 * makes of it (by default the contract's), a change with fresh request caches.
 */
export function handedChange<Change extends object>(
  event: Change | TailFailure,
  context: GatewayContext,
  toError: (failure: TailFailure) => Error = failureError,
): Change {
  if (isFailure(event)) throw toError(event);
  freshRequestCaches(context);
  return event;
}

/** What opens a live feed for this client: its signal, its request id, its logger and counting. */
export function feedRequestOf(
  context: GatewayContext,
  lifecycle: GatewayContext['metrics']['subscription'] = context.metrics.subscription,
) {
  return {
    signal: context.signal,
    requestId: context.call.requestId,
    logger: context.logger,
    lifecycle,
  };
}

/** A refusal of a filter (named `filter.…`) as a refusal of the same filter nested at `path`. */
export function nestedRefusal(path: string, refusal: GraphQLError): GraphQLError {
  const field = typeof refusal.extensions.field === 'string' ? refusal.extensions.field : 'filter';
  const problem = refusal.message.slice(field.length + 2);
  return badUserInput(field.replace(/^filter/, path), problem);
}
