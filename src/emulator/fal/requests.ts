import { z } from 'zod';
import { sendOk } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { collectParams, integer, parseWith } from '../params.js';
import { DAY } from '../time.js';
import { sendValidationError } from './errors.js';
import { defaultEnd, windowShape } from './query.js';
import type { FalStore } from './store.js';
import type { FalRequestItem, FalRequestRecord } from './wire.js';

const params = z.object({
  endpoint_id: z.array(z.string().min(1)).min(1).max(50),
  limit: integer(1, 100).default(50),
  cursor: z
    .string()
    .transform((cursor, ctx) => {
      const page = decodePage(cursor);
      if (page === undefined)
        ctx.addIssue({ code: 'custom', message: 'expected a next_cursor value' });
      return page ?? 1;
    })
    .default(1),
  ...windowShape,
  status: z.enum(['success', 'error', 'user_error']).optional(),
  request_id: z.guid().optional(),
  expand: z.array(z.enum(['payloads', 'billing'])).default([]),
  sort_by: z.enum(['ended_at', 'duration']).default('ended_at'),
});

type Query = z.output<typeof params>;

const STATUS_CLASS = { success: 2, user_error: 4, error: 5 } as const;

/**
 * `GET /serverless/requests/by-endpoint`: filtered on sent_at within [start, end), sorted
 * descending with pending requests (no ended_at or duration yet) first, page-number cursors.
 */
export function requestsRoute(store: FalStore, now: () => number) {
  return (ex: Exchange, tenant: string): void => {
    const input = collectParams(ex.call.query, Object.keys(params.shape), [
      'endpoint_id',
      'expand',
    ]);
    const parsed = parseWith(params, input);
    if (!parsed.ok) return sendValidationError(ex, parsed.param, parsed.problem);
    const query = parsed.value;
    const matching = store.requests(tenant).filter(matcher(query, now() * 1000));
    const sorted = matching.sort(query.sort_by === 'duration' ? byDuration : byEndedAt);
    const first = (query.cursor - 1) * query.limit;
    const hasMore = sorted.length > first + query.limit;
    sendOk(ex, {
      items: sorted
        .slice(first, first + query.limit)
        .map((record) => present(record, query.expand)),
      next_cursor: hasMore ? encodePage(query.cursor + 1) : null,
      has_more: hasMore,
    });
  };
}

function matcher(query: Query, nowMicros: number): (record: FalRequestRecord) => boolean {
  const endpoints = new Set(query.endpoint_id);
  const lookback = query.request_id !== undefined ? 90 * DAY : DAY;
  const start = query.start ?? nowMicros - lookback * 1000;
  const end = query.end ?? defaultEnd(nowMicros);
  const statusClass = query.status && STATUS_CLASS[query.status];
  return (record) => {
    const sent = Date.parse(record.sent_at) * 1000;
    return (
      (endpoints.has(record.endpoint_id) || endpoints.has(appIdOf(record.endpoint_id))) &&
      sent >= start &&
      sent < end &&
      (statusClass === undefined || Math.floor((record.status_code ?? 0) / 100) === statusClass) &&
      (query.request_id === undefined || record.request_id === query.request_id.toLowerCase())
    );
  };
}

/** '<owner>/<name>' of an endpoint id, which may carry a route after it. */
function appIdOf(endpointId: string): string {
  return endpointId.split('/').slice(0, 2).join('/');
}

function byEndedAt(a: FalRequestRecord, b: FalRequestRecord): number {
  return descendingPendingFirst(timeOf(a.ended_at), timeOf(b.ended_at)) || tieBreak(a, b);
}

function byDuration(a: FalRequestRecord, b: FalRequestRecord): number {
  return descendingPendingFirst(a.duration, b.duration) || tieBreak(a, b);
}

function descendingPendingFirst(a: number | null, b: number | null): number {
  return (b ?? Infinity) - (a ?? Infinity) || 0;
}

function tieBreak(a: FalRequestRecord, b: FalRequestRecord): number {
  return timeOf(b.sent_at) - timeOf(a.sent_at) || (a.request_id < b.request_id ? -1 : 1);
}

function timeOf(iso: string): number;
function timeOf(iso: string | null): number | null;
function timeOf(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}

function present(record: FalRequestRecord, expand: readonly string[]) {
  const { json_input, json_output, billable_units, ...item } = record;
  const shown: FalRequestItem & Partial<FalRequestRecord> = item;
  if (expand.includes('payloads')) Object.assign(shown, { json_input, json_output });
  if (expand.includes('billing')) shown.billable_units = billable_units;
  return shown;
}

function encodePage(page: number): string {
  return Buffer.from(String(page)).toString('base64');
}

function decodePage(cursor: string): number | undefined {
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  const page = /^[1-9]\d{0,8}$/.test(text) ? Number(text) : undefined;
  return page !== undefined && encodePage(page) === cursor ? page : undefined;
}
