import pLimit from 'p-limit';
import { fromMicros } from '../time.js';
import type { FalLegacyClient } from '../upstreams/fal-legacy/client.js';
import type {
  FalLegacyLabelFilter,
  FalLegacyLevel,
  FalLegacyLogLine,
  FalLegacyLogsParams,
} from '../upstreams/fal-legacy/types.js';
import type { FalLabelFilter, FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import type { CallOptions } from '../upstreams/http.js';
import { walkFalLogs, type FalLogPageReader, type FalLogPosition } from './fal-logs.js';
import { mergeNewestFirst } from './merge.js';

const LEGACY_MAX_LIMIT = 1000;
/** Reads of one page made at once when a filter becomes several upstream reads. */
const READS_IN_FLIGHT = 4;

/** fal's level ranks as a minimum level reads them (NOTES.md): STDOUT and STDERR above ERROR. */
const LEVEL_RANK: Record<string, number> = {
  trace: 0,
  debug: 10,
  info: 20,
  warning: 30,
  error: 40,
  stdout: 100,
  stderr: 110,
};
const LEGACY_LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warning', 'error']);

type Query = Omit<FalLegacyLogsParams, 'limit' | 'since' | 'until'>;

/**
 * How a v1 filter is answered by the legacy API: the upstream reads it takes (one per app and
 * per value of each IN condition, since the API takes one app and equality on labels only), and
 * what the gateway must still check on each line (NOT_EQUALS, NOT_IN, STDOUT/STDERR minimums).
 * `runSource` and two conditions on one label key cannot be answered: callers refuse them first.
 */
export interface LegacyPlan {
  queries: Query[];
  accept: ((line: FalLogLine) => boolean) | undefined;
}

export function legacyPlan(filter: FalLogFilterParams): LegacyPlan {
  const checks: Array<(line: FalLogLine) => boolean> = [];
  const base: Query = {
    revision: filter.revision,
    traceback: filter.traceback,
    search: filter.search,
    jobId: filter.jobId,
    requestId: filter.requestId,
    level: legacyLevel(filter.level, checks),
  };
  const equal: FalLegacyLabelFilter[] = [];
  let labelChoices: FalLegacyLabelFilter[][] = [[]];
  for (const condition of filter.labels ?? []) {
    const values = typeof condition.value === 'string' ? [condition.value] : condition.value;
    if (condition.condition_type === 'equals')
      equal.push({ key: condition.key, value: values[0]! });
    else if (condition.condition_type === 'in') {
      labelChoices = labelChoices.flatMap((chosen) =>
        values.map((value) => [...chosen, { key: condition.key, value }]),
      );
    } else checks.push(labelExcludes(condition, values));
  }
  const apps = filter.appIds?.length ? filter.appIds.map(appNameOf) : [undefined];
  const queries = apps.flatMap((appName) =>
    labelChoices.map((chosen) => ({ ...base, appName, labels: [...equal, ...chosen] })),
  );
  return {
    queries,
    accept: checks.length ? (line) => checks.every((check) => check(line)) : undefined,
  };
}

/** `owner/name` (or a bare name) as the legacy API's `app_id`, which takes the name alone. */
const appNameOf = (appId: string) => appId.split('/').slice(-1)[0]!;

function legacyLevel(
  level: string | undefined,
  checks: Array<(line: FalLogLine) => boolean>,
): FalLegacyLevel | undefined {
  if (level === undefined || level === 'trace') return undefined;
  if (LEGACY_LEVELS.has(level)) return level.toUpperCase() as FalLegacyLevel;
  const minimum = LEVEL_RANK[level] ?? 0;
  checks.push((line) => (LEVEL_RANK[line.level.toLowerCase()] ?? LEVEL_RANK.info!) >= minimum);
  return 'ERROR';
}

function labelExcludes(condition: FalLabelFilter, values: readonly string[]) {
  return (line: FalLogLine) => {
    const value = line.labels?.[condition.key];
    return value === undefined || !values.includes(value);
  };
}

/** A legacy line in v1's shape, so that everything above the reader serves both backends. */
function asV1Line(line: FalLegacyLogLine): FalLogLine {
  return {
    timestamp: line.timestamp.iso,
    level: line.level,
    message: line.message,
    app: line.app,
    revision: line.revision,
    labels: line.labels,
  };
}

/**
 * The legacy API as a log page reader. It has no cursor and no has_more, and both bounds are
 * exclusive: `[start, end)` is asked as `since` 1 µs before `start`, and a full page is taken to
 * have more behind it. A filter that needs several upstream reads gets them side by side, merged
 * newest first (ties in query order, so every read of a window orders them alike); one that
 * needs gateway-side checks is read on, page by page, until a page of matching lines is found.
 */
export function falLegacyReader(
  client: FalLegacyClient,
  authorization: string,
  call: CallOptions,
): FalLogPageReader {
  const upstream: FalLogPageReader = {
    maxLimit: LEGACY_MAX_LIMIT,
    async read({ filter, start, end, limit }) {
      const { queries } = legacyPlan(filter);
      const inFlight = pLimit(READS_IN_FLIGHT);
      const pages = await Promise.all(
        queries.map((query) =>
          inFlight(() =>
            client.logs(
              authorization,
              { ...query, since: fromMicros(start.micros - 1), until: end, limit },
              call,
            ),
          ),
        ),
      );
      const merged = mergeNewestFirst(pages, (line) => line.timestamp.micros);
      return {
        lines: merged.slice(0, limit).map(asV1Line),
        hasMore: merged.length > limit || pages.some((page) => page.length >= limit),
      };
    },
  };
  return {
    maxLimit: LEGACY_MAX_LIMIT,
    read(request) {
      const { accept } = legacyPlan(request.filter);
      return accept ? readMatching(upstream, request, accept) : upstream.read(request);
    },
  };
}

/** The newest `limit` lines of the window that `accept` takes, reading on while it refuses. */
async function readMatching(
  upstream: FalLogPageReader,
  request: Parameters<FalLogPageReader['read']>[0],
  accept: (line: FalLogLine) => boolean,
) {
  const matching: FalLogLine[] = [];
  let after: FalLogPosition | undefined;
  for (;;) {
    const walk = await walkFalLogs({
      reader: upstream,
      filter: request.filter,
      window: { start: request.start, end: request.end },
      after,
      first: upstream.maxLimit - 1,
    });
    for (const { line } of walk.entries) {
      if (!accept(line)) continue;
      matching.push(line);
      if (matching.length > request.limit) return { lines: matching.slice(0, -1), hasMore: true };
    }
    const last = walk.entries.at(-1);
    if (!walk.hasNextPage || !last) return { lines: matching, hasMore: false };
    after = { micros: last.micros, seen: last.seen };
  }
}
