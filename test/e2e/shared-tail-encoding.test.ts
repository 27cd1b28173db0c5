import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const MESSAGES = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { message } }`;
const DETAILED = `subscription ($filter: FalLogFilter) { falLogs(filter: $filter) { message timestamp level } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
const clients: Array<{ dispose(): void }> = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.dispose();
  await until(() => stack.emulator.openStreams() === 0, 3_000, 'streams to close');
});

const client = (mode: 'distinct' | 'single') => {
  const created = sseClient(stack.url, mode, FAL_AUTH);
  clients.push(created);
  return created;
};

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

it('encodes each line of a shared tail once per distinct document, and every subscriber gets every line once, in order', async () => {
  const variables = { filter: { minLevel: 'INFO' } };
  const pick = (data: Record<string, unknown>) => (data.falLogs as { message: string }).message;
  const sameDocument = [1, 2, 3].map(() =>
    subscribe(client('distinct'), MESSAGES, variables, pick),
  );
  const otherDocument = subscribe(client('distinct'), DETAILED, variables, pick);
  const singleConnection = subscribe(client('single'), MESSAGES, variables, pick);
  const all = [...sameDocument, otherDocument, singleConnection];
  await until(
    async () => (await metric('gateway_open_subscriptions')) === all.length,
    5_000,
    'the subscriptions to open',
  );
  expect(stack.emulator.openStreams()).toBe(1);
  const encodedBefore = await metric('gateway_subscription_events_encoded_total');

  const lines = await appendLiveLines(stack.emulator, 6, 'shared');
  for (const tail of all) await tail.waitFor(lines.length);
  await new Promise((resolve) => setTimeout(resolve, 100));

  const sent = lines.map((line) => line.message);
  for (const tail of all) {
    expect(tail.errors).toEqual([]);
    expect(tail.values).toEqual(sent);
  }
  // Two documents over distinct connections: two encodings per line, not one per subscriber.
  const encoded = (await metric('gateway_subscription_events_encoded_total')) - encodedBefore;
  expect(encoded).toBe(2 * lines.length);
});

/** An app of the demo tenant and `count` of its requests, to label live lines with. */
function appRequests(count: number) {
  const [app] = stack.emulator.fal.apps('demo');
  const records = stack.emulator.fal
    .requests('demo')
    .filter((record) => record.endpoint_id.startsWith(app!.id))
    .slice(0, count);
  return { app: app!, records };
}

it("runs a shared line's field resolvers once for all subscribers of one document: one request lookup per line, over either mode", async () => {
  const { app, records } = appRequests(3);
  const query = 'subscription { falLogs { message request { requestId endpointId } } }';
  const pick = (data: Record<string, unknown>) => data.falLogs;
  const tails = (['distinct', 'distinct', 'single', 'single'] as const).map((mode) =>
    subscribe(client(mode), query, {}, pick),
  );
  await until(
    async () => (await metric('gateway_open_subscriptions')) === tails.length,
    5_000,
    'the subscriptions to open',
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  stack.emulator.resetCalls();

  stack.emulator.fal.appendLines(
    'demo',
    records.map((record, index) => ({
      app: app.name,
      message: `line ${index}`,
      labels: { fal_request_id: record.request_id },
    })),
  );
  for (const tail of tails) await tail.waitFor(records.length);

  const expected = records.map((record, index) => ({
    message: `line ${index}`,
    request: { requestId: record.request_id, endpointId: record.endpoint_id },
  }));
  for (const tail of tails) {
    expect(tail.errors).toEqual([]);
    expect(tail.values).toEqual(expected);
  }
  expect(stack.emulator.calls({ route: 'requests.byEndpoint' })).toHaveLength(records.length);
});

it('shares the results of a replay from since from the line it switches on: one request lookup per line for it and a live tail', async () => {
  const { app, records } = appRequests(4);
  const append = (from: number, to: number) =>
    stack.emulator.fal.appendLines(
      'demo',
      records.slice(from, to).map((record, index) => ({
        app: app.name,
        message: `replayed line ${from + index}`,
        labels: { fal_request_id: record.request_id },
      })),
    );
  const query = `subscription ($filter: FalLogFilter) {
    falLogs(filter: $filter) { message request { requestId } }
  }`;
  const pick = (data: Record<string, unknown>) => data.falLogs as { message: string };
  const live = subscribe(client('distinct'), query, { filter: {} }, pick);
  await until(async () => (await metric('gateway_open_subscriptions')) === 1, 5_000, 'the tail');
  // From now: lines of the tests before are not in its history.
  const since = new Date().toISOString();
  const replay = subscribe(client('distinct'), query, { filter: { since } }, pick);
  await until(() => stack.emulator.openStreams() === 2, 5_000, 'the replay’s own stream');

  stack.emulator.resetCalls();
  append(0, 1);
  const got = (tail: typeof live, message: string) =>
    tail.values.some((value) => value.message === message);
  await until(
    () => got(live, 'replayed line 0') && got(replay, 'replayed line 0'),
    5_000,
    'line 0',
  );
  await until(() => stack.emulator.openStreams() === 1, 5_000, 'the replay to switch');
  // The replay switched on line 0, which the shared tail brought first: it handed out the shared
  // tail's copy, whose run it shares too.
  expect(stack.emulator.calls({ route: 'requests.byEndpoint' })).toHaveLength(1);
  stack.emulator.resetCalls();
  const encodedBefore = await metric('gateway_subscription_events_encoded_total');

  append(1, 4);
  await until(
    () => got(live, 'replayed line 3') && got(replay, 'replayed line 3'),
    5_000,
    'line 3',
  );
  const after = (tail: typeof live) =>
    tail.values.slice(tail.values.findIndex((value) => value.message === 'replayed line 1'));
  for (const tail of [live, replay]) {
    expect(tail.errors).toEqual([]);
    expect(after(tail).map((value) => value.message)).toEqual(
      [1, 2, 3].map((index) => `replayed line ${index}`),
    );
  }
  // One execution per line for both: one request lookup, one encoding.
  expect(stack.emulator.calls({ route: 'requests.byEndpoint' })).toHaveLength(3);
  expect((await metric('gateway_subscription_events_encoded_total')) - encodedBefore).toBe(3);
});
