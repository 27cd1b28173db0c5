import { levelRank } from './levels.js';
import type { LogFilter } from './query.js';
import type { LineEntry } from './store.js';
import type { FalLogLine } from './wire.js';

/** Everything of a log filter except the time window. */
export function lineMatcher(filter: LogFilter, owner: string): (entry: LineEntry) => boolean {
  const appIds = filter.app_id && new Set(filter.app_id);
  return ({ line }) => {
    const { labels } = line;
    return (
      (!appIds || appIds.has(line.app) || appIds.has(`${owner}/${line.app}`)) &&
      (filter.revision === undefined || line.revision === filter.revision) &&
      (filter.run_source === undefined || labels.source === filter.run_source) &&
      (filter.search === undefined || line.message.toLowerCase().includes(filter.search)) &&
      (filter.level === undefined || levelRank(line.level) >= filter.level) &&
      (filter.job_id === undefined || labels.fal_job_id === filter.job_id) &&
      (filter.request_id === undefined || labels.fal_request_id === filter.request_id) &&
      filter.labels.every(({ key, values, negate }) => {
        const value = labels[key];
        return negate
          ? value === undefined || !values.has(value)
          : value !== undefined && values.has(value);
      })
    );
  };
}

/** The line as sent: with a `traceback` label when asked for and the line has one. */
export function present(entry: LineEntry, traceback: boolean): FalLogLine {
  if (!traceback || entry.traceback === undefined || entry.line.level.toLowerCase() !== 'error') {
    return entry.line;
  }
  return { ...entry.line, labels: { ...entry.line.labels, traceback: entry.traceback } };
}
