import { connect } from 'node:net';
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

async function metric(pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${stack.url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

const openSubscriptions = () => metric(/^gateway_open_subscriptions (\S+)$/m);
/** Subscriptions Prometheus saw end: it observes a subscription's duration when it ends. */
const endedSubscriptions = () =>
  metric(
    /^graphql_envelop_request_duration_count\{[^}]*operationType="subscription"[^}]*\} (\S+)$/m,
  );

it('delivers every line once and in order to every subscriber of a shared tail over /graphql, also after one leaves mid-stream, and closes the upstream after the last', async () => {
  const endedBefore = await endedSubscriptions();
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
  // Group members end outside their plugin chains; the plugins still see each of them end once.
  await until(async () => (await endedSubscriptions()) === endedBefore + 6, 3_000, 'the ends');
  expect(await endedSubscriptions()).toBe(endedBefore + 6);
});

/** A subscription over a bare HTTP/1.1 socket, keeping every byte the gateway sends. */
function rawSubscription(query: string) {
  const body = JSON.stringify({ query });
  const { port } = new URL(stack.url);
  const socket = connect(Number(port), '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(
    [
      'POST /graphql HTTP/1.1',
      'host: localhost',
      'content-type: application/json',
      'accept: text/event-stream',
      `authorization: ${FAL_AUTH.authorization}`,
      `content-length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  return { socket, received: () => Buffer.concat(chunks).toString('latin1') };
}

/** The bytes of `parts` as a chunked HTTP/1.1 body, one chunk each. */
const chunked = (parts: string[]) =>
  parts.map((part) => `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`).join('');

it('writes a group’s lines to each member as graphql-sse’s event stream, one HTTP chunk per event, byte for byte', async () => {
  const members = [rawSubscription(MESSAGES), rawSubscription(MESSAGES)];
  await until(async () => (await openSubscriptions()) === 2, 5_000, 'the subscriptions');
  const lines = await appendLiveLines(stack.emulator, 3, 'raw');
  const expected = chunked([
    ':\n\n',
    ...lines.map(
      ({ message }) =>
        `event: next\ndata: ${JSON.stringify({ data: { falLogs: { message } } })}\n\n`,
    ),
  ]);
  for (const member of members) {
    await until(() => member.received().endsWith(expected.slice(-40)), 5_000, 'the lines');
    const [head] = member.received().split('\r\n\r\n', 1) as [string];
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(member.received().slice(head.length + 4)).toBe(expected);
  }
  members.forEach((member) => member.socket.destroy());
  expect(
    await until(() => stack.emulator.openStreams() === 0, 3_000, 'the upstream to close'),
  ).toBeLessThan(1_000);
});
