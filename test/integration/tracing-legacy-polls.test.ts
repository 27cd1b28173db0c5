import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { startTracing, type Tracing } from '../../src/tracing-sdk.js';
import {
  descendsFrom,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

/*
 * The tracing SDK registers itself for the whole process: this file runs in a process of its
 * own (vitest's forks pool isolates each file), with the gateway in it, and the SDK as the
 * entry starts it, with the default export protocol.
 */

const FILTER_TEXT = 'needle-legacy-tail-c5a1';
let receiver: OtlpReceiver;
let tracing: Tracing;
let stack: Stack;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '20' };
  // The SDK reads the standard variables from the environment itself.
  Object.assign(process.env, otel);
  tracing = await startTracing(loadConfig(otel).tracing!, pino({ level: 'silent' }));
  stack = await startStack({
    falLogsApi: 'legacy',
    env: { ...otel, FAL_LEGACY_POLL_INTERVAL_MS: '20' },
  });
});
afterAll(async () => {
  await stack.close();
  await receiver.close();
});

const byId = (spans: ReceivedSpan[]) => new Map(spans.map((span) => [span.spanId, span]));

describe('tracing a live tail over the legacy API', () => {
  it('makes each poll a span under the subscription, with its upstream calls as children carrying traceparent', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const ours = () =>
      stack.emulator
        .calls({ route: 'logs.legacy' })
        .filter((call) => call.traceparent?.startsWith(`00-${traceId}-`));
    const sse = sseClient(stack.url, 'distinct', {
      ...FAL_AUTH,
      traceparent: `00-${traceId}-${parentId}-01`,
    });
    const received = subscribe(
      sse,
      'subscription LegacyTail($filter: FalLogFilter) { falLogs(filter: $filter) { message } }',
      { filter: { search: FILTER_TEXT } },
      (data) => data,
    );
    await until(() => ours().length >= 3, 5_000, 'three polls');
    received.dispose();
    sse.dispose();
    await receiver.waitForSpan(
      (span) => span.traceId === traceId && span.name === 'subscription LegacyTail',
    );

    const spans = receiver.spans().filter((span) => span.traceId === traceId);
    const spansById = byId(spans);
    const operation = spans.find((span) => span.name === 'subscription LegacyTail')!;
    expect(operation.parentSpanId).toBe(parentId);
    const polls = spans.filter((span) => span.name === 'fal legacy poll');
    expect(polls.length).toBeGreaterThanOrEqual(3);
    // Under the subscription, in the phase that opened the shared poller.
    for (const poll of polls) expect(descendsFrom(spans, poll, operation)).toBe(true);
    const calls = spans.filter((span) => span.name === 'fal logs.legacy');
    for (const call of calls) {
      expect(spansById.get(call.parentSpanId!)?.name).toBe('fal legacy poll');
      expect(call.attributes['upstream.route']).toBe('logs.legacy');
    }
    // The poll running when the client left was called off.
    const answered = calls.filter((call) => call.attributes['upstream.outcome'] === 'ok');
    expect(answered.length).toBeGreaterThanOrEqual(3);
    for (const call of answered) expect(call.attributes['http.response.status_code']).toBe(200);
    // Every poll's upstream call the emulator saw carried the context of its own span.
    const exported = new Set(calls.map((span) => span.spanId));
    const sent = ours().map((call) => call.traceparent!.split('-')[2]!);
    expect(sent.filter((id) => exported.has(id)).length).toBeGreaterThanOrEqual(3);
  });

  it('exports OTLP/HTTP protobuf by default, and no key or filter text in any byte', async () => {
    await tracing.shutdown();
    expect(receiver.bodies.length).toBeGreaterThan(0);
    expect(new Set(receiver.contentTypes)).toEqual(new Set(['application/x-protobuf']));
    const exported = Buffer.concat(receiver.bodies);
    for (const secret of [DEMO_KEYS.fal, FILTER_TEXT]) {
      expect(exported.includes(secret)).toBe(false);
    }
  });
});
