import type { FalClient } from '../upstreams/fal/client.js';
import type { CallOptions } from '../upstreams/http.js';
import type { FalLogPageReader } from './fal-logs.js';

/** fal's v1 history endpoint: `start` inclusive, `end` exclusive, up to 1000 lines a page. */
export function falHistoryReader(
  client: FalClient,
  authorization: string,
  call: CallOptions,
): FalLogPageReader {
  return {
    maxLimit: 1000,
    async read({ filter, start, end, limit }) {
      const page = await client.logsHistory(
        authorization,
        { start: start.iso, end: end.iso, limit, ...filter },
        call,
      );
      return { lines: page.items, hasMore: page.has_more };
    },
  };
}
