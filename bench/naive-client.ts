import { send } from './load.js';
import type { Target } from './load.js';
import { LOGS_PER_REQUEST, REQUESTS_PAGE_SIZE } from './operations.js';
import type { BenchWindow } from './operations.js';

interface RequestItem {
  request_id: string;
  sent_at: string;
}

export interface NaiveClientOptions {
  falUrl: string;
  headers: Record<string, string>;
  endpointIds: readonly string[];
  window: BenchWindow;
  /** Fetch the requests' logs all at once rather than one after another. */
  concurrent: boolean;
}

/**
 * What a hand-written client does without a gateway: one call for a page of requests, then one
 * history call per request for its newest log lines.
 */
export function naiveRequestsWithLogs(options: NaiveClientOptions): () => Promise<number> {
  const { falUrl, headers, window } = options;
  const requestsQuery = new URLSearchParams({
    limit: String(REQUESTS_PAGE_SIZE),
    start: window.since,
    end: window.until,
  });
  for (const endpointId of options.endpointIds) requestsQuery.append('endpoint_id', endpointId);
  const requestsPage: Target = {
    url: `${falUrl}/serverless/requests/by-endpoint?${requestsQuery}`,
    method: 'GET',
    headers,
  };
  const logsOf = (item: RequestItem): Target => {
    const query = new URLSearchParams({
      limit: String(LOGS_PER_REQUEST),
      request_id: item.request_id,
      start: item.sent_at,
      end: window.until,
    });
    return {
      url: `${falUrl}/serverless/logs/history?${query}`,
      method: 'POST',
      headers,
      body: '[]',
    };
  };

  /** Resolves to the number of log lines read. */
  return async () => {
    const { items } = JSON.parse(await send(requestsPage)) as { items: RequestItem[] };
    const readLogs = async (item: RequestItem) =>
      (JSON.parse(await send(logsOf(item))) as { items: unknown[] }).items.length;
    if (options.concurrent) {
      const counts = await Promise.all(items.map(readLogs));
      return counts.reduce((sum, count) => sum + count, 0);
    }
    let lines = 0;
    for (const item of items) lines += await readLogs(item);
    return lines;
  };
}
