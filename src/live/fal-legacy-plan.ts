import type { FalLabelFilter, FalLogFilterParams, FalLogLine } from '../upstreams/fal/types.js';
import type { FalLegacyLevel, FalLegacyLogsParams } from '../upstreams/fal-legacy/types.js';

/** The legacy API's filter for one poll, all but the window and the page size. */
export type FalLegacyQuery = Omit<FalLegacyLogsParams, 'limit' | 'since' | 'until'>;

/**
 * How a v1 filter is read over the legacy API: one query per app (the API takes one `app_id`,
 * the app's name), and what the gateway must still check on each line the queries return.
 */
export interface FalLegacyPlan {
  queries: FalLegacyQuery[];
  keeps(line: FalLogLine): boolean;
}

/** fal's own minimum-level order (NOTES.md); a level it does not know ranks as info. */
const RANKS = new Map([
  ['trace', 0],
  ['debug', 10],
  ['info', 20],
  ['warning', 30],
  ['error', 40],
  ['stdout', 100],
  ['stderr', 110],
]);
const rankOf = (level: string) => RANKS.get(level.toLowerCase()) ?? RANKS.get('info')!;

/** The legacy API's minimum levels; above ERROR it is asked for ERROR and the gateway filters. */
function legacyLevel(level: string): FalLegacyLevel | undefined {
  if (rankOf(level) <= rankOf('trace')) return undefined;
  if (rankOf(level) >= rankOf('error')) return 'ERROR';
  return level.toUpperCase() as FalLegacyLevel;
}

function labelHolds({ key, value, condition_type }: FalLabelFilter, line: FalLogLine): boolean {
  const actual = line.labels && Object.hasOwn(line.labels, key) ? line.labels[key] : undefined;
  const values = typeof value === 'string' ? [value] : value;
  const among = actual !== undefined && values.includes(actual);
  return condition_type === 'not_equals' || condition_type === 'not_in' ? !among : among;
}

/**
 * The plan for a filter the legacy API can honour (no `runSource`, at most one label condition
 * per key: see `legacyRefusal`). EQUALS conditions go upstream; IN, NOT_EQUALS and NOT_IN are
 * checked by the gateway on every line read, as are minimum levels above ERROR.
 */
export function falLegacyPlan(filter: FalLogFilterParams): FalLegacyPlan {
  const labels = filter.labels ?? [];
  const upstreamLabels = labels.flatMap((label) =>
    label.condition_type === 'equals' && typeof label.value === 'string'
      ? [{ key: label.key, value: label.value }]
      : [],
  );
  const inGateway = labels.filter((label) => label.condition_type !== 'equals');
  const minRank = filter.level === undefined ? undefined : rankOf(filter.level);
  const base: FalLegacyQuery = {
    revision: filter.revision,
    traceback: filter.traceback,
    search: filter.search,
    level: filter.level === undefined ? undefined : legacyLevel(filter.level),
    jobId: filter.jobId,
    requestId: filter.requestId,
    labels: upstreamLabels,
  };
  const appNames = [...new Set(filter.appIds?.map((appId) => appId.split('/')[1]!))];
  return {
    queries: appNames.length > 0 ? appNames.map((appName) => ({ ...base, appName })) : [base],
    keeps: (line) =>
      (minRank === undefined || rankOf(line.level) >= minRank) &&
      inGateway.every((label) => labelHolds(label, line)),
  };
}
