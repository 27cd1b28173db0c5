import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { legacyLogs } from './fal-legacy-support.js';
import type { LegacyLine } from './fal-legacy-support.js';
import {
  containing,
  DAY,
  FAL,
  FAL_OTHER,
  history,
  HOUR,
  micros,
  NOW,
  startTestEmulator,
  waitUntil,
} from './support.js';
import type { Params, WireLine } from './support.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterEach(() => {
  emulator.clearFaults();
  emulator.resetCalls();
});
afterAll(() => emulator.close());

const iso = (ms: number) => new Date(ms).toISOString();
const NAIVE_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

async function page(params: Params, body?: unknown): Promise<LegacyLine[]> {
  const answer = await legacyLogs(emulator, params, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

const messages = (lines: readonly LegacyLine[]) => lines.map((line) => line.message);

/** The stored lines of a tenant as v1 sends them, newest first, strictly inside (since, until). */
function storedBetween(since: number, until: number, tenant = 'demo'): WireLine[] {
  return emulator.fal
    .lines(tenant)
    .filter(
      (line) => micros(line.timestamp) > since * 1000 && micros(line.timestamp) < until * 1000,
    );
}

/** What a legacy line and a v1 line have in common, to compare the two APIs' answers. */
const essence = (line: WireLine) => ({
  micros: micros(line.timestamp),
  level: line.level,
  message: line.message,
  app: line.app,
  revision: line.revision,
});

describe('fal legacy logs: the route', () => {
  it('serves POST /logs/ at the root of its own server, and records the call', async () => {
    expect(emulator.falLegacyUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await legacyLogs(
      emulator,
      { limit: 2, app_id: 'llm-router' },
      {
        extra_filters: [{ key: 'fal_env', value: 'prod' }],
      },
    );
    expect(answer.status).toBe(200);
    expect(emulator.calls({ route: 'logs.legacy' })).toEqual([
      {
        source: 'fal',
        route: 'logs.legacy',
        method: 'POST',
        path: '/logs/',
        query: { limit: ['2'], app_id: ['llm-router'] },
        body: { extra_filters: [{ key: 'fal_env', value: 'prod' }] },
        authorization: FAL.authorization,
        requestId: undefined,
        status: 200,
      },
    ]);
  });

  it('redirects /logs to /logs/ with its query, as FastAPI does', async () => {
    const answer = await legacyLogs(emulator, { limit: 1 }, undefined, FAL, '/logs');
    expect(answer.status).toBe(307);
    expect(answer.headers.location).toBe('/logs/?limit=1');
  });

  it('answers other paths with 404 and other methods with 405, in the FastAPI envelope', async () => {
    const v1Path = await legacyLogs(emulator, {}, [], FAL, '/serverless/logs/history');
    expect(v1Path).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
    const get = await fetch(`${emulator.falLegacyUrl}/logs/`, { headers: FAL });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await get.json()).toEqual({ detail: expect.any(String) as unknown });
  });
});

describe('fal legacy logs: auth', () => {
  it.each([
    ['no Authorization header', {}, 'Not authenticated'],
    [
      'the wrong scheme',
      { authorization: `Bearer ${FAL.authorization.slice(4)}` },
      'Not authenticated',
    ],
    ['an unknown key', { authorization: 'Key nobody:nothing' }, 'Invalid API key'],
  ])('answers 401 {detail} for %s', async (_, headers, detail) => {
    const answer = await legacyLogs(emulator, {}, undefined, headers);
    expect(answer).toMatchObject({ status: 401, body: { detail } });
  });

  it.each([
    ['demo', FAL],
    ['other', FAL_OTHER],
  ])("shows the key's tenant (%s) the same lines as v1", async (tenant, headers) => {
    const window = { start: iso(NOW - 2 * HOUR), end: iso(NOW) };
    const v1 = await history(emulator, { ...window, limit: 1000 }, undefined, headers);
    const legacy = await legacyLogs(
      emulator,
      { since: iso(NOW - 2 * HOUR - 1), until: window.end, limit: 1000 },
      undefined,
      headers,
    );
    expect(v1.body.items.length).toBeGreaterThan(0);
    expect(v1.body.has_more).toBe(false);
    expect(legacy.body.map(essence)).toEqual(v1.body.items.map(essence));
    expect(legacy.body.map(essence)).toEqual(
      storedBetween(NOW - 2 * HOUR - 1, NOW, tenant).map(essence),
    );
  });
});

describe('fal legacy logs: the answer', () => {
  it('is a bare array of lines with naive UTC timestamps and legacy labels', async () => {
    const lines = await page({ limit: 300 });
    expect(lines.length).toBe(300);
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual([
        'app',
        'labels',
        'level',
        'message',
        'revision',
        'timestamp',
      ]);
      expect(line.timestamp).toMatch(NAIVE_MICROS);
      expect(line.labels).toMatchObject({
        app: line.app,
        app_id: line.revision,
        level: line.level,
        message: line.message,
        logged_at: `${line.timestamp}+00:00`,
        fal_user_nickname: 'acme',
        isolate_source: 'USER',
      });
      expect(line.labels).not.toHaveProperty('fal_app_name');
      expect(line.labels).not.toHaveProperty('fal_app_id');
    }
    const stored = emulator.fal.lines('demo').find((line) => line.labels.fal_request_id)!;
    const legacy = lines.find(
      (line) => line.labels.fal_request_id === stored.labels.fal_request_id,
    );
    expect(legacy?.labels).toMatchObject({
      fal_job_id: stored.labels.fal_job_id,
      fal_worker_id: stored.labels.fal_worker_id,
      fal_node_id: stored.labels.fal_node_id,
      fal_env: 'prod',
      source: stored.labels.source,
    });
  });

  it('writes microseconds as Python does: six digits, none on a whole second', async () => {
    emulator.fal.appendLines('demo', [
      { timestamp: '2031-01-01T00:00:01Z', message: 'whole second' },
      { timestamp: '2031-01-01T00:00:02.5Z', message: 'half second' },
      { timestamp: '2031-01-01T00:00:03.000007+00:00', message: 'seven micros' },
      { timestamp: '2031-01-01T02:00:04.599608+02:00', message: 'other zone' },
    ]);
    const lines = await page({ since: '2031-01-01', until: '2031-01-02' });
    expect(lines.map((line) => [line.timestamp, line.labels.logged_at, line.message])).toEqual([
      ['2031-01-01T00:00:04.599608', '2031-01-01T00:00:04.599608+00:00', 'other zone'],
      ['2031-01-01T00:00:03.000007', '2031-01-01T00:00:03.000007+00:00', 'seven micros'],
      ['2031-01-01T00:00:02.500000', '2031-01-01T00:00:02.500000+00:00', 'half second'],
      ['2031-01-01T00:00:01', '2031-01-01T00:00:01+00:00', 'whole second'],
    ]);
  });
});

describe('fal legacy logs: window, order and limit', () => {
  it('without bounds serves the newest lines up to now, 100 by default', async () => {
    const lines = await page({});
    expect(lines.map(essence)).toEqual(
      storedBetween(-Infinity, NOW + 1)
        .slice(0, 100)
        .map(essence),
    );
  });

  it('without since has no lower bound', async () => {
    const until = NOW - 20 * DAY;
    const expected = storedBetween(-Infinity, until);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(1000);
    expect((await page({ until: iso(until), limit: 1000 })).map(essence)).toEqual(
      expected.map(essence),
    );
  });

  it('excludes both bounds, to the microsecond', async () => {
    emulator.fal.appendLines(
      'demo',
      [1, 2, 3, 4].map((us) => ({
        timestamp: `2031-02-02T02:02:02.00000${us}Z`,
        message: `at ${us}`,
      })),
    );
    const between = (since: string, until: string) => page({ since, until }).then(messages);
    expect(await between('2031-02-02T02:02:02.000001Z', '2031-02-02T02:02:02.000004Z')).toEqual([
      'at 3',
      'at 2',
    ]);
    expect(await between('2031-02-02T02:02:02.000002Z', '2031-02-02T02:02:02.000003Z')).toEqual([]);
  });

  it('reads naive bounds as UTC and takes offsets and bare dates', async () => {
    emulator.fal.appendLines('demo', [
      { timestamp: '2031-02-03T10:00:00Z', message: 'ten' },
      { timestamp: '2031-02-03T11:00:00Z', message: 'eleven' },
    ]);
    const expected = ['eleven', 'ten'];
    for (const [since, until] of [
      ['2031-02-03T09:59:59.999999', '2031-02-03T11:00:00.000001'],
      ['2031-02-03T11:59:59.999999+02:00', '2031-02-03T06:00:00.000001-05:00'],
      ['2031-02-03', '2031-02-04'],
    ] as const) {
      expect(messages(await page({ since, until }))).toEqual(expected);
    }
  });

  it('keeps lines sharing a timestamp newest inserted first, the same order on every call', async () => {
    const burst = '2031-03-03T03:03:03.123456Z';
    emulator.fal.appendLines('demo', [
      { timestamp: '2031-03-03T03:03:02Z', message: 'before' },
      ...Array.from({ length: 30 }, (_, i) => ({ timestamp: burst, message: `burst ${i}` })),
      { timestamp: '2031-03-03T03:03:04Z', message: 'after' },
    ]);
    const window = { since: '2031-03-03', until: '2031-03-04' };
    const first = await page({ ...window, limit: 10 });
    expect(messages(first)).toEqual([
      'after',
      ...Array.from({ length: 9 }, (_, i) => `burst ${29 - i}`),
    ]);
    const below = await page({ since: window.since, until: burst, limit: 10 });
    expect(messages(below)).toEqual(['before']);
    const around = await page({
      since: '2031-03-03T03:03:03.123455Z',
      until: '2031-03-03T03:03:03.123457Z',
      limit: 1000,
    });
    expect(messages(around)).toEqual(Array.from({ length: 30 }, (_, i) => `burst ${29 - i}`));
    expect(around.slice(0, 9)).toEqual(first.slice(1));
  });

  it.each([1, 37, 1000])(
    'returns at most limit=%i lines, without saying whether more exist',
    async (limit) => {
      const lines = await page({ limit });
      expect(lines).toHaveLength(limit);
      expect(lines.map(essence)).toEqual(
        storedBetween(-Infinity, NOW + 1)
          .slice(0, limit)
          .map(essence),
      );
    },
  );
});

const RANK: Record<string, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warning: 3,
  error: 4,
  stdout: 5,
  stderr: 5,
};
const rank = (level: string) => RANK[level.toLowerCase()] ?? 2;

describe('fal legacy logs: filters', () => {
  const since = NOW - 3 * HOUR;
  const window = { since: iso(since), until: iso(NOW), limit: 1000 };
  const recent = () => storedBetween(since, NOW);
  const filtered = async (params: Params, keep: (line: WireLine) => boolean, body?: unknown) => {
    const expected = recent().filter(keep);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(1000);
    expect((await page({ ...window, ...params }, body)).map(essence)).toEqual(
      expected.map(essence),
    );
  };

  it("app_id takes an app's name; an owner/name matches nothing", async () => {
    const app = emulator.fal.apps('demo')[1]!;
    await filtered({ app_id: app.name }, (line) => line.app === app.name);
    expect(await page({ ...window, app_id: app.id })).toEqual([]);
  });

  it('revision, job_id and request_id match the line and its labels', async () => {
    const sample = recent().find((line) => line.labels.fal_request_id)!;
    await filtered({ revision: sample.revision }, (line) => line.revision === sample.revision);
    await filtered(
      { job_id: sample.labels.fal_job_id! },
      (line) => line.labels.fal_job_id === sample.labels.fal_job_id,
    );
    await filtered(
      { request_id: sample.labels.fal_request_id! },
      (line) => line.labels.fal_request_id === sample.labels.fal_request_id,
    );
  });

  it('search matches message substrings case-insensitively', async () => {
    await filtered({ search: 'HEARTBEAT' }, (line) =>
      line.message.toLowerCase().includes('heartbeat'),
    );
  });

  it.each(['DEBUG', 'INFO', 'WARNING', 'ERROR'])(
    'level=%s is a minimum; stdout and stderr pass every one',
    async (level) => {
      await filtered({ level }, (line) => rank(line.level) >= rank(level));
    },
  );

  it('ranks a level it does not know as INFO', async () => {
    const search = 'configuration reloaded';
    await filtered({ level: 'INFO', search }, (line) => line.message.includes(search));
    expect(await page({ ...window, level: 'WARNING', search })).toEqual([]);
  });

  it('adds the traceback label to error lines only when asked', async () => {
    const params = { level: 'ERROR', search: 'request failed' };
    const plain = await page({ ...window, ...params });
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.some((line) => 'traceback' in line.labels)).toBe(false);
    for (const traceback of ['true', 'yes', '1']) {
      const lines = await page({ ...window, ...params, traceback });
      expect(lines.map((line) => line.labels.traceback)).toEqual(
        plain.map(() => containing('Traceback (most recent call last):')),
      );
    }
    const info = await page({ ...window, search: 'request completed', traceback: 'true' });
    expect(info.some((line) => 'traceback' in line.labels)).toBe(false);
  });

  it('extra_filters match legacy labels for equality, every one', async () => {
    const sample = recent().find((line) => line.labels.fal_request_id)!;
    await filtered(
      {},
      (line) => line.revision === sample.revision && line.labels.source === 'gateway',
      {
        extra_filters: [
          { key: 'app_id', value: sample.revision },
          { key: 'source', value: 'gateway' },
        ],
      },
    );
    await filtered({}, (line) => line.app === sample.app, {
      extra_filters: [{ key: 'app', value: sample.app }],
    });
    const v1Names = { extra_filters: [{ key: 'fal_app_name', value: sample.app }] };
    expect(await page(window, v1Names)).toEqual([]);
  });

  it('ignores fields a label filter does not have, such as a v1 condition_type', async () => {
    const equals = await page(window, { extra_filters: [{ key: 'source', value: 'cron' }] });
    const notEquals = await page(window, {
      extra_filters: [{ key: 'source', value: 'cron', condition_type: 'not_equals' }],
    });
    expect(notEquals).toEqual(equals);
  });

  it('ignores query parameters it does not have, such as v1 run_source', async () => {
    const params = { ...window, limit: 50 };
    expect(await page({ ...params, run_source: 'cron' })).toEqual(await page(params));
  });

  it.each<[string, unknown]>([
    ['no body', undefined],
    ['an empty body', ''],
    ['{}', {}],
    ['null extra_filters', { extra_filters: null }],
    ['empty extra_filters', { extra_filters: [] }],
  ])('takes %s as no label filter', async (_, body) => {
    expect(await page({ limit: 5 }, body)).toEqual(await page({ limit: 5 }));
  });
});

describe('fal legacy logs: validation (FastAPI 422)', () => {
  it.each<[string, Params, string, string]>([
    ['limit', { limit: 'ten' }, 'value is not a valid integer', 'type_error.integer'],
    [
      'limit',
      { limit: 0 },
      'ensure this value is greater than or equal to 1',
      'value_error.number.not_ge',
    ],
    [
      'limit',
      { limit: 1001 },
      'ensure this value is less than or equal to 1000',
      'value_error.number.not_le',
    ],
    ['since', { since: 'yesterday' }, 'invalid datetime format', 'value_error'],
    ['until', { until: '2025-13-01' }, 'invalid datetime format', 'value_error'],
    ['until', { until: '1717243200' }, 'invalid datetime format', 'value_error'],
    [
      'traceback',
      { traceback: 'maybe' },
      'value could not be parsed to a boolean',
      'type_error.bool',
    ],
    [
      'level',
      { level: 'TRACE' },
      "value is not a valid enumeration member; permitted: 'DEBUG', 'INFO', 'WARNING', 'ERROR'",
      'type_error.enum',
    ],
  ])('rejects a bad %s, naming it in loc', async (name, params, msg, type) => {
    const answer = await legacyLogs(emulator, params);
    expect(answer).toMatchObject({
      status: 422,
      body: { detail: [{ loc: ['query', name], msg, type }] },
    });
  });

  it('lists every bad value at once, query and body', async () => {
    const answer = await legacyLogs(
      emulator,
      { limit: 0, since: 'soon', level: 'loud' },
      {
        extra_filters: [{ key: 'fal_env' }],
      },
    );
    expect(answer.status).toBe(422);
    expect(
      (answer.body as unknown as { detail: { loc: unknown[] }[] }).detail.map((e) => e.loc),
    ).toEqual([
      ['query', 'limit'],
      ['query', 'since'],
      ['query', 'level'],
      ['body', 'extra_filters', 0, 'value'],
    ]);
  });

  it.each<[string, unknown, (string | number)[], string, string]>([
    ['not JSON', '{"extra_filters": [', ['body'], 'invalid JSON', 'value_error.jsondecode'],
    [
      'a bare array (the v1 body)',
      [{ key: 'fal_env', value: 'prod' }],
      ['body'],
      'value is not a valid dict',
      'type_error.dict',
    ],
    [
      'extra_filters not a list',
      { extra_filters: { key: 'fal_env', value: 'prod' } },
      ['body', 'extra_filters'],
      'value is not a valid list',
      'type_error.list',
    ],
    [
      'a filter without a key',
      { extra_filters: [{ value: 'prod' }] },
      ['body', 'extra_filters', 0, 'key'],
      'field required',
      'value_error.missing',
    ],
    [
      'a list value (v1 `in`)',
      { extra_filters: [{ key: 'fal_env', value: ['prod'] }] },
      ['body', 'extra_filters', 0, 'value'],
      'str type expected',
      'type_error.str',
    ],
  ])('rejects a body that is %s', async (_, body, loc, msg, type) => {
    const answer = await legacyLogs(emulator, {}, body);
    expect(answer).toEqual({
      status: 422,
      headers: expect.anything() as unknown,
      body: { detail: [{ loc, msg, type }] },
    });
  });
});

describe('fal legacy logs: a label key given twice (400)', () => {
  it('answers 400 naming the key', async () => {
    const answer = await legacyLogs(
      emulator,
      {},
      {
        extra_filters: [
          { key: 'fal_env', value: 'prod' },
          { key: 'source', value: 'gateway' },
          { key: 'fal_env', value: 'staging' },
        ],
      },
    );
    expect(answer).toMatchObject({
      status: 400,
      body: { detail: 'Duplicate label key found: fal_env' },
    });
  });

  it('is checked after validation', async () => {
    const twice = [
      { key: 'fal_env', value: 'prod' },
      { key: 'fal_env', value: 'prod' },
    ];
    const answer = await legacyLogs(emulator, { limit: 0 }, { extra_filters: twice });
    expect(answer.status).toBe(422);
  });
});

describe('fal legacy logs: faults', () => {
  it('answers a fault status in the FastAPI envelope, on its own route only', async () => {
    emulator.setFault('logs.legacy', { status: 503 });
    expect(await legacyLogs(emulator)).toMatchObject({
      status: 503,
      body: { detail: 'Service Unavailable' },
    });
    expect((await history(emulator)).status).toBe(200);
  });

  it('429 carries Retry-After', async () => {
    emulator.setFault('logs.legacy', { status: 429, retryAfterSeconds: 4, times: 1 });
    const answer = await legacyLogs(emulator);
    expect(answer).toMatchObject({ status: 429, body: { detail: 'Too Many Requests' } });
    expect(answer.headers['retry-after']).toBe('4');
    expect((await legacyLogs(emulator)).status).toBe(200);
  });

  it('malformedBody answers lines missing their fields', async () => {
    emulator.setFault('logs.legacy', { malformedBody: true, times: 1 });
    expect(await legacyLogs(emulator)).toMatchObject({
      status: 200,
      body: [{ message: 'cut short' }],
    });
  });

  it('resetMidBody cuts the answer and the connection', async () => {
    emulator.setFault('logs.legacy', { resetMidBody: true, times: 1 });
    await expect(legacyLogs(emulator)).rejects.toThrow();
    expect(emulator.calls()).toEqual([
      expect.objectContaining({ route: 'logs.legacy', status: 200 }),
    ]);
  });

  it('latency and hang delay the answer', async () => {
    emulator.setFault('logs.legacy', { latencyMs: 150, times: 1 });
    const started = performance.now();
    expect((await legacyLogs(emulator, { limit: 1 })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);

    emulator.setFault('logs.legacy', { hang: true, times: 1 });
    const abort = new AbortController();
    const hung = fetch(`${emulator.falLegacyUrl}/logs/`, {
      method: 'POST',
      headers: FAL,
      signal: abort.signal,
    });
    await waitUntil(() => emulator.inFlight() === 1);
    abort.abort();
    await expect(hung).rejects.toThrow();
  });
});
