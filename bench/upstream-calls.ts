import type { BenchWindow } from './operations.js';

/** One upstream call, as the gateway makes it for a page of the benchmark's window. */
export interface UpstreamCall {
  method: 'GET' | 'POST';
  /** Below the upstream's base URL, with the query string. */
  path: string;
  body?: string;
}

/** `falLogs(first)` reads one line more than it serves, to tell whether another page exists. */
export function falHistoryCall(window: BenchWindow, first: number): UpstreamCall {
  const query = new URLSearchParams({
    limit: String(first + 1),
    start: window.since,
    end: window.until,
  });
  return { method: 'POST', path: `/serverless/logs/history?${query}`, body: '[]' };
}

/** Dify's bounds are whole seconds, both inclusive: `until` (exclusive) becomes the second before. */
export function difyLogsCall(window: BenchWindow, limit: number): UpstreamCall {
  const lastSecond = new Date(Date.parse(window.until) - 1000).toISOString().slice(0, 19);
  const query = new URLSearchParams({
    page: '1',
    limit: String(limit),
    created_at__before: `${lastSecond}.999999Z`,
    created_at__after: `${window.since.slice(0, 19)}Z`,
  });
  return { method: 'GET', path: `/workflows/logs?${query}` };
}
