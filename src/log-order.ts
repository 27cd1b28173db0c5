/** The orders a log walk can hand its pinned window out in. */
export const LOG_ORDERS = ['NEWEST_FIRST', 'OLDEST_FIRST'] as const;
export type LogOrder = (typeof LOG_ORDERS)[number];
