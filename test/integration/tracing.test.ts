import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import {
  killGatewayProcesses,
  startGatewayProcess,
  stopGatewayProcess,
  type GatewayProcess,
} from '../support/gateway-process.js';
import {
  descendsFrom,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';

const FAL_KEY = `Key ${DEMO_KEYS.fal}`;
const DIFY_KEY = `Bearer ${DEMO_KEYS.dify}`;
/** Filter text clients send: it must reach the upstreams, and no span. */
const FILTER_TEXTS = {
  search: 'needle-search-4b1c',
  keyword: 'needle-keyword-93de',
  tailSearch: 'needle-tail-7e20',
};
const SPAN_KIND = { server: 2, client: 3 };
const STATUS_ERROR = 2;

/** A W3C trace context as a client would send it, sampled. */
function clientTrace() {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, traceparent: `00-${traceId}-${parentId}-01` };
}

/** The trace id and parent span id a `traceparent` header carries. */
function parseTraceparent(header: string | undefined) {
  const [, traceId, parentId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(header ?? '') ?? [];
  return { traceId, parentId };
}

let emulator: Emulator;
let receiver: OtlpReceiver;
let gateway: { url: string; process: GatewayProcess; output(): string };
/** Log lines the gateway's answers carried: no exported byte may contain one. */
const answeredMessages: string[] = [];

beforeAll(async () => {
  [emulator, receiver] = await Promise.all([
    startEmulator({ seed: 7, scale: 0.25 }),
    startOtlpReceiver(),
  ]);
  gateway = await startGatewayProcess(emulator, 0, {
    // Span batches exported at once, and retries that do not wait long.
    OTEL_BSP_SCHEDULE_DELAY: '20',
    UPSTREAM_RETRY_BASE_MS: '5',
    UPSTREAM_RETRY_MAX_MS: '20',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'gateway-under-test',
    LOG_LEVEL: 'info',
  });
});
afterAll(async () => {
  await killGatewayProcesses();
  await Promise.all([receiver.close(), emulator.close()]);
});

async function graphql(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
) {
  const response = await request(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.body.json()) as {
    data?: Record<string, { edges: Array<{ node: Record<string, string> }> } | null>;
    errors?: Array<{ extensions?: { code?: string } }>;
  };
}

const spansOf = (traceId: string) => receiver.spans().filter((span) => span.traceId === traceId);
const named = (spans: ReceivedSpan[], name: string) => spans.filter((span) => span.name === name);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) =>
  spans.filter((span) => span.parentSpanId === parent.spanId);

/** The log lines the gateway printed for a request. */
const logLinesOf = (requestId: string) =>
  gateway
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.requestId === requestId);

describe('tracing (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it("continues the client's trace: the operation, its phases, and a span per upstream call, whose traceparent the upstream receives", async () => {
    const client = clientTrace();
    const requestId = `traced-${client.traceId.slice(0, 8)}`;
    const query = `query TracedLogs($search: String!, $keyword: String!) {
      falLogs(first: 5) { edges { node { message } } }
      matching: falLogs(first: 1, filter: { search: $search }) { edges { node { message } } }
      workflowLogs(first: 3, filter: { keyword: $keyword }) { edges { node { logId } } }
    }`;
    const answer = await graphql(
      query,
      { search: FILTER_TEXTS.search, keyword: FILTER_TEXTS.keyword },
      {
        'x-fal-authorization': FAL_KEY,
        'x-dify-authorization': DIFY_KEY,
        'x-request-id': requestId,
        traceparent: client.traceparent,
      },
    );
    expect(answer.errors).toBeUndefined();
    answeredMessages.push(...answer.data!.falLogs!.edges.map(({ node }) => node.message!));
    await receiver.waitForSpan((span) => span.name === 'query TracedLogs');

    const spans = spansOf(client.traceId);
    const [operation] = named(spans, 'query TracedLogs');
    expect(operation).toMatchObject({
      parentSpanId: client.parentId,
      kind: SPAN_KIND.server,
      attributes: {
        'graphql.operation.name': 'TracedLogs',
        'graphql.operation.type': 'query',
        'graphql.document.hash': createHash('sha256').update(query).digest('hex'),
      },
      resource: { 'service.name': 'gateway-under-test' },
    });
    expect(operation!.status.code).not.toBe(STATUS_ERROR);
    expect(childrenOf(spans, operation!).map((span) => span.name)).toEqual(
      expect.arrayContaining(['graphql.parse', 'graphql.validate', 'graphql.execute']),
    );
    const [execute] = named(spans, 'graphql.execute');

    const upstream = spans.filter((span) => span.kind === SPAN_KIND.client);
    expect(upstream.map((span) => span.name).sort()).toEqual([
      'dify workflows.logs',
      'fal logs.history',
      'fal logs.history',
    ]);
    for (const span of upstream) {
      expect(descendsFrom(spans, span, execute!)).toBe(true);
      expect(span.attributes).toMatchObject({
        'upstream.attempt': 1,
        'http.response.status_code': 200,
        'upstream.outcome': 'ok',
      });
    }

    // Every upstream call of the operation carried its own span's context, and the request id.
    const calls = emulator.calls().filter((call) => call.requestId === requestId);
    expect(calls).toHaveLength(3);
    const upstreamIds = new Set(upstream.map((span) => span.spanId));
    for (const call of calls) {
      const sent = parseTraceparent(call.traceparent);
      expect(sent.traceId).toBe(client.traceId);
      expect(upstreamIds.has(sent.parentId!)).toBe(true);
    }
    expect(new Set(calls.map((call) => call.traceparent)).size).toBe(3);

    // The request's log lines carry its trace id.
    const lines = logLinesOf(requestId);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) expect(line.traceId).toBe(client.traceId);
  });

  it('traces a streamed big page as one operation whose every upstream read is under it', async () => {
    const client = clientTrace();
    const requestId = `streamed-${client.traceId.slice(0, 8)}`;
    const answer = await graphql(
      'query StreamedLogs { falLogs(first: 5000) { edges { node { message } } } }',
      {},
      {
        'x-fal-authorization': FAL_KEY,
        'x-request-id': requestId,
        traceparent: client.traceparent,
      },
    );
    expect(answer.data!.falLogs!.edges).toHaveLength(5000);
    answeredMessages.push(...answer.data!.falLogs!.edges.map(({ node }) => node.message!));
    await receiver.waitForSpan((span) => span.name === 'query StreamedLogs');

    const spans = spansOf(client.traceId);
    const [operation] = named(spans, 'query StreamedLogs');
    const reads = named(spans, 'fal logs.history');
    const calls = emulator.calls().filter((call) => call.requestId === requestId);
    expect(calls.length).toBeGreaterThan(2);
    expect(reads).toHaveLength(calls.length);
    for (const read of reads) expect(descendsFrom(spans, read, operation!)).toBe(true);
  });

  it('records a failing upstream call attempt by attempt, with its retry waits, and the operation error with its contract code', async () => {
    const client = clientTrace();
    const requestId = `failing-${client.traceId.slice(0, 8)}`;
    // An upstream that echoes the key it was sent: the gateway redacts it, and no span has it.
    emulator.setFault('workflows.logs', {
      status: 500,
      times: 3,
      errorMessage: 'refused {authorization}',
    });
    const answer = await graphql(
      `
        query FailingRuns($keyword: String!) {
          workflowLogs(first: 3, filter: { keyword: $keyword }) {
            edges {
              node {
                logId
              }
            }
          }
        }
      `,
      { keyword: FILTER_TEXTS.keyword },
      { authorization: DIFY_KEY, 'x-request-id': requestId, traceparent: client.traceparent },
    );
    emulator.clearFaults();
    expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    await receiver.waitForSpan((span) => span.name === 'query FailingRuns');

    const spans = spansOf(client.traceId);
    const [operation] = named(spans, 'query FailingRuns');
    expect(operation).toMatchObject({
      status: { code: STATUS_ERROR, message: 'UPSTREAM_ERROR' },
      attributes: { 'graphql.error.codes': ['UPSTREAM_ERROR'] },
      events: [
        {
          name: 'graphql.error',
          attributes: {
            'graphql.error.code': 'UPSTREAM_ERROR',
            'upstream.source': 'dify',
            'http.response.status_code': 500,
          },
        },
      ],
    });
    const attempts = named(spans, 'dify workflows.logs').sort(
      (a, b) => Number(a.attributes['upstream.attempt']) - Number(b.attributes['upstream.attempt']),
    );
    expect(attempts.map((span) => span.attributes['upstream.attempt'])).toEqual([1, 2, 3]);
    for (const span of attempts) {
      expect(descendsFrom(spans, span, operation!)).toBe(true);
      expect(span.status).toMatchObject({ code: STATUS_ERROR, message: 'UPSTREAM_ERROR' });
      expect(span.attributes).toMatchObject({
        'upstream.source': 'dify',
        'upstream.route': 'workflows.logs',
        'http.response.status_code': 500,
        'upstream.outcome': 'UPSTREAM_ERROR',
      });
    }
    expect(attempts[0]!.attributes['upstream.retry_wait_ms']).toBeGreaterThanOrEqual(0);
    expect(attempts[1]!.attributes['upstream.retry_wait_ms']).toBeGreaterThanOrEqual(0);
    expect(attempts[2]!.attributes).not.toHaveProperty('upstream.retry_wait_ms');

    const calls = emulator.calls({ route: 'workflows.logs' });
    const sent = calls.filter((call) => call.requestId === requestId);
    expect(sent.map((call) => parseTraceparent(call.traceparent).parentId)).toEqual(
      attempts.map((span) => span.spanId),
    );
    // The retries, and the failure the client got, were logged under the trace.
    const lines = logLinesOf(requestId);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line.traceId).toBe(client.traceId);
  });

  it.each(['distinct', 'single'] as const)(
    'traces a live tail (%s connection mode): a span for its upstream stream under the subscription, called off when its client leaves',
    async (mode) => {
      const client = clientTrace();
      const streamCalls = () =>
        emulator
          .calls({ route: 'logs.stream' })
          .filter((call) => parseTraceparent(call.traceparent).traceId === client.traceId);
      const sse = sseClient(gateway.url, mode, {
        authorization: FAL_KEY,
        traceparent: client.traceparent,
      });
      const received = subscribe(
        sse,
        'subscription TracedTail($filter: FalLogFilter) { falLogs(filter: $filter) { message } }',
        { filter: { search: `${FILTER_TEXTS.tailSearch}-${mode}` } },
        (data) => data,
      );
      await until(() => streamCalls().length === 1, 5_000, 'the upstream stream to open');
      received.dispose();
      sse.dispose();
      await receiver.waitForSpan(
        (span) => span.traceId === client.traceId && span.name === 'fal logs.stream',
      );
      await receiver.waitForSpan(
        (span) => span.traceId === client.traceId && span.name === 'subscription TracedTail',
      );

      const spans = spansOf(client.traceId);
      const [operation] = named(spans, 'subscription TracedTail');
      const [stream] = named(spans, 'fal logs.stream');
      expect(operation).toMatchObject({ parentSpanId: client.parentId, kind: SPAN_KIND.server });
      expect(childrenOf(spans, operation!).map((span) => span.name)).toContain('graphql.subscribe');
      expect(descendsFrom(spans, stream!, operation!)).toBe(true);
      expect(stream).toMatchObject({
        kind: SPAN_KIND.client,
        attributes: {
          'upstream.source': 'fal',
          'upstream.route': 'logs.stream',
          'http.response.status_code': 200,
          // Its subscriber left: the stream was called off, not failed.
          'upstream.outcome': 'aborted',
        },
      });
      expect(stream!.status.code).not.toBe(STATUS_ERROR);
      const [call] = streamCalls();
      expect(parseTraceparent(call!.traceparent)).toEqual({
        traceId: client.traceId,
        parentId: stream!.spanId,
      });
    },
  );

  it('exports no key, filter text or log line: not in any byte the exporter sent', async () => {
    // Stopping the gateway exports what it still held.
    await stopGatewayProcess(gateway.process, 'SIGTERM');
    expect(receiver.bodies.length).toBeGreaterThan(0);
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const exported = Buffer.concat(receiver.bodies);
    const secrets = [
      DEMO_KEYS.fal,
      DEMO_KEYS.dify,
      ...Object.values(FILTER_TEXTS),
      ...answeredMessages.filter((message) => message.length >= 16),
    ];
    expect(answeredMessages.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(exported.includes(secret)).toBe(false);
  });
});
