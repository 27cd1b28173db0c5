/**
 * What a read may cost upstream and what a position may hold: kept by the walks in
 * `src/paging/` and stated to clients in the schema's descriptions, so both read them here.
 */

/** The most rows one Dify `GET /workflows/logs` page holds. */
export const DIFY_LOGS_MAX_LIMIT = 100;

/** Upstream calls one workflow-logs page may spend beyond the minimum its size needs. */
export const EXTRA_CALLS_PER_PAGE = 10;

/** Upstream pages read at most when looking Dify log rows up within one second. */
export const LOOKUP_PAGES = 5;
export const LOOKUP_MAX_ROWS = LOOKUP_PAGES * DIFY_LOGS_MAX_LIMIT;

/** Pending fal requests remembered by a requests walk; past this many, the oldest are forgotten. */
export const MAX_REMEMBERED_PENDING = 50;

/** fal requests a live feed's replay from `since` may hold: it reads them all before the oldest goes out. */
export const MAX_REPLAYED_REQUESTS = 5_000;
