import { sendError, sendOk, writeHead } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { lineMatcher, present } from './filter.js';
import { parseLegacyQuery } from './legacy-query.js';
import type { LegacyQuery } from './legacy-query.js';
import { defaultEnd } from './query.js';
import { firstOlderThan } from './store.js';
import type { FalStore, LineEntry } from './store.js';
import type { FalLogLine } from './wire.js';

/**
 * `POST /logs/` of fal's legacy API over the same stored lines as v1: newest first, strictly
 * between `since` and `until` (without `until`, up to now; without `since`, no lower bound),
 * at most `limit` lines, as a bare array with no cursor.
 */
export function legacyLogsRoute(store: FalStore, now: () => number) {
  return (ex: Exchange, tenant: string): void => {
    if (!ex.call.path.endsWith('/')) return redirectToSlash(ex);
    const parsed = parseLegacyQuery(ex.call.query, ex.bodyText);
    if (!parsed.ok) return sendError(ex, parsed.answer);
    const query = parsed.value;
    const owner = store.owner(tenant);
    const matches = lineMatcher(asLogFilter(query), owner);
    const lower = query.since ?? -Infinity;
    const entries = store.entries(tenant);
    const lines: FalLogLine[] = [];
    for (let i = firstOlderThan(entries, query.until ?? defaultEnd(now() * 1000)); ; i++) {
      const entry = entries[i];
      if (!entry || entry.micros <= lower || lines.length === query.limit) break;
      if (!matches(entry)) continue;
      const line = legacyLine(entry, owner, query.traceback);
      if (legacyMatch(query, line)) lines.push(line);
    }
    sendOk(ex, lines);
  };
}

/** The legacy filters that mean what they mean in v1. */
function asLogFilter(query: LegacyQuery) {
  return { ...query, app_id: undefined, run_source: undefined, labels: [] };
}

/** `app_id` is an app's name alone (an `owner/name` matches nothing); labels are the legacy ones. */
function legacyMatch(query: LegacyQuery, line: FalLogLine): boolean {
  return (
    (query.app_id === undefined || line.app === query.app_id) &&
    query.labels.every(({ key, value }) => line.labels[key] === value)
  );
}

/** The v1 labels the legacy API names otherwise (`app`, `app_id`). */
const RENAMED = new Set(['fal_app_name', 'fal_app_id']);

/**
 * A stored line as the legacy API sends it: a naive UTC timestamp (microseconds when there are
 * any, as Python's isoformat writes it) and legacy labels, where `app` is the app's name and
 * `app_id` its revision, with the line's level, message and `logged_at` repeated. Labels the
 * stored line lacks get the values of a plain user app.
 */
function legacyLine(entry: LineEntry, owner: string, traceback: boolean): FalLogLine {
  const line = present(entry, traceback);
  const timestamp = naiveIso(entry.micros);
  const kept = Object.entries(line.labels).filter(([key]) => !RENAMED.has(key));
  return {
    timestamp,
    level: line.level,
    message: line.message,
    app: line.app,
    revision: line.revision,
    labels: {
      fal_user_nickname: owner,
      fal_public_logs: '1',
      fal_multiplexing_app: '1',
      isolate_source: 'USER',
      ...Object.fromEntries(kept),
      app: line.app,
      app_id: line.revision,
      level: line.level,
      message: line.message,
      logged_at: `${timestamp}+00:00`,
    },
  };
}

function naiveIso(micros: number): string {
  const seconds = Math.floor(micros / 1e6);
  const fraction = micros - seconds * 1e6;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(6, '0')}`;
}

/** Starlette's answer to a path that lacks its route's trailing slash. */
function redirectToSlash(ex: Exchange): void {
  const url = new URL(ex.req.url ?? '/', 'http://emulator');
  writeHead(ex, 307, { location: `${url.pathname}/${url.search}` });
  ex.res.end();
}
