import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const TAIL = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { timestamp message } }`;
const pick = (data: Record<string, unknown>) =>
  data.falLogs as { timestamp: string; message: string };

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    falLogsApi: 'legacy',
    env: {
      FAL_LEGACY_POLL_INTERVAL_MS: '400',
      UPSTREAM_RETRY_ATTEMPTS: '1',
      UPSTREAM_HEADERS_TIMEOUT_MS: '600',
      TAIL_BACKOFF_BASE_MS: '50',
    },
  });
});
afterAll(() => stack.close());
const clients: Array<{ dispose(): void }> = [];
const client = () => {
  const created = sseClient(stack.url, 'distinct', FAL_AUTH);
  clients.push(created);
  return created;
};
afterEach(async () => {
  for (const each of clients.splice(0)) each.dispose();
  await new Promise((resolve) => setTimeout(resolve, 500));
  stack.emulator.resetCalls();
});
const polls = () => stack.emulator.calls({ route: 'logs.legacy' }).length;

it('delivers a burst of more lines than a page holds, between two polls, whole and in order', async () => {
  const tail = subscribe(client(), TAIL, {}, pick);
  await until(() => polls() > 0, 5_000, 'the first poll');
  const count = 2_500;
  await new Promise((resolve) => setTimeout(resolve, count / 3 + 20));
  const base = Date.now() - count / 3;
  const sent = stack.emulator.fal.appendLines(
    'demo',
    Array.from({ length: count }, (_, i) => ({
      timestamp: new Date(base + Math.floor(i / 3)).toISOString(),
      message: `burst #${i}`,
    })),
  );
  const received = await tail.waitFor(count, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 900));
  expect(received.map((line) => line.message).sort()).toEqual(
    sent.map((line) => line.message).sort(),
  );
  const stamps = received.map((line) => Date.parse(line.timestamp));
  expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  expect(tail.errors).toEqual([]);
});

it('refuses what the legacy API cannot honour, naming the field, before any call', async () => {
  for (const [filter, field] of [
    [{ runSource: 'GATEWAY' }, 'filter.runSource'],
    [
      {
        labels: [
          { key: 'k', values: ['a'] },
          { key: 'k', values: ['b'], op: 'NOT_EQUALS' },
        ],
      },
      'filter.labels',
    ],
  ] as const) {
    const tail = subscribe(client(), TAIL, { filter }, pick);
    await tail.ended;
    expect(tail.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
    expect(JSON.stringify(tail.errors)).toContain(field);
  }
  expect(polls()).toBe(0);
});

it('shares one poller between identical tails', async () => {
  const tails = [0, 1, 2].map(() => subscribe(client(), TAIL, {}, pick));
  await until(() => polls() > 0, 5_000, 'the first poll');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  // One poller polls about three times a second; three would poll three times as often.
  expect(polls()).toBeLessThanOrEqual(5);
  expect(tails.flatMap((tail) => tail.errors)).toEqual([]);
});

/** Appends `count` lines stamped now, one millisecond apart, and returns their messages. */
async function logNow(prefix: string, count: number, app?: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, count + 5));
  const base = Date.now() - count;
  return stack.emulator.fal
    .appendLines(
      'demo',
      Array.from({ length: count }, (_, i) => ({
        timestamp: new Date(base + i).toISOString(),
        message: `${prefix} #${i}`,
        ...(app && { app }),
      })),
    )
    .map((line) => line.message);
}

it('loses and repeats nothing across a 429, a 500 and a hang between polls', async () => {
  const tail = subscribe(client(), TAIL, {}, pick);
  await until(() => polls() > 0, 5_000, 'the first poll');
  const sent = await logNow('before the faults', 5);
  await tail.waitFor(5, 5_000);
  stack.emulator.setFault('logs.legacy', { status: 429, retryAfterSeconds: 0, times: 1 });
  sent.push(...(await logNow('during a 429', 5)));
  await until(() => polls() > 2, 5_000, 'the refused poll');
  stack.emulator.setFault('logs.legacy', { status: 500, times: 1 });
  sent.push(...(await logNow('during a 500', 5)));
  await new Promise((resolve) => setTimeout(resolve, 500));
  stack.emulator.setFault('logs.legacy', { hang: true, times: 1 });
  sent.push(...(await logNow('during a hang', 5)));
  const received = await tail.waitFor(sent.length, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 900));
  expect(received.map((line) => line.message)).toEqual(sent);
  expect(tail.errors).toEqual([]);
});

it('merges several apps, one poll each, oldest first, and leaves the others out', async () => {
  const [first, second, third] = stack.emulator.fal.apps('demo');
  const tail = subscribe(client(), TAIL, { filter: { appIds: [first!.id, second!.id] } }, pick);
  await until(() => polls() >= 2, 5_000, 'the first polls');
  const wanted: string[] = [];
  for (let round = 0; round < 3; round += 1) {
    wanted.push(...(await logNow(`${first!.name} ${round}`, 3, first!.name)));
    await logNow(`${third!.name} ${round}`, 3, third!.name);
    wanted.push(...(await logNow(`${second!.name} ${round}`, 3, second!.name)));
  }
  const received = await tail.waitFor(wanted.length, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 900));
  expect(received.map((line) => line.message)).toEqual(wanted);
  expect(tail.errors).toEqual([]);
  const appIds = stack.emulator
    .calls({ route: 'logs.legacy' })
    .map((call) => call.query.app_id?.[0]);
  expect(new Set(appIds)).toEqual(new Set([first!.name, second!.name]));
});
