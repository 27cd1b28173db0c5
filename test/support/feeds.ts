import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { FalRequestRecord, Route } from '../../src/emulator/index.js';
import { until } from './sse-client.js';
import type { Stack } from './stack.js';

/** Polls every 50 ms, backs off briefly, and gives up after three failed polls of one call each. */
export const FEED_ENV = {
  DIFY_POLL_INTERVAL_MS: '50',
  FAL_REQUESTS_POLL_INTERVAL_MS: '50',
  TAIL_BACKOFF_BASE_MS: '5',
  TAIL_BACKOFF_MAX_MS: '50',
  TAIL_RECONNECT_ATTEMPTS: '3',
  UPSTREAM_RETRY_ATTEMPTS: '1',
  UPSTREAM_HEADERS_TIMEOUT_MS: '300',
};
export const POLL_MS = 50;

/**
 * The calls that begin a live poll: its first page, unanchored (a poll may go on with more pages,
 * and a fal request feed looks requests up by id).
 */
function pollStarts(stack: Stack, route: Route) {
  return stack.emulator
    .calls({ route })
    .filter(({ query }) => !query.created_at__before && !query.cursor && !query.request_id);
}

/** Waits until `count` polls of `route` have begun from now: `count - 1` have ended. */
export async function nextPolls(stack: Stack, route: Route, count = 2): Promise<void> {
  const before = pollStarts(stack, route).length;
  await until(
    () => pollStarts(stack, route).length >= before + count,
    5_000,
    `${count} polls of ${route}`,
  );
}

/** Resolves once nobody has called `route` for five poll intervals in a row. */
export async function pollsStopped(stack: Stack, route: Route): Promise<void> {
  let calls = -1;
  await until(
    async () => {
      const before = calls;
      calls = stack.emulator.calls({ route }).length;
      if (before === calls) return true;
      await new Promise((resolve) => setTimeout(resolve, 5 * POLL_MS));
      return false;
    },
    5_000,
    `the polls of ${route} to stop`,
  );
}

/** A metric's value as the gateway shows it now (0 when absent). */
export async function metric(stack: Stack, series: string): Promise<number> {
  const text = await (await request(`${stack.url}/metrics`)).body.text();
  const line = text.split('\n').find((each) => each.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

export const ENDPOINT = 'acme/flux-studio';

/**
 * A request of the demo tenant's ENDPOINT sent just now, stored pending; `finish` ends it (now)
 * with `statusCode`.
 */
export function sendFalRequest(stack: Pick<Stack, 'emulator'>, endpointId = ENDPOINT) {
  const template = stack.emulator.fal
    .requests('demo')
    .find((each) => each.endpoint_id === endpointId)!;
  const sentAt = new Date(Date.now() - 5).toISOString();
  const pending: FalRequestRecord = {
    ...template,
    request_id: randomUUID(),
    sent_at: sentAt,
    started_at: sentAt,
    ended_at: null,
    status_code: null,
    duration: null,
    json_output: null,
    billable_units: null,
  };
  stack.emulator.fal.upsertRequest('demo', pending);
  return {
    requestId: pending.request_id,
    finish(statusCode = 200) {
      const endedAt = new Date();
      stack.emulator.fal.upsertRequest('demo', {
        ...pending,
        ended_at: endedAt.toISOString(),
        status_code: statusCode,
        duration: (endedAt.getTime() - Date.parse(sentAt)) / 1000,
        json_output: { images: ['done.png'] },
      });
    },
  };
}
