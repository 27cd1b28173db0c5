import { createClient } from 'graphql-sse';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  killGatewayProcesses,
  startGatewayProcess,
  stopGatewayProcess,
} from '../support/gateway-process.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack } from '../support/stack.js';

const TAIL = 'subscription { falLogs { message } }';
const REPLAY = 'subscription ($since: DateTime) { falLogs(filter: { since: $since }) { message } }';
const pickMessage = (data: Record<string, unknown>) =>
  (data.falLogs as { message: string }).message;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 7, scale: 0.25 });
});
afterEach(killGatewayProcesses);
afterAll(() => emulator.close());

describe.each(['distinct', 'single'] as const)(
  'graphql-sse client (%s connections) across a gateway restart',
  (mode) => {
    it('reconnects with retryAttempts to the new gateway on the same port and receives new lines', async () => {
      const first = await startGatewayProcess(emulator, 0);
      const port = Number(new URL(first.url).port);
      const client = createClient({
        url: mode === 'single' ? `${first.url}/graphql/stream` : `${first.url}/graphql`,
        singleConnection: mode === 'single',
        headers: () => ({ ...FAL_AUTH }),
        retryAttempts: 50,
        retry: () => new Promise((resolve) => setTimeout(resolve, 200)),
      });
      try {
        const tail = subscribe(client, TAIL, {}, pickMessage);
        await until(() => emulator.openStreams() === 1, 5_000, 'the upstream stream');
        const before = await appendLiveLines(emulator, 3, `${mode} before restart`);
        await tail.waitFor(3);

        await stopGatewayProcess(first.process, 'SIGKILL');
        await until(
          () => emulator.openStreams() === 0,
          5_000,
          'the dead gateway’s stream to close',
        );
        await startGatewayProcess(emulator, port);
        await until(() => emulator.openStreams() === 1, 10_000, 'the client to resubscribe');
        const after = await appendLiveLines(emulator, 3, `${mode} after restart`);
        await tail.waitFor(6);

        expect(tail.values).toEqual([...before, ...after].map((line) => line.message));
        expect(tail.errors).toEqual([]);
        expect(tail.completed).toBe(false);
      } finally {
        client.dispose();
      }
    });
  },
);

describe.each(['distinct', 'single'] as const)(
  'graphql-sse client (%s connections) during a graceful shutdown',
  (mode) => {
    it('sees the tail and a replay complete, so an app resubscribes rather than waiting for a retry', async () => {
      const stack = await startStack();
      const client = sseClient(stack.url, mode, FAL_AUTH);
      try {
        const tail = subscribe(client, TAIL, {}, pickMessage);
        const since = new Date(Date.now() - 60_000).toISOString();
        const replay = subscribe(client, REPLAY, { since }, pickMessage);
        // The replay reads a stream of its own until the shared one brings a line.
        await until(() => stack.emulator.openStreams() === 2, 5_000, 'the upstream streams');
        await stack.gateway.close();
        for (const ended of [tail, replay]) {
          await ended.ended;
          expect(ended.completed).toBe(true);
          expect(ended.errors).toEqual([]);
        }
        expect(stack.emulator.openStreams()).toBe(0);
      } finally {
        client.dispose();
        await stack.emulator.close();
      }
    });
  },
);
