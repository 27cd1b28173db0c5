import type { UpstreamErrorDetails } from '../errors.js';
import { UpstreamError } from '../errors.js';
import { SharedTails, type Subscription } from './shared-tails.js';

/**
 * How a tail ended in failure, as plain data: a hub may carry it to another process. `details`
 * is there for an upstream failure (the contract's code and what the upstream said); without
 * it the failure is internal and is masked at the schema edge.
 */
export interface TailFailure {
  kind: 'failed';
  message: string;
  details?: UpstreamErrorDetails;
}

export function tailFailure(error: unknown): TailFailure {
  if (error instanceof UpstreamError) {
    return { kind: 'failed', message: error.message, details: { ...error.details } };
  }
  return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/** A subscriber of a topic; see `Subscription` for what each part promises. */
export type TopicSubscription<Event> = Omit<Subscription<Event>, 'key'>;

/**
 * Live tails shared by topic: subscribers of one topic share one source, opened with the first
 * and stopped after the last. A topic is an opaque digest (no credential or filter text) and
 * events are JSON-able data, so that an implementation may fan out across processes.
 */
export interface TailHub<Event> {
  subscribe(topic: string, subscription: TopicSubscription<Event>): AsyncIterable<Event>;
}

/** The hub of one process: topics shared in memory. */
export function memoryTailHub<Event>(options: {
  maxBacklog: number;
  failure(error: unknown): Event;
}): TailHub<Event> {
  const tails = new SharedTails<Event>(options);
  return { subscribe: (topic, subscription) => tails.join({ key: topic, ...subscription }) };
}
