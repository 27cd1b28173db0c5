import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import {
  call,
  containing,
  DAY,
  HOUR,
  micros,
  NOW,
  openStream,
  startTestEmulator,
  waitUntil,
  anyString,
} from './support.js';
import type { OpenStream } from './support.js';

let emulator: Emulator;
const streams: OpenStream[] = [];

beforeAll(async () => {
  emulator = await startTestEmulator({ sseKeepAliveMs: 100 });
});
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  emulator.clearFaults();
  await waitUntil(() => emulator.openStreams() === 0);
});
afterAll(() => emulator.close());

const iso = (ms: number) => new Date(ms).toISOString();

async function open(
  ...args: Parameters<typeof openStream> extends [Emulator, ...infer Rest] ? Rest : never
) {
  const stream = await openStream(emulator, ...args);
  streams.push(stream);
  return stream;
}

/** Stored lines of [start, end), oldest first, as the stream replays them. */
function replayOf(start: number, end: number) {
  return emulator.fal
    .lines('demo')
    .filter((line) => micros(line.timestamp) >= start * 1000 && micros(line.timestamp) < end * 1000)
    .reverse();
}

describe('fal logs stream', () => {
  it('rejects a missing key and bad parameters with JSON errors, not a stream', async () => {
    const url = `${emulator.falUrl}/serverless/logs/stream`;
    const unauthorized = await call(url, { method: 'POST' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.body).toMatchObject({ error: { type: 'authorization_error' } });
    const invalid = await call(`${url}?level=loud`, {
      method: 'POST',
      headers: { authorization: `Key ${'demo-fal-key:demo-fal-secret'}` },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      error: { type: 'validation_error', message: containing('level') },
    });
  });

  it('replays from start oldest first, then sends matching lines as they are appended', async () => {
    const start = NOW - HOUR;
    const stream = await open({ start: iso(start) });
    expect(stream.status).toBe(200);
    const replay = replayOf(start, NOW + 1);
    await stream.waitFor((s) => s.lines().length === replay.length);
    expect(stream.lines()).toEqual(replay);
    expect(emulator.openStreams()).toBe(1);

    const [appended] = emulator.fal.appendLines('demo', [{ message: 'live line' }]);
    await stream.waitFor((s) => s.lines().length === replay.length + 1);
    expect(stream.lines().at(-1)).toEqual(appended);
  });

  it('replays the last 24 hours without start', async () => {
    const stream = await open();
    const replay = replayOf(NOW - DAY, NOW + 1);
    await stream.waitFor((s) => s.lines().length >= replay.length);
    expect(stream.lines().slice(0, replay.length)).toEqual(replay);
  });

  it('applies the history filters to replayed and live lines', async () => {
    const stream = await open({ start: iso(NOW - 2 * HOUR), search: 'HEARTBEAT' }, [
      { key: 'source', value: ['grpc-run'], condition_type: 'in' },
    ]);
    const replay = replayOf(NOW - 2 * HOUR, NOW + 1).filter(
      (line) => line.message.includes('heartbeat') && line.labels.source === 'grpc-run',
    );
    expect(replay.length).toBeGreaterThan(0);
    await stream.waitFor((s) => s.lines().length === replay.length);
    emulator.fal.appendLines('demo', [
      { message: 'not a match' },
      { message: '[heartbeat] live', labels: { source: 'grpc-run' } },
    ]);
    await stream.waitFor((s) => s.lines().length === replay.length + 1);
    expect(stream.lines().at(-1)?.message).toBe('[heartbeat] live');
  });

  it('ends after replaying a window whose end has passed', async () => {
    const stream = await open({ start: iso(NOW - 3 * HOUR), end: iso(NOW - 2 * HOUR) });
    await stream.ended;
    expect(stream.lines()).toEqual(replayOf(NOW - 3 * HOUR, NOW - 2 * HOUR));
    await waitUntil(() => emulator.openStreams() === 0);
  });

  it('ends when a future end comes', async () => {
    const stream = await open({ start: iso(NOW - 60_000), end: iso(NOW + 200) });
    await stream.waitFor(() => emulator.openStreams() === 1);
    await stream.ended;
    await waitUntil(() => emulator.openStreams() === 0);
  });

  it('stays open for an end beyond the timer limit', async () => {
    await open({ start: iso(NOW - 60_000), end: '2100-01-01T00:00:00Z' });
    await waitUntil(() => emulator.openStreams() === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emulator.openStreams()).toBe(1);
  });

  it('sends noise upstream sends: empty and non-JSON data every 50 events, comments', async () => {
    const stream = await open({ start: iso(NOW - 3 * HOUR) });
    await stream.waitFor((s) => s.lines().length > 100);
    const noise = stream.events.filter(({ data }) => !data.startsWith('{'));
    expect(noise.map(({ data }) => data).slice(0, 2)).toEqual(['', 'ping']);
    const fiftieth = stream.events.findIndex(({ data }) => data === '');
    expect(stream.events.slice(0, fiftieth).every(({ data }) => data.startsWith('{'))).toBe(true);
    expect(fiftieth).toBe(50);
    expect(stream.comments[0]).toBe('connected');
    await stream.waitFor((s) => s.comments.includes('keep-alive'));
  });

  it('counts open streams and forgets one as soon as its client aborts', async () => {
    const [a, b] = await Promise.all([
      open({ start: iso(NOW - 60_000) }),
      open({ start: iso(NOW - 60_000) }),
    ]);
    await waitUntil(() => emulator.openStreams() === 2);
    a.close();
    await waitUntil(() => emulator.openStreams() === 1);
    b.close();
    await waitUntil(() => emulator.openStreams() === 0);
  });
});

describe('fal logs stream faults', () => {
  it('dropAfterEvents ends the response after that many data events', async () => {
    emulator.setFault('logs.stream', { dropAfterEvents: 7 });
    const stream = await open({ start: iso(NOW - 3 * HOUR) });
    await stream.ended;
    expect(stream.lines()).toEqual(replayOf(NOW - 3 * HOUR, NOW + 1).slice(0, 7));
  });

  it('errorEventAfter sends an error event with a text, then ends', async () => {
    emulator.setFault('logs.stream', { errorEventAfter: 3, times: 1 });
    const stream = await open({ start: iso(NOW - 3 * HOUR) });
    await stream.ended;
    expect(stream.lines()).toHaveLength(3);
    expect(stream.events.at(-1)).toEqual({ event: 'error', data: anyString });
    expect(stream.events.at(-1)?.data).toMatch(/\w+/);
  });

  it('malformedBody sends lines that miss required fields', async () => {
    emulator.setFault('logs.stream', { malformedBody: true, dropAfterEvents: 2 });
    const stream = await open({ start: iso(NOW - 3 * HOUR) });
    await stream.ended;
    expect(stream.events.map(({ data }) => Object.keys(JSON.parse(data) as object))).toEqual([
      ['message'],
      ['message'],
    ]);
  });

  it('resetMidBody cuts the connection inside the first event', async () => {
    emulator.setFault('logs.stream', { resetMidBody: true });
    const stream = await open({ start: iso(NOW - 3 * HOUR) });
    await stream.ended;
    expect(stream.status).toBe(200);
    expect(stream.events).toEqual([]);
  });

  it('close() ends open streams', async () => {
    const own = await startTestEmulator({ scale: 0.05 });
    const stream = await openStream(own, { start: iso(NOW - 60_000) });
    await waitUntil(() => own.openStreams() === 1);
    await own.close();
    await stream.ended;
    expect(own.openStreams()).toBe(0);
  });
});
