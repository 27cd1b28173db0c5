import { sendOk } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { DAY } from '../time.js';
import { sendValidationError } from './errors.js';
import { lineMatcher, present } from './filter.js';
import { defaultEnd, parseHistoryQuery } from './query.js';
import { firstOlderThan } from './store.js';
import type { FalStore } from './store.js';
import type { FalLogLine } from './wire.js';

/**
 * `POST /serverless/logs/history`: newest first within [start, end) and before `cursor`.
 * `next_cursor` is the last line's timestamp, so lines sharing it that did not fit the page
 * are skipped by a client that passes it back unchanged, as upstream does.
 */
export function historyRoute(store: FalStore, now: () => number) {
  return (ex: Exchange, tenant: string): void => {
    const parsed = parseHistoryQuery(ex.call.query, ex.bodyText);
    if (!parsed.ok) return sendValidationError(ex, parsed.param, parsed.problem);
    const query = parsed.value;
    const nowMicros = now() * 1000;
    const lower = query.start ?? nowMicros - DAY * 1000;
    const upper = Math.min(query.end ?? defaultEnd(nowMicros), query.cursor ?? Infinity);
    const entries = store.entries(tenant);
    const matches = lineMatcher(query, store.owner(tenant));
    const items: FalLogLine[] = [];
    let hasMore = false;
    for (let i = firstOlderThan(entries, upper); i < entries.length; i++) {
      const entry = entries[i];
      if (!entry || entry.micros < lower) break;
      if (!matches(entry)) continue;
      if (items.length === query.limit) {
        hasMore = true;
        break;
      }
      items.push(present(entry, query.traceback));
    }
    sendOk(ex, {
      items,
      next_cursor: hasMore ? (items.at(-1)?.timestamp ?? null) : null,
      has_more: hasMore,
    });
  };
}
