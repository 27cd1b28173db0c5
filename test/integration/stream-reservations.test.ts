import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool, request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const TTL_MS = 1_000;
const PER_CLIENT = 50;
const TOTAL = 120;
const TOKEN_HEADER = 'x-graphql-event-stream-token';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      STREAM_RESERVATION_TTL_MS: String(TTL_MS),
      MAX_STREAM_RESERVATIONS_PER_CLIENT: String(PER_CLIENT),
      MAX_STREAM_RESERVATIONS: String(TOTAL),
    },
  });
});
afterAll(() => stack.close());
afterEach(() => until(() => outstanding().then((count) => count === 0), 3 * TTL_MS, 'expiry'));

const streamUrl = () => `${stack.url}/graphql/stream`;

async function outstanding(): Promise<number> {
  const text = await (await request(`${stack.url}/metrics`)).body.text();
  const line = text.split('\n').find((each) => each.startsWith('gateway_stream_reservations '));
  return Number(line?.split(' ')[1]);
}

async function reserve(headers: Record<string, string> = {}) {
  const response = await request(streamUrl(), { method: 'PUT', headers });
  return {
    status: response.statusCode,
    headers: response.headers,
    text: await response.body.text(),
  };
}

/** `count` PUTs from `localAddress`, 50 at a time; the statuses they got, counted. */
async function flood(count: number, localAddress = '127.0.0.1') {
  const pool = new Pool(stack.url, { connections: 50, localAddress });
  const statuses = new Map<number, number>();
  let sent = 0;
  const worker = async () => {
    while (sent < count) {
      sent++;
      const response = await pool.request({ path: '/graphql/stream', method: 'PUT' });
      await response.body.dump();
      statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  await pool.close();
  return statuses;
}

const heapAfterGc = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

describe('graphql-sse stream reservations (PUT /graphql/stream)', () => {
  it('are bounded per client and overall under a flood, with memory flat', async () => {
    heapAfterGc();
    const before = heapAfterGc();
    const statuses = await flood(20_000);
    expect(statuses.get(201)).toBeGreaterThanOrEqual(PER_CLIENT);
    expect(statuses.get(429)).toBeGreaterThan(0);
    expect([...statuses.keys()].sort()).toEqual([201, 429]);
    expect(await outstanding()).toBeLessThanOrEqual(PER_CLIENT);
    expect(heapAfterGc() - before).toBeLessThan(8 * 1024 * 1024);

    // Other clients get reservations of their own until everyone together holds TOTAL.
    const others = await Promise.all(
      ['127.0.0.2', '127.0.0.3', '127.0.0.4'].map((address) => flood(PER_CLIENT, address)),
    );
    const granted = others.reduce((sum, each) => sum + (each.get(201) ?? 0), 0);
    expect(granted).toBeGreaterThanOrEqual(TOTAL - PER_CLIENT - PER_CLIENT);
    expect(await outstanding()).toBeLessThanOrEqual(TOTAL);
  }, 120_000);

  it('refuses one past the bound with 429 and says why', async () => {
    await flood(PER_CLIENT);
    const refused = await reserve();
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe(String(Math.ceil(TTL_MS / 1000)));
    const body = JSON.parse(refused.text) as {
      errors: Array<{ message: string; extensions: object }>;
    };
    expect(body.errors[0]?.message).toMatch(/stream reservations/);
    expect(body.errors[0]?.extensions).toEqual({ code: 'RATE_LIMITED' });
  });

  it('expire unclaimed: the event stream of an expired token is refused with 404', async () => {
    const { status, text: token } = await reserve();
    expect(status).toBe(201);
    await until(() => outstanding().then((count) => count === 0), 3 * TTL_MS, 'expiry');
    const response = await request(streamUrl(), {
      headers: { accept: 'text/event-stream', [TOKEN_HEADER]: token },
    });
    expect(response.statusCode).toBe(404);
    const body = (await response.body.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/expired/);
  });

  it('stop what was sent to a reservation that expires unclaimed', async () => {
    const { text: token } = await reserve();
    const response = await request(streamUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token, ...FAL_AUTH },
      body: JSON.stringify({
        query: 'subscription { falLogs { message } }',
        extensions: { operationId: '1' },
      }),
    });
    expect(response.statusCode).toBe(202);
    await response.body.dump();
    await until(() => stack.emulator.openStreams() === 1, 3_000, 'the upstream stream');
    await until(() => stack.emulator.openStreams() === 0, 4 * TTL_MS, 'the upstream to close');
  });

  it('are issued by the gateway, whatever token a client asks for', async () => {
    const { status, text } = await reserve({ [TOKEN_HEADER]: 'chosen-by-the-client' });
    expect(status).toBe(201);
    expect(text).not.toBe('chosen-by-the-client');
  });

  it('leave a connected single-connection stream running past their expiry', async () => {
    const client = sseClient(stack.url, 'single', FAL_AUTH);
    const tail = subscribe(client, 'subscription { falLogs { message } }', {}, (data) => data);
    try {
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      expect(await outstanding()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, TTL_MS * 2));
      await appendLiveLines(stack.emulator, 2, 'after expiry');
      await tail.waitFor(2);
      expect(tail.errors).toEqual([]);
    } finally {
      tail.dispose();
      client.dispose();
      await until(() => stack.emulator.openStreams() === 0, 3_000, 'the stream to close');
    }
  });
});
