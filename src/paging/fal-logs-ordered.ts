import { walkFalLogs, type FalLogWalk, type FalLogWalkRequest } from './fal-logs.js';
import { walkFalLogsOldestFirst } from './fal-logs-oldest-first.js';
import type { LogOrder } from '../log-order.js';

export interface OrderedFalLogWalkRequest extends FalLogWalkRequest {
  order: LogOrder;
  /** Oldest first only: the span (µs) that held about one page last time. */
  spanHint?: number | undefined;
}

export interface OrderedFalLogWalk extends FalLogWalk {
  /** Oldest first only: what to pass as `spanHint` for the next page. */
  spanHint?: number | undefined;
}

/** The next `first` lines after `after` in `order`, exactly once each. */
export function walkFalLogsInOrder(request: OrderedFalLogWalkRequest): Promise<OrderedFalLogWalk> {
  const { order, spanHint, ...walk } = request;
  return order === 'OLDEST_FIRST'
    ? walkFalLogsOldestFirst({ spanHint, ...walk })
    : walkFalLogs(walk);
}
