import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const MESSAGES = 'subscription { falLogs { message } }';
const LEVELS = 'subscription { falLogs { message level } }';
const pick = (data: Record<string, unknown>) => (data.falLogs as { message: string }).message;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function openSubscriptions(): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  return Number(/^gateway_open_subscriptions (\S+)$/m.exec(text)?.[1] ?? 0);
}

it('delivers every line once and in order to every subscriber of a shared tail over /graphql, also after one leaves mid-stream, and closes the upstream after the last', async () => {
  const clients = Array.from({ length: 6 }, () => sseClient(stack.url, 'distinct', FAL_AUTH));
  const grouped = clients.slice(0, 5).map((client) => subscribe(client, MESSAGES, {}, pick));
  const otherDocument = subscribe(clients[5]!, LEVELS, {}, pick);
  const [leaving, ...staying] = grouped;
  await until(async () => (await openSubscriptions()) === 6, 5_000, 'the subscriptions');
  expect(stack.emulator.openStreams()).toBe(1);

  const before = await appendLiveLines(stack.emulator, 4, 'before');
  await leaving!.waitFor(before.length);
  leaving!.dispose();
  await until(async () => (await openSubscriptions()) === 5, 5_000, 'the one leaving');
  const after = await appendLiveLines(stack.emulator, 4, 'after');

  const sent = [...before, ...after].map((line) => line.message);
  for (const tail of [...staying, otherDocument]) {
    await tail.waitFor(sent.length);
    expect(tail.errors).toEqual([]);
    expect(tail.values).toEqual(sent);
  }
  expect(leaving!.values).toEqual(before.map((line) => line.message));
  expect(leaving!.errors).toEqual([]);

  for (const tail of [...staying, otherDocument]) tail.dispose();
  clients.forEach((client) => client.dispose());
  expect(
    await until(() => stack.emulator.openStreams() === 0, 3_000, 'the upstream to close'),
  ).toBeLessThan(1_000);
  expect(await openSubscriptions()).toBe(0);
});
