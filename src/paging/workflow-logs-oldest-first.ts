import { DIFY_LOGS_MAX_LIMIT, EXTRA_CALLS_PER_PAGE } from '../read-bounds.js';
import type { DifyWorkflowLog, DifyWorkflowLogsPage } from '../upstreams/dify/types.js';
import {
  lowerBoundOf,
  secondOf,
  upperBoundOf,
  type WorkflowLogFilterParams,
  type WorkflowLogPosition,
  type WorkflowLogsReader,
  type SecondsWindow,
} from './workflow-logs.js';

/**
 * Where an oldest-first walk stands: the created_at second of the last row consumed, the id of
 * every row consumed at that second, and how many rows the window held from that second on when
 * last counted (the upstream's `total` corrects it when rows arrived since).
 */
export interface OldestFirstWorkflowLogPosition extends WorkflowLogPosition {
  count: number;
}

export interface OldestFirstWorkflowLogEntry {
  row: DifyWorkflowLog;
  /** The position right after this row. */
  position: OldestFirstWorkflowLogPosition;
}

export interface OldestFirstWorkflowLogWalkRequest {
  read: WorkflowLogsReader;
  filter: WorkflowLogFilterParams;
  /** `until` is pinned by the first page when the client gave none: pass the walk's `until` on. */
  window: SecondsWindow;
  after: OldestFirstWorkflowLogPosition | undefined;
  first: number;
  /** Filters gateway-side: rows it refuses are consumed but not delivered. */
  accept?: ((row: DifyWorkflowLog) => boolean) | undefined;
}

export interface OldestFirstWorkflowLogWalk {
  entries: OldestFirstWorkflowLogEntry[];
  /** After the last row consumed, which lies beyond the last entry when rows were refused. */
  end: OldestFirstWorkflowLogPosition | undefined;
  hasNextPage: boolean;
  /** The window's newest second, pinned by the walk's first page; undefined for an empty window. */
  until: number | undefined;
  /** The upstream's count of matching rows, as its first answer of this walk gave it. */
  total: number | undefined;
}

/**
 * Reads the next `first` rows after `after`, oldest first, exactly once each, from offset pages
 * that run newest first.
 *
 * Every call covers `[position's second, until]`: `until` is pinned, so new runs never enter it
 * (but for rows created later in its very second), and the lower bound moves up with the walk.
 * The oldest rows are on the last offset page, which the count of the window tells; a page that
 * turns out not to be the last (`has_more`: rows arrived) or to be past it is asked again at the
 * upstream's new `total`. Dify orders rows of one second arbitrarily on every call, so only
 * seconds the page holds whole are consumed: every second but its newest, unless the page starts
 * at offset 0. When nothing else is left, that newest second is read alone, and beyond one
 * upstream page the walk trusts the upstream's order within it. Rows already consumed at the
 * position's second are skipped by id.
 */
export async function walkWorkflowLogsOldestFirst(
  request: OldestFirstWorkflowLogWalkRequest,
): Promise<OldestFirstWorkflowLogWalk> {
  const { first, accept, window } = request;
  const entries: OldestFirstWorkflowLogEntry[] = [];
  let position = request.after;
  let until = window.until;
  const since = window.since;
  if (until !== undefined && (position?.second ?? since ?? until) > until) {
    return { entries, end: position, hasNextPage: false, until, total: 0 };
  }
  let count = position?.count;
  let total: number | undefined;
  let callsLeft = Math.ceil(first / DIFY_LOGS_MAX_LIMIT) + EXTRA_CALLS_PER_PAGE + 1;

  const read = async (page: number, limit: number, from: number | undefined, to = until) => {
    callsLeft -= 1;
    const response = await request.read({
      page,
      limit,
      createdAtAfter: from === undefined ? undefined : lowerBoundOf(from),
      createdAtBefore: to === undefined ? undefined : upperBoundOf(to),
      ...request.filter,
    });
    total ??= response.total;
    return response;
  };

  /** Whether every row of the position's second has been consumed: reads then start above it. */
  let secondDone = false;

  while (entries.length < first && callsLeft > 0 && remaining(position, count) !== 0) {
    const doneRows = secondDone ? (position?.ids.length ?? 0) : 0;
    const from = position ? position.second + (secondDone ? 1 : 0) : since;
    const { page, limit } = lastPage(count === undefined ? undefined : count - doneRows);
    const response = await read(page, limit, from);
    until ??= response.data[0] && secondOf(response.data[0]);
    // `count` stays the count of rows from the position's second on.
    count = response.total + doneRows;
    if (response.has_more || (response.data.length === 0 && response.total > 0)) continue;
    if (response.total === 0) break;

    const newest = secondOf(response.data[0]!);
    const oldestFirst = [...response.data].reverse();
    // Rows older than the page's newest second; with page 1 every second is whole.
    let whole = page === 1 ? oldestFirst : oldestFirst.filter((row) => secondOf(row) < newest);
    let rowsBelow = 0;
    // Whether `whole` surely holds every row of each of its seconds: a second read alone over
    // several upstream pages is only trusted to be in order, not to be whole.
    let complete = true;
    if (!whole.some((row) => !consumed(position, row))) {
      rowsBelow = oldestFirst.filter((row) => secondOf(row) < newest).length;
      const second = await readSecond(read, newest, () => callsLeft);
      whole = second.rows.reverse();
      complete = second.complete;
      if (newest === position?.second && !whole.some((row) => !consumed(position, row))) {
        secondDone = true;
        continue;
      }
    }

    let index = 0;
    let cut = false;
    for (const row of whole) {
      const rowsOlder = rowsBelow + firstIndexOfSecond(whole, secondOf(row), index);
      index += 1;
      if (consumed(position, row)) continue;
      if (entries.length === first) {
        cut = true;
        break;
      }
      const second = secondOf(row);
      const ids = position?.second === second ? [...position.ids, row.id] : [row.id];
      position = { second, ids, count: response.total - rowsOlder };
      secondDone = false;
      if (!accept || accept(row)) entries.push({ row, position });
    }
    count = position?.count ?? count;
    // Every row of the position's second is consumed: the next read starts above it rather
    // than reading that second again.
    if (!cut && complete) secondDone = true;
  }

  const left = remaining(position, count);
  return { entries, end: position, hasNextPage: left === undefined || left > 0, until, total };
}

/** Rows of the window not yet consumed, when counted; undefined before the first count. */
function remaining(
  position: OldestFirstWorkflowLogPosition | undefined,
  count: number | undefined,
) {
  if (count === undefined) return undefined;
  return count - (position?.ids.length ?? 0);
}

const consumed = (position: WorkflowLogPosition | undefined, row: DifyWorkflowLog) =>
  position?.second === secondOf(row) && position.ids.includes(row.id);

/** How many rows of `oldestFirst` are older than `second`, given a row of it sits at `at`. */
function firstIndexOfSecond(
  oldestFirst: readonly DifyWorkflowLog[],
  second: number,
  at: number,
): number {
  let index = at;
  while (index > 0 && secondOf(oldestFirst[index - 1]!) === second) index -= 1;
  return index;
}

/**
 * The offset page holding the oldest rows of a window of `count` rows, with the page size that
 * puts the most rows on it. Before the first count: the first page, which also counts.
 */
function lastPage(count: number | undefined): { page: number; limit: number } {
  if (count === undefined || count <= DIFY_LOGS_MAX_LIMIT) {
    return { page: 1, limit: DIFY_LOGS_MAX_LIMIT };
  }
  let best = { page: 1, limit: DIFY_LOGS_MAX_LIMIT, size: 0 };
  for (let limit = DIFY_LOGS_MAX_LIMIT; limit > best.size; limit -= 1) {
    const page = Math.ceil(count / limit);
    const size = count - (page - 1) * limit;
    if (size > best.size) best = { page, limit, size };
  }
  return { page: best.page, limit: best.limit };
}

/**
 * Every row of one second, newest first as the upstream pages them (while calls are left);
 * `complete` when one upstream page held them all.
 */
async function readSecond(
  read: (page: number, limit: number, from: number, to: number) => Promise<DifyWorkflowLogsPage>,
  second: number,
  callsLeft: () => number,
): Promise<{ rows: DifyWorkflowLog[]; complete: boolean }> {
  const rows: DifyWorkflowLog[] = [];
  for (let page = 1; callsLeft() > 0; page += 1) {
    const response = await read(page, DIFY_LOGS_MAX_LIMIT, second, second);
    rows.push(...response.data);
    if (!response.has_more) return { rows, complete: page === 1 };
  }
  return { rows, complete: false };
}
