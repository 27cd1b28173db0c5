import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_KEYS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { parseInstant, type Instant } from '../../src/time.js';
import { UpstreamError } from '../../src/errors.js';
import { FalLegacyClient } from '../../src/upstreams/fal-legacy/client.js';
import type { FalLegacyLogLine } from '../../src/upstreams/fal-legacy/types.js';

const AUTHORIZATION = `Key ${DEMO_KEYS.fal}`;

let emulator: Emulator;
let client: FalLegacyClient;

beforeAll(async () => {
  emulator = await startEmulator({ seed: 7, scale: 0.05 });
  const config = loadConfig({
    FAL_LEGACY_API_URL: emulator.falLegacyUrl,
    UPSTREAM_RETRY_BASE_MS: '10',
    LOG_LEVEL: 'silent',
  });
  client = new FalLegacyClient(config.falLegacyApiUrl, config.upstream);
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});

const instant = (text: string): Instant => parseInstant(text)!;
const messages = (lines: readonly FalLegacyLogLine[]) => lines.map((line) => line.message);

describe('FalLegacyClient.logs', () => {
  it('sends every parameter as the upstream names it, with the key and the request id', async () => {
    await client.logs(
      AUTHORIZATION,
      {
        limit: 10,
        since: instant('2031-01-01T00:00:00.000001Z'),
        until: instant('2031-01-02T00:00:00Z'),
        appName: 'llm-router',
        revision: 'rev-1',
        traceback: true,
        search: 'model inference',
        level: 'WARNING',
        jobId: 'job-1',
        requestId: 'req-1',
        labels: [
          { key: 'fal_env', value: 'prod' },
          { key: 'source', value: 'gateway' },
        ],
      },
      { requestId: 'gateway-req-1' },
    );
    expect(emulator.calls()).toEqual([
      {
        source: 'fal',
        route: 'logs.legacy',
        method: 'POST',
        path: '/logs/',
        query: {
          limit: ['10'],
          since: ['2031-01-01T00:00:00.000001Z'],
          until: ['2031-01-02T00:00:00.000Z'],
          app_id: ['llm-router'],
          revision: ['rev-1'],
          traceback: ['true'],
          search: ['model inference'],
          level: ['WARNING'],
          job_id: ['job-1'],
          request_id: ['req-1'],
        },
        body: {
          extra_filters: [
            { key: 'fal_env', value: 'prod' },
            { key: 'source', value: 'gateway' },
          ],
        },
        authorization: AUTHORIZATION,
        requestId: 'gateway-req-1',
        status: 200,
      },
    ]);
  });

  it('sends only the limit and an empty filter list when nothing else is asked', async () => {
    const lines = await client.logs(AUTHORIZATION, { limit: 3 });
    expect(lines).toHaveLength(3);
    expect(emulator.calls()[0]).toMatchObject({
      query: { limit: ['3'] },
      body: { extra_filters: [] },
    });
  });

  it('parses the naive microsecond timestamps as UTC instants, and keeps the legacy labels', async () => {
    emulator.fal.appendLines('demo', [
      { timestamp: '2032-02-02T10:00:00Z', message: 'whole second' },
      { timestamp: '2032-02-02T10:00:01.599608Z', message: 'micros' },
    ]);
    const lines = await client.logs(AUTHORIZATION, {
      limit: 10,
      since: instant('2032-02-02T00:00:00Z'),
      until: instant('2032-02-03T00:00:00Z'),
    });
    expect(emulator.calls({ route: 'logs.legacy' })).toHaveLength(1);
    expect(lines.map((line) => [line.timestamp, line.message])).toEqual([
      [
        {
          micros: Date.parse('2032-02-02T10:00:01Z') * 1000 + 599_608,
          iso: '2032-02-02T10:00:01.599608Z',
        },
        'micros',
      ],
      [
        { micros: Date.parse('2032-02-02T10:00:00Z') * 1000, iso: '2032-02-02T10:00:00.000Z' },
        'whole second',
      ],
    ]);
    expect(lines[0]!.labels).toMatchObject({
      app: lines[0]!.app,
      app_id: lines[0]!.revision,
      logged_at: '2032-02-02T10:00:01.599608+00:00',
    });
  });

  it('makes a walk over a burst of one timestamp larger than a page possible', async () => {
    const burst = '2033-03-03T03:03:03.123456Z';
    emulator.fal.appendLines('demo', [
      ...[1, 2, 3].map((s) => ({ timestamp: `2033-03-03T03:03:0${s}Z`, message: `before ${s}` })),
      ...Array.from({ length: 25 }, (_, i) => ({ timestamp: burst, message: `burst ${i}` })),
      ...[5, 6, 7].map((s) => ({ timestamp: `2033-03-03T03:03:0${s}Z`, message: `after ${s}` })),
    ]);
    const window = {
      since: instant('2033-03-03T00:00:00Z'),
      until: instant('2033-03-04T00:00:00Z'),
    };
    const stored = emulator.fal
      .lines('demo')
      .filter((line) => line.timestamp.startsWith('2033-03-03'))
      .map((line) => line.message);
    expect(stored).toHaveLength(31);

    const first = await client.logs(AUTHORIZATION, { ...window, limit: 10 });
    expect(messages(first)).toEqual(stored.slice(0, 10));
    const boundary = first.at(-1)!.timestamp;
    expect(boundary.iso).toBe(burst);

    // `until` at the boundary alone would lose the 18 burst lines the first page did not hold.
    const older = await client.logs(AUTHORIZATION, { ...window, until: boundary, limit: 10 });
    expect(messages(older)).toEqual(['before 3', 'before 2', 'before 1']);

    // A window of one microsecond around the boundary reads the whole burst again (the
    // emulator keeps one order among its lines), so the lines already handed out can be skipped.
    const atBoundary = await client.logs(AUTHORIZATION, {
      since: instant('2033-03-03T03:03:03.123455Z'),
      until: instant('2033-03-03T03:03:03.123457Z'),
      limit: 1000,
    });
    expect(atBoundary).toHaveLength(25);
    const handedOut = first.filter((line) => line.timestamp.micros === boundary.micros);
    expect(atBoundary.slice(0, handedOut.length)).toEqual(handedOut);

    const walked = [...first, ...atBoundary.slice(handedOut.length), ...older].map(
      (line) => line.message,
    );
    expect(walked).toEqual(stored);
  });
});

describe('FalLegacyClient errors', () => {
  async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }

  it('maps a 422 to BAD_USER_INPUT, naming the value the upstream refused', async () => {
    const error = await failure(client.logs(AUTHORIZATION, { limit: 5000 }));
    expect(error.details).toMatchObject({
      code: 'BAD_USER_INPUT',
      source: 'fal',
      upstreamStatus: 422,
    });
    expect(error.message).toBe('fal: query.limit: ensure this value is less than or equal to 1000');
    expect(emulator.calls()).toHaveLength(1);
  });

  it('maps the 400 for a label key given twice to BAD_USER_INPUT with its text', async () => {
    const error = await failure(
      client.logs(AUTHORIZATION, {
        limit: 5,
        labels: [
          { key: 'fal_env', value: 'prod' },
          { key: 'fal_env', value: 'staging' },
        ],
      }),
    );
    expect(error.details).toMatchObject({ code: 'BAD_USER_INPUT', upstreamStatus: 400 });
    expect(error.message).toBe('fal: Duplicate label key found: fal_env');
  });

  it('maps a refused key to UNAUTHENTICATED without echoing the key', async () => {
    const key = 'Key nobody:secret-that-must-not-leak';
    const error = await failure(client.logs(key, { limit: 5 }));
    expect(error.details).toMatchObject({ code: 'UNAUTHENTICATED', upstreamStatus: 401 });
    expect(error.message).toBe('fal: Invalid API key');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      'secret-that-must-not-leak',
    );
    expect(emulator.calls()[0]?.authorization).toBe(key);
  });

  it.each([
    [403, 'FORBIDDEN', 'fal: Forbidden'],
    [404, 'NOT_FOUND', 'fal: Not Found'],
  ])('maps a %i to %s', async (status, code, message) => {
    emulator.setFault('logs.legacy', { status, times: 1 });
    const error = await failure(client.logs(AUTHORIZATION, { limit: 5 }));
    expect(error.details).toMatchObject({ code, upstreamStatus: status });
    expect(error.message).toBe(message);
  });

  it('retries a passing 503 and hands back the lines', async () => {
    emulator.setFault('logs.legacy', { status: 503, times: 1 });
    expect(await client.logs(AUTHORIZATION, { limit: 2 })).toHaveLength(2);
    expect(emulator.calls().map((call) => call.status)).toEqual([503, 200]);
  });

  it('gives RATE_LIMITED with retryAfter when asked to wait long', async () => {
    emulator.setFault('logs.legacy', { status: 429, retryAfterSeconds: 60, times: 1 });
    const error = await failure(client.logs(AUTHORIZATION, { limit: 2 }));
    expect(error.details).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60 });
    expect(emulator.calls()).toHaveLength(1);
  });

  it('gives UPSTREAM_ERROR for lines missing their fields', async () => {
    emulator.setFault('logs.legacy', { malformedBody: true, times: 1 });
    const error = await failure(client.logs(AUTHORIZATION, { limit: 2 }));
    expect(error.details).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 200 });
  });
});
