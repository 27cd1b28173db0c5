import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, Route } from '../../src/emulator/index.js';
import {
  DAY,
  FAL,
  FAL_OTHER,
  HOUR,
  NOW,
  call,
  history,
  openStream,
  queryString,
  startTestEmulator,
} from '../emulator/support.js';
import type { Answer, Params } from '../emulator/support.js';
import {
  at,
  falSpec,
  operation,
  parameterSchema,
  problems,
  responseSchema,
  strict,
  validator2020,
} from './openapi.js';

const HISTORY = '/serverless/logs/history';
const STREAM = '/serverless/logs/stream';
const REQUESTS = '/serverless/requests/by-endpoint';
const APPS = '/serverless/apps';
/** The routes whose parameters the emulator can reject. */
const VALIDATING_ROUTES = [
  [HISTORY, 'post'],
  [STREAM, 'post'],
  [REQUESTS, 'get'],
] as const;
const ROUTES = [...VALIDATING_ROUTES, [APPS, 'get']] as const;
const ROUTE_NAMES: Record<(typeof ROUTES)[number][0], Route> = {
  [HISTORY]: 'logs.history',
  [STREAM]: 'logs.stream',
  [REQUESTS]: 'requests.byEndpoint',
  [APPS]: 'apps.list',
};

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator.close());

const iso = (ms: number) => new Date(ms).toISOString();

function expectValid(validate: ReturnType<typeof validator2020>, body: unknown) {
  expect(validate(body), problems(validate)).toBe(true);
}

const EXPANSIONS = ['json_input', 'json_output', 'billable_units'];
const historySchema = responseSchema(falSpec, HISTORY, 'post', 200);
const historyPage = [validator2020(historySchema), validator2020(strict(historySchema))];
const historyItem = [
  at(historySchema, '/properties/items/items'),
  strict(at(historySchema, '/properties/items/items')),
].map((schema) => validator2020(schema));
const requestsSchema = responseSchema(falSpec, REQUESTS, 'get', 200);
const requestsPage = [
  validator2020(requestsSchema),
  validator2020(strict(requestsSchema, EXPANSIONS)),
];

const appsSchema = responseSchema(falSpec, APPS, 'get', 200);
const appsList = validator2020(appsSchema);
const appsListWithout = (optional: string[]) => validator2020(strict(appsSchema, optional));

function requests(params: Params) {
  return call(`${emulator.falUrl}${REQUESTS}${queryString(params)}`, { headers: FAL });
}

function apps(params: Params, headers: Record<string, string> = FAL) {
  return call(`${emulator.falUrl}${APPS}${queryString(params)}`, { headers });
}

describe('fal 200 responses match the spec (as published, and with every documented field)', () => {
  it.each<[string, Params, unknown]>([
    ['the default window', {}, undefined],
    [
      'tracebacks at a minimum level',
      { level: 'error', traceback: 'true', limit: 1000 },
      undefined,
    ],
    [
      'label conditions',
      { limit: 500 },
      [{ key: 'source', value: ['gateway', 'cron'], condition_type: 'in' }],
    ],
    [
      'an older window',
      { start: iso(NOW - 90 * DAY), end: iso(NOW - DAY), limit: 1000 },
      undefined,
    ],
    ['an empty window', { start: '2020-01-01', end: '2020-01-02' }, undefined],
  ])('logs history with %s', async (_, params, body) => {
    const answer = await history(emulator, params, body);
    expect(answer.status).toBe(200);
    for (const validate of historyPage) expectValid(validate, answer.body);
  });

  it('logs stream: an event stream whose JSON data are history items', async () => {
    const declared = at(operation(falSpec, STREAM, 'post'), '/responses/200/content') as object;
    expect(Object.keys(declared)).toEqual(['text/event-stream']);
    const stream = await openStream(emulator, {
      start: iso(NOW - 2 * HOUR),
      end: iso(NOW - HOUR),
      traceback: 'true',
    });
    await stream.ended;
    expect(stream.lines().length).toBeGreaterThan(50);
    for (const line of stream.lines())
      for (const validate of historyItem) expectValid(validate, line);
  });

  it.each<[string, Params]>([
    ['no expansion', {}],
    ['both expansions', { expand: ['payloads', 'billing'], limit: 100 }],
    ['duration order', { sort_by: 'duration', expand: 'billing', limit: 100 }],
    ['a status filter', { status: 'error', expand: 'payloads' }],
  ])('requests by endpoint with %s', async (_, params) => {
    for (const app of emulator.fal.apps('demo')) {
      const answer = await requests({ endpoint_id: app.id, ...params });
      expect(answer.status).toBe(200);
      for (const validate of requestsPage) expectValid(validate, answer.body);
    }
  });

  it('requests by endpoint for a request found through the 90-day widening', async () => {
    const old = emulator.fal
      .requests('demo')
      .find((record) => Date.parse(record.sent_at) < NOW - DAY)!;
    const answer = await requests({
      endpoint_id: old.endpoint_id,
      request_id: old.request_id,
      expand: 'payloads,billing',
    });
    expect(answer.body).toMatchObject({ items: [{ request_id: old.request_id }] });
    for (const validate of requestsPage) expectValid(validate, answer.body);
  });

  it.each<[string, Params, Record<string, string>, string[]]>([
    ['no parameter', {}, FAL, ['endpoints']],
    ['the route-level endpoints', { expand: 'endpoints' }, FAL, []],
    ['a search and an environment', { search: 'LoRA', environment: 'main' }, FAL, ['endpoints']],
    ['the other key', { expand: ['endpoints'] }, FAL_OTHER, []],
    ['an environment without apps', { environment: 'staging' }, FAL, ['endpoints']],
  ])('apps list with %s', async (_, params, headers, optional) => {
    const answer = await apps(params, headers);
    expect(answer.status).toBe(200);
    expectValid(appsList, answer.body);
    expectValid(appsListWithout(optional), answer.body);
  });
});

describe('fal error envelopes match the spec', () => {
  const declaredErrors = ROUTES.flatMap(([path, method]) =>
    Object.keys(at(operation(falSpec, path, method), '/responses') as object)
      .filter((status) => status !== '200')
      .map((status) => responseSchema(falSpec, path, method, Number(status))),
  );

  it('declares one envelope for every error of these routes', () => {
    expect(declaredErrors.length).toBeGreaterThan(5);
    for (const schema of declaredErrors) expect(schema).toEqual(declaredErrors[0]);
  });

  /** The route's own schema for the status, or the shared envelope where it declares none. */
  function errorValidator(path: string, method: string, status: number) {
    const responses = at(operation(falSpec, path, method), '/responses') as Record<string, unknown>;
    return validator2020(
      responses[status] ? responseSchema(falSpec, path, method, status) : declaredErrors[0]!,
    );
  }

  const TYPES: Record<number, string> = {
    400: 'validation_error',
    401: 'authorization_error',
    403: 'authorization_error',
    429: 'rate_limited',
    500: 'server_error',
    502: 'server_error',
    503: 'server_error',
  };

  function expectEnvelopes(path: string, method: string, answers: Map<number, Answer>) {
    for (const [status, answer] of answers) {
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expectValid(errorValidator(path, method, status), answer.body);
      expect(answer.body).toMatchObject({ error: { type: TYPES[status] } });
    }
  }

  it.each(VALIDATING_ROUTES)('%s %s: 400, 401, 429, 500, 502, 503', async (path, method) => {
    const url = `${emulator.falUrl}${path}`;
    const send = (query: Params, headers: Record<string, string> = FAL) =>
      call(`${url}${queryString({ endpoint_id: 'acme/x', ...query })}`, {
        method: method === 'post' ? 'POST' : 'GET',
        headers,
      });
    const answers = new Map([
      [400, await send({ limit: 0, start: 'soon' })],
      [401, await send({}, {})],
    ]);
    for (const status of [429, 500, 502, 503]) {
      emulator.setFault(ROUTE_NAMES[path], { status, retryAfterSeconds: 2, times: 1 });
      answers.set(status, await send({}));
    }
    expectEnvelopes(path, method, answers);
  });

  it(`${APPS} get: 401, and every declared error status as a fault`, async () => {
    const answers = new Map([[401, await apps({}, { authorization: 'Key nobody:nothing' })]]);
    for (const status of [400, 403, 429, 500, 502, 503]) {
      emulator.setFault('apps.list', { status, retryAfterSeconds: 2, times: 1 });
      answers.set(status, await apps({ expand: 'endpoints' }));
    }
    expectEnvelopes(APPS, 'get', answers);
  });
});

describe('fal contract checks are discriminating', () => {
  it('a malformedBody fault breaks the contract', async () => {
    emulator.setFault('logs.history', { malformedBody: true, times: 1 });
    emulator.setFault('requests.byEndpoint', { malformedBody: true, times: 1 });
    emulator.setFault('apps.list', { malformedBody: true, times: 1 });
    const historyAnswer = await history(emulator);
    const requestsAnswer = await requests({ endpoint_id: 'acme/flux-studio' });
    const appsAnswer = await apps({});
    for (const validate of historyPage) expect(validate(historyAnswer.body)).toBe(false);
    for (const validate of requestsPage) expect(validate(requestsAnswer.body)).toBe(false);
    expect(appsList(appsAnswer.body)).toBe(false);
  });
});

/** Accepted iff the spec's parameter schema accepts it (query strings coerced as a server would). */
describe('fal accepts exactly the parameter values the spec allows', () => {
  const DATES = [
    '2025-05-01T00:00:00Z',
    '2025-05-01',
    '2025-05-01T00:00:00.123456+02:00',
    '2025-05-01 00:00:00z',
    '2025-05-01T00:00:00+0200',
    '2025-05-01T00:00:00',
    '2025-05-01T00:00Z',
    'yesterday',
    '1746057600',
  ];
  const PROBES: [path: string, method: 'get' | 'post', name: string, values: string[]][] = [
    [HISTORY, 'post', 'limit', ['1', '100', '1000', '0', '1001', 'ten', '-5']],
    [HISTORY, 'post', 'start', DATES],
    [HISTORY, 'post', 'end', DATES],
    [HISTORY, 'post', 'run_source', ['grpc-run', 'grpc-register', 'gateway', 'cron', 'cli']],
    [HISTORY, 'post', 'traceback', ['true', 'false', 'maybe']],
    [STREAM, 'post', 'start', DATES],
    [STREAM, 'post', 'run_source', ['gateway', 'cli']],
    [STREAM, 'post', 'traceback', ['true', 'maybe']],
    [REQUESTS, 'get', 'limit', ['1', '50', '100', '0', '101', 'x']],
    [REQUESTS, 'get', 'start', DATES],
    [REQUESTS, 'get', 'end', DATES],
    [REQUESTS, 'get', 'status', ['success', 'error', 'user_error', 'ok']],
    [REQUESTS, 'get', 'sort_by', ['ended_at', 'duration', 'started_at']],
    [
      REQUESTS,
      'get',
      'request_id',
      [
        'a1b2c3d4-e5f6-7890-abcd-ef1234567890',
        'A1B2C3D4-E5F6-7890-ABCD-EF1234567890',
        'req_abc123',
      ],
    ],
    [APPS, 'get', 'environment', ['main', 'staging', '']],
    [APPS, 'get', 'search', ['flux', 'FLUX', '', '%']],
    [APPS, 'get', 'expand', ['endpoints', 'everything', '']],
  ];

  it.each(PROBES)('%s %s %s', async (path, method, name, values) => {
    const schema = parameterSchema(falSpec, path, method, name);
    const validate = validator2020(
      { type: 'object', properties: { value: schema } },
      { coerce: true },
    );
    for (const value of values) {
      const query: Params = { [name]: value };
      if (path === REQUESTS) query.endpoint_id = 'acme/flux-studio';
      if (path === STREAM && name !== 'end') query.end = iso(NOW - 23 * HOUR);
      if (path === STREAM && name === 'start') query.end = '2025-05-01T00:00:01Z';
      const answer = await call(`${emulator.falUrl}${path}${queryString(query)}`, {
        method: method === 'post' ? 'POST' : 'GET',
        headers: FAL,
      });
      const allowed = validate({ value });
      expect({ name, value, status: answer.status }).toEqual({
        name,
        value,
        status: allowed ? 200 : 400,
      });
    }
  });

  it.each([HISTORY, STREAM])('%s: label-filter bodies', async (path) => {
    const schema = at(
      operation(falSpec, path, 'post'),
      '/requestBody/content/application~1json/schema',
    );
    const validate = validator2020(schema);
    const bodies: unknown[] = [
      [],
      [{ key: 'fal_env', value: 'prod' }],
      [{ key: 'fal_request_id', value: ['a', 'b'], condition_type: 'in' }],
      [{ key: 'source', value: 'cron', condition_type: 'not_equals' }],
      [{ key: 'fal_worker_id', value: ['w'], condition_type: 'not_in' }],
      [{ key: 'fal_env' }],
      [{ value: 'prod' }],
      [{ key: 'fal_env', value: 'prod', extra: true }],
      [{ key: 'fal_env', value: 1 }],
      [{ key: 'fal_env', value: 'prod', condition_type: 'like' }],
      { key: 'fal_env', value: 'prod' },
      'fal_env=prod',
    ];
    for (const body of bodies) {
      const answer = await call(
        `${emulator.falUrl}${path}${queryString({ end: iso(NOW - 23 * HOUR) })}`,
        {
          method: 'POST',
          headers: FAL,
          body: JSON.stringify(body),
        },
      );
      expect({ body, status: answer.status }).toEqual({ body, status: validate(body) ? 200 : 400 });
    }
  });
});
