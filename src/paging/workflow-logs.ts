import { DIFY_LOGS_MAX_LIMIT, EXTRA_CALLS_PER_PAGE, LOOKUP_PAGES } from '../read-bounds.js';
import type { Instant } from '../time.js';
import type {
  DifyStatusFilter,
  DifyWorkflowLog,
  DifyWorkflowLogsPage,
  DifyWorkflowLogsParams,
} from '../upstreams/dify/types.js';

/** The upstream's own filters, time bounds excluded. */
export interface WorkflowLogFilterParams {
  keyword?: string | undefined;
  status?: DifyStatusFilter | undefined;
  endUserSessionId?: string | undefined;
  accountEmail?: string | undefined;
}

/** A time window in whole unix seconds, both ends inclusive, as the upstream reads it. */
export interface SecondsWindow {
  since?: number | undefined;
  until?: number | undefined;
}

/**
 * Where a newest-first walk stands: the created_at second of the last row consumed, and the id
 * of every row consumed so far at that second (the upstream orders them arbitrarily).
 */
export interface WorkflowLogPosition {
  second: number;
  ids: readonly string[];
}

/** One call of `GET /workflows/logs` with the client's credential. */
export type WorkflowLogsReader = (params: DifyWorkflowLogsParams) => Promise<DifyWorkflowLogsPage>;

export interface WorkflowLogEntry {
  row: DifyWorkflowLog;
  /** The position right after this row. */
  position: WorkflowLogPosition;
}

export interface WorkflowLogWalkRequest {
  read: WorkflowLogsReader;
  filter: WorkflowLogFilterParams;
  window: SecondsWindow;
  after: WorkflowLogPosition | undefined;
  first: number;
  /** Filters gateway-side: rows it refuses are consumed but not delivered. */
  accept?: ((row: DifyWorkflowLog) => boolean) | undefined;
}

export interface WorkflowLogWalk {
  entries: WorkflowLogEntry[];
  /** After the last row consumed, which lies beyond the last entry when rows were refused. */
  end: WorkflowLogPosition | undefined;
  hasNextPage: boolean;
  /** The upstream's count of matching rows, as its first answer of this walk gave it. */
  total: number | undefined;
}

/** A whole second in the upstream's ISO-8601 form, always UTC. */
function isoSecond(second: number): string {
  return new Date(second * 1000).toISOString().slice(0, 19);
}

/** The inclusive lower bound that admits every row of `second`. */
export const lowerBoundOf = (second: number): string => `${isoSecond(second)}Z`;

/**
 * The inclusive upper bound that admits every row of `second`, also where the upstream's database
 * keeps sub-second times behind its unix-second output.
 */
export const upperBoundOf = (second: number): string => `${isoSecond(second)}.999999Z`;

/** `since` inclusive and `until` exclusive as the whole seconds a row's created_at may take. */
export function secondsWindow(since: Instant | undefined, until: Instant | undefined) {
  return {
    since: since && Math.ceil(since.micros / 1e6),
    until: until && Math.ceil(until.micros / 1e6) - 1,
  };
}

export const secondOf = (row: DifyWorkflowLog): number => Math.floor(row.created_at.micros / 1e6);

/**
 * Reads the next `first` rows after `after`, newest first, exactly once each.
 *
 * Offsets shift whenever rows arrive, so every upstream call is anchored instead at the second of
 * the last row consumed (inclusive) and skips the rows already consumed at that second. New rows
 * arrive above the anchor and never reach the walk. Only when one second holds more rows than an
 * upstream page does the walk page by offset below the anchor, trusting the upstream's tie order.
 */
export async function walkWorkflowLogs(request: WorkflowLogWalkRequest): Promise<WorkflowLogWalk> {
  const { first, accept, window } = request;
  const entries: WorkflowLogEntry[] = [];
  let position = request.after;
  let anchor = position?.second ?? window.until;
  if (anchor !== undefined && window.since !== undefined && anchor < window.since) {
    return { entries, end: position, hasNextPage: false, total: 0 };
  }
  let page = 1;
  let limit = 0;
  let total: number | undefined;
  let hasNextPage = true;
  let callsLeft = Math.ceil(first / DIFY_LOGS_MAX_LIMIT) + EXTRA_CALLS_PER_PAGE;

  while (entries.length < first && callsLeft > 0) {
    if (page === 1) {
      const skipping = position && position.second === anchor ? position.ids.length : 0;
      const wanted = accept ? DIFY_LOGS_MAX_LIMIT : first - entries.length + skipping;
      limit = Math.min(DIFY_LOGS_MAX_LIMIT, wanted);
    }
    const params: DifyWorkflowLogsParams = {
      page,
      limit,
      createdAtBefore: anchor === undefined ? undefined : upperBoundOf(anchor),
      createdAtAfter: window.since === undefined ? undefined : lowerBoundOf(window.since),
      ...request.filter,
    };
    const response = await request.read(params);
    callsLeft -= 1;
    total ??= response.total;

    let leftOver = false;
    for (const row of response.data) {
      const second = secondOf(row);
      if (anchor !== undefined && second > anchor) continue;
      const sameSecond = position?.second === second;
      if (sameSecond && position?.ids.includes(row.id)) continue;
      if (entries.length === first) {
        leftOver = true;
        break;
      }
      position = { second, ids: sameSecond && position ? [...position.ids, row.id] : [row.id] };
      if (!accept || accept(row)) entries.push({ row, position });
    }

    hasNextPage = leftOver || response.has_more;
    if (!hasNextPage) break;
    if (position && position.second !== anchor) {
      anchor = position.second;
      page = 1;
    } else {
      page += 1;
    }
  }

  return { entries, end: position, hasNextPage, total };
}

export interface WorkflowLogLookup {
  read: WorkflowLogsReader;
  second: number;
  ids: ReadonlySet<string>;
}

/**
 * The rows among `ids` created within `second`: Dify cannot fetch a log row by id, so this reads
 * the rows of that second, at most LOOKUP_PAGES pages of them.
 */
export async function findWorkflowLogs(lookup: WorkflowLogLookup): Promise<DifyWorkflowLog[]> {
  const found = new Map<string, DifyWorkflowLog>();
  for (let page = 1; page <= LOOKUP_PAGES && found.size < lookup.ids.size; page += 1) {
    const response = await lookup.read({
      page,
      limit: DIFY_LOGS_MAX_LIMIT,
      createdAtAfter: lowerBoundOf(lookup.second),
      createdAtBefore: upperBoundOf(lookup.second),
    });
    for (const row of response.data) if (lookup.ids.has(row.id)) found.set(row.id, row);
    if (!response.has_more) break;
  }
  return [...found.values()];
}
