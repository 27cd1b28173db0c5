import { LOG_ORDERS, type LogOrder } from '../log-order.js';
import { builder } from './builder.js';
import { badUserInput } from './errors.js';

export const LogOrderEnum = builder.enumType('LogOrder', {
  description:
    'The order a log connection walks its pinned window in. The upstreams answer newest first, so OLDEST_FIRST may cost more upstream calls per page on a large window.',
  values: LOG_ORDERS,
});

/** A cursor resumes only the walk it came from: the same order. */
export function requireCursorOrder(cursorOrder: LogOrder, order: LogOrder): void {
  if (cursorOrder !== order) {
    throw badUserInput('after', `the cursor was issued for order ${cursorOrder}, not ${order}`);
  }
}
