import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const REQUEST_TIMEOUT_MS = 1_000;
const HEADERS_TIMEOUT_MS = 500;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
    },
  });
});
afterAll(() => stack.close());

const sockets: Socket[] = [];
afterEach(() => sockets.splice(0).forEach((socket) => socket.destroy()));

/** A raw connection to the gateway, recording what it answers and when it is closed. */
async function rawConnection() {
  const { hostname, port } = new URL(stack.url);
  const socket = connect(Number(port), hostname);
  sockets.push(socket);
  await once(socket, 'connect');
  const opened = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close').then(() => Date.now() - opened);
  return { socket, closed, answer: () => answer };
}

/** Writes `text` one byte every `everyMs` until the socket is closed. */
function dribble(socket: Socket, text: string, everyMs: number) {
  let sent = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || sent >= text.length) return clearInterval(timer);
    socket.write(text.charAt(sent++));
  }, everyMs);
  socket.once('close', () => clearInterval(timer));
}

describe('slow clients', () => {
  it('cuts off a request body dribbled slowly at the request timeout, with 408', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const { socket, closed, answer } = await rawConnection();
    socket.write(
      'POST /graphql HTTP/1.1\r\nHost: gateway\r\ncontent-type: application/json\r\n' +
        `content-length: ${body.length}\r\n\r\n`,
    );
    // One byte every 100 ms would take about 3 s for the whole body.
    dribble(socket, body, 100);
    const closedAfterMs = await Promise.race([
      closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 8_000)),
    ]);
    expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
    expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 2_500);
    expect(answer()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('cuts off headers dribbled slowly at the headers timeout', async () => {
    const { socket, closed, answer } = await rawConnection();
    dribble(
      socket,
      'GET /health HTTP/1.1\r\nHost: gateway\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n',
      100,
    );
    const closedAfterMs = await Promise.race([
      closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 8_000)),
    ]);
    expect(closedAfterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 2_500);
    expect(answer()).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe.each(['distinct', 'single'] as const)('a live tail (%s connections)', (mode) => {
  it('keeps running well past the request timeout', async () => {
    const client = sseClient(stack.url, mode, FAL_AUTH);
    const tail = subscribe(client, 'subscription { falLogs { message } }', {}, (data) => data);
    try {
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      await appendLiveLines(stack.emulator, 1, 'before');
      await tail.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS * 3));
      await appendLiveLines(stack.emulator, 1, 'after');
      await tail.waitFor(2);
      expect(tail.errors).toEqual([]);
      expect(tail.completed).toBe(false);
    } finally {
      tail.dispose();
      client.dispose();
      await until(() => stack.emulator.openStreams() === 0, 3_000, 'the stream to close');
    }
  });
});
