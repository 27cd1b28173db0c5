import { useSearchParams } from 'react-router';
import { useConnection } from './connection';
import type { LogLevel, TimelineFilter, TimelineSource } from './generated/graphql';
import { SOURCES, UPSTREAM_OF } from './sources';

/** fal's order of levels, lowest first: a minimum level keeps its own and those after it. */
export const LEVELS: readonly LogLevel[] = [
  'TRACE',
  'DEBUG',
  'INFO',
  'WARNING',
  'ERROR',
  'STDOUT',
  'STDERR',
];

export const WINDOWS = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
};
export type WindowName = keyof typeof WINDOWS;

export interface Filters {
  sources: TimelineSource[];
  /** fal apps as `owner/name`: the log lines' apps and the endpoints whose requests to show. */
  apps: string[];
  minLevel: LogLevel | undefined;
  /** Text in a log line's message, or in a Dify run's inputs, outputs or session. */
  search: string;
  /** How far back History reads. */
  window: WindowName;
}

const listParam = (value: string | null) => value?.split(',').filter(Boolean);
const isWindow = (value: string | null): value is WindowName => value !== null && value in WINDOWS;

/** The filters in the page's URL, so that every view can be linked to; defaults where absent. */
export function useFilters(): [Filters, (change: Partial<Filters>) => void] {
  const [params, setParams] = useSearchParams();
  const { defaultApps } = useConnection();
  const windowParam = params.get('window');
  const filters: Filters = {
    sources: SOURCES.filter((source) => listParam(params.get('sources'))?.includes(source) ?? true),
    apps: listParam(params.get('apps')) ?? defaultApps,
    minLevel: LEVELS.find((level) => level === params.get('level')),
    search: params.get('q') ?? '',
    window: isWindow(windowParam) ? windowParam : '1h',
  };
  const update = (change: Partial<Filters>) => {
    const next = { ...filters, ...change };
    setParams(
      {
        sources: next.sources.join(','),
        apps: next.apps.join(','),
        ...(next.minLevel && { level: next.minLevel }),
        ...(next.search && { q: next.search }),
        window: next.window,
      },
      { replace: true },
    );
  };
  return [filters, update];
}

/**
 * The timeline's filter for the chosen sources, less those whose key is missing or refused;
 * undefined when none is left. fal requests are read per endpoint, so they need apps.
 */
export function useTimelineFilter({
  sources,
  apps,
  minLevel,
  search,
}: Filters): TimelineFilter | undefined {
  const { refused } = useConnection();
  const included = new Set(sources.filter((source) => !refused[UPSTREAM_OF[source]]));
  const filter: TimelineFilter = {
    ...(included.has('FAL_LOGS') && {
      falLogs: {
        ...(apps.length > 0 && { appIds: apps }),
        ...(minLevel && { minLevel }),
        ...(search && { search }),
      },
    }),
    ...(included.has('FAL_REQUESTS') && apps.length > 0 && { falRequests: { endpointIds: apps } }),
    ...(included.has('DIFY_WORKFLOWS') && { workflowRuns: search ? { keyword: search } : {} }),
  };
  return Object.keys(filter).length > 0 ? filter : undefined;
}
