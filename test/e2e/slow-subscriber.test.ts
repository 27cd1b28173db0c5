import { createParser } from 'eventsource-parser';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const MESSAGES = 'subscription { falLogs { message } }';
const pick = (data: Record<string, unknown>) => (data.falLogs as { message: string }).message;
/** Lines big enough that a few hundred fill the socket buffers between the gateway and a client. */
const LINE_PADDING = 64 * 1024;
const LINES = 200;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { TAIL_MAX_BACKLOG: '3' } });
});
afterAll(() => stack.close());

async function openSubscriptions(): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  return Number(/^gateway_open_subscriptions (\S+)$/m.exec(text)?.[1] ?? 0);
}

/** A subscription over /graphql whose event stream is read only once `read` is called. */
async function stalledSubscription(query: string) {
  const response = await request(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { ...FAL_AUTH, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query }),
    bodyTimeout: 0,
  });
  expect(response.statusCode).toBe(200);
  const messages: string[] = [];
  const parser = createParser({
    onEvent: ({ event, data }) => {
      if (event === 'next') messages.push(pick((JSON.parse(data) as { data: never }).data));
    },
  });
  return {
    messages,
    read() {
      const decoder = new TextDecoder();
      response.body.on('data', (chunk: Buffer) =>
        parser.feed(decoder.decode(chunk, { stream: true })),
      );
    },
    close: () => response.body.destroy(),
  };
}

it('goes on by itself for a subscriber that stops reading, without holding back the others of its group, and hands it every line once and in order when it reads again', async () => {
  const slow = await stalledSubscription(MESSAGES);
  const client = sseClient(stack.url, 'distinct', FAL_AUTH);
  const reading = subscribe(client, MESSAGES, {}, pick);
  await until(async () => (await openSubscriptions()) === 2, 5_000, 'the subscriptions');
  expect(stack.emulator.openStreams()).toBe(1);

  const sent = (await appendLiveLines(stack.emulator, LINES, 'big', LINE_PADDING)).map(
    (line) => line.message,
  );
  await reading.waitFor(LINES, 20_000);
  expect(reading.values).toEqual(sent);
  // Its socket full and TAIL_MAX_BACKLOG frames behind, the slow one reads a stream of its own.
  await until(() => stack.emulator.openStreams() === 2, 10_000, 'a stream of its own');

  slow.read();
  await until(() => slow.messages.length >= LINES, 20_000, 'the slow subscriber to catch up');
  expect(slow.messages).toEqual(sent);

  const later = (await appendLiveLines(stack.emulator, 3, 'later')).map((line) => line.message);
  await reading.waitFor(LINES + later.length);
  await until(() => slow.messages.length === LINES + later.length, 5_000, 'the later lines');
  expect(slow.messages.slice(LINES)).toEqual(later);
  expect(reading.values.slice(LINES)).toEqual(later);
  expect(reading.errors).toEqual([]);

  slow.close();
  reading.dispose();
  client.dispose();
  await until(() => stack.emulator.openStreams() === 0, 3_000, 'the upstreams to close');
});
