import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const QUERY = '{ falLogs(first: 2) { edges { node { message } } } }';
const TAIL = 'subscription { falLogs { message } }';
const REPLAY = 'subscription ($since: DateTime) { falLogs(filter: { since: $since }) { message } }';

describe('metrics and logs', () => {
  let stack: Stack;
  const logLines: Array<Record<string, unknown>> = [];
  let rawLog = '';

  beforeAll(async () => {
    const logger = pino(
      { level: 'info' },
      {
        write(line: string) {
          rawLog += line;
          logLines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    );
    stack = await startStack({
      env: { UPSTREAM_RETRY_BASE_MS: '10' },
      gateway: { logger },
    });
  });
  afterAll(() => stack.close());

  const scrape = async () => (await request(`${stack.url}/metrics`)).body.text();
  const sample = (text: string, series: string) => {
    const line = text.split('\n').find((each) => each.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('counts upstream calls by source, route, status and outcome, and their retries', async () => {
    await stack.graphql(QUERY);
    stack.emulator.setFault('logs.history', { status: 500, times: 1 });
    await stack.graphql(QUERY);
    stack.emulator.clearFaults();
    const text = await scrape();
    expect(
      sample(
        text,
        'gateway_upstream_requests_total{source="fal",route="logs.history",outcome="ok",status="200"}',
      ),
    ).toBe(2);
    expect(
      sample(
        text,
        'gateway_upstream_requests_total{source="fal",route="logs.history",outcome="UPSTREAM_ERROR",status="500"}',
      ),
    ).toBe(1);
    expect(
      sample(
        text,
        'gateway_upstream_retries_total{source="fal",route="logs.history",outcome="UPSTREAM_ERROR"}',
      ),
    ).toBe(1);
    expect(text).toMatch(
      /gateway_upstream_request_duration_seconds_bucket\{[^}]*route="logs.history"/,
    );
    expect(text).toMatch(/graphql_envelop_phase_execute/);
    expect(text).not.toContain(DEMO_KEYS.fal.split(':')[1]);
  });

  it('shows open subscriptions and open upstream streams, and their closing', async () => {
    const client = sseClient(stack.url, 'distinct', FAL_AUTH);
    const tail = subscribe(client, TAIL, {}, (data) => data);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
    let text = await scrape();
    expect(sample(text, 'gateway_open_subscriptions')).toBe(1);
    expect(sample(text, 'gateway_upstream_open_streams{source="fal",route="logs.stream"}')).toBe(1);
    tail.dispose();
    client.dispose();
    await until(() => stack.emulator.openStreams() === 0, 2_000, 'the stream to close');
    await new Promise((resolve) => setTimeout(resolve, 50));
    text = await scrape();
    expect(sample(text, 'gateway_open_subscriptions')).toBe(0);
    expect(sample(text, 'gateway_upstream_open_streams{source="fal",route="logs.stream"}')).toBe(0);
  });

  it('logs each upstream call with the request id, upstream, route, status and latency only', async () => {
    const response = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { ...FAL_AUTH, 'content-type': 'application/json', 'x-request-id': 'obs-7' },
      body: JSON.stringify({ query: QUERY }),
    });
    await response.body.text();
    const call = logLines.find(
      (line) => line.msg === 'upstream call' && line.requestId === 'obs-7',
    );
    expect(call).toMatchObject({
      upstream: 'fal',
      route: 'logs.history',
      status: 200,
      outcome: 'ok',
    });
    expect(typeof call!.ms).toBe('number');
    expect(Object.keys(call!).sort()).toEqual(
      [
        'attempt',
        'hostname',
        'level',
        'ms',
        'msg',
        'outcome',
        'pid',
        'requestId',
        'route',
        'status',
        'time',
        'upstream',
      ].sort(),
    );
    expect(rawLog).not.toContain(DEMO_KEYS.fal);
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight queries, completes live tails and replays, then stops', async () => {
    const stack = await startStack();
    const client = sseClient(stack.url, 'distinct', FAL_AUTH);
    try {
      const tail = subscribe(client, TAIL, {}, (data) => data);
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      // A replay that has not caught up yet still reads a stream of its own.
      const since = new Date(Date.now() - 1_000).toISOString();
      const replay = subscribe(client, REPLAY, { since }, (data) => data);
      await until(() => stack.emulator.openStreams() === 2, 5_000, 'the replay’s own stream');
      stack.emulator.setFault('logs.history', { latencyMs: 600 });
      const slow = stack.graphql(QUERY);
      await until(
        () => stack.emulator.calls({ route: 'logs.history' }).length === 1,
        5_000,
        'the slow query upstream',
      );

      const closing = stack.gateway.close();
      const ready = await stack.gateway.yoga.fetch('http://gateway/ready');
      expect(ready.status).toBe(503);

      const answered = await slow;
      expect(answered.errors).toBeUndefined();
      expect(answered.data).toMatchObject({ falLogs: { edges: [{}, {}] } });
      for (const live of [tail, replay]) {
        await live.ended;
        expect(live.completed).toBe(true);
        expect(live.errors).toEqual([]);
      }
      await closing;
      expect(stack.emulator.openStreams()).toBe(0);
    } finally {
      client.dispose();
      await stack.emulator.close();
    }
  });
});
