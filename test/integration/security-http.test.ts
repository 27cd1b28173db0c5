import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { FalClient } from '../../src/upstreams/fal/client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const FAL_LOGS = '{ falLogs(first: 1) { edges { cursor } } }';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      CORS_ORIGINS: 'https://app.example.com, https://ops.example.com',
      MAX_BODY_BYTES: '4096',
    },
  });
});
afterAll(() => stack.close());
afterEach(() => {
  stack.emulator.resetCalls();
  vi.restoreAllMocks();
});

async function send(
  url: string,
  init: {
    method?: 'GET' | 'POST' | 'OPTIONS';
    headers?: Record<string, string>;
    body?: string | Readable;
  } = {},
) {
  const response = await request(url, init);
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    json: () =>
      JSON.parse(text) as {
        data?: unknown;
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      },
  };
}

const getQuery = (query: string, headers: Record<string, string>) =>
  send(`${stack.url}/graphql?query=${encodeURIComponent(query)}`, {
    headers: { accept: 'application/json', ...FAL_AUTH, ...headers },
  });

const postQuery = (contentType: string, body: string, headers: Record<string, string> = {}) =>
  send(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': contentType, ...FAL_AUTH, ...headers },
    body,
  });

describe('CSRF prevention', () => {
  it.each([
    ['a GET with no header to prove it comes from a client', () => getQuery(FAL_LOGS, {})],
    ['a text/plain POST', () => postQuery('text/plain', JSON.stringify({ query: FAL_LOGS }))],
    [
      'a form POST',
      () => postQuery('application/x-www-form-urlencoded', `query=${encodeURIComponent(FAL_LOGS)}`),
    ],
    [
      'a multipart POST',
      () =>
        postQuery(
          'multipart/form-data; boundary=x',
          `--x\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: FAL_LOGS })}\r\n--x--\r\n`,
        ),
    ],
  ])('refuses what a cross-site page could send without a preflight: %s', async (_, sendIt) => {
    const response = await sendIt();
    expect(response.status).toBe(403);
    expect(response.json().errors).toEqual([
      { message: expect.stringMatching(/CSRF/) as string, extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    expect(stack.emulator.calls()).toEqual([]);
  });

  it.each([
    ['Yoga’s x-graphql-yoga-csrf', { 'x-graphql-yoga-csrf': '1' }],
    ['Apollo’s apollo-require-preflight', { 'apollo-require-preflight': 'true' }],
    ['Apollo iOS and Kotlin’s x-apollo-operation-name', { 'x-apollo-operation-name': 'Page' }],
    [
      'a JSON content type, as Apollo Client sends on GET too',
      { 'content-type': 'application/json' },
    ],
  ])('answers a GET that carries %s', async (_, headers) => {
    const response = await getQuery(FAL_LOGS, headers);
    expect(response.status).toBe(200);
    expect(response.json().errors).toBeUndefined();
  });

  it('answers JSON POSTs, as GraphiQL, Apollo Client and graphql-sse send them', async () => {
    const response = await postQuery(
      'application/json; charset=utf-8',
      JSON.stringify({ query: FAL_LOGS }),
    );
    expect(response.status).toBe(200);
    expect(response.json().errors).toBeUndefined();
  });
});

describe('CORS with an allow-list (CORS_ORIGINS)', () => {
  const fromOrigin = (origin: string) =>
    postQuery('application/json', JSON.stringify({ query: '{ __typename }' }), { origin });

  it('lets an allowed origin read the response and its request id, without cookies', async () => {
    const response = await fromOrigin('https://ops.example.com');
    expect(response.headers['access-control-allow-origin']).toBe('https://ops.example.com');
    expect(response.headers.vary).toMatch(/Origin/);
    expect(response.headers['access-control-expose-headers']).toMatch(/x-request-id/);
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it.each(['https://evil.example.com', 'null', 'https://app.example.com.evil.example'])(
    'gives a refused origin no CORS headers: %s',
    async (origin) => {
      const response = await fromOrigin(origin);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  const preflight = (origin: string) =>
    send(`${stack.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-fal-authorization, x-dify-authorization',
      },
    });

  it('answers the preflight of an allowed origin with the method and headers it asked for', async () => {
    const response = await preflight('https://app.example.com');
    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    expect(response.headers['access-control-allow-headers']).toMatch(
      /content-type, x-fal-authorization, x-dify-authorization/,
    );
    expect(response.headers['access-control-max-age']).toBeDefined();
  });

  it('fails the preflight of a refused origin', async () => {
    const response = await preflight('https://evil.example.com');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-allow-methods']).toBeUndefined();
  });
});

describe('CORS by default and with *', () => {
  it('allows no cross-origin access unless CORS_ORIGINS says so', async () => {
    const closed = await startStack();
    try {
      for (const method of ['POST', 'OPTIONS'] as const) {
        const response = await request(`${closed.url}/graphql`, {
          method,
          headers: {
            origin: 'https://app.example.com',
            'access-control-request-method': 'POST',
            'content-type': 'application/json',
          },
          body: method === 'POST' ? JSON.stringify({ query: '{ __typename }' }) : undefined,
        });
        await response.body.dump();
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      }
    } finally {
      await closed.close();
    }
  });

  it('CORS_ORIGINS=* lets any origin read, still without cookies', async () => {
    const open = await startStack({ env: { CORS_ORIGINS: '*' } });
    try {
      const response = await request(`${open.url}/graphql`, {
        method: 'POST',
        headers: { origin: 'https://anywhere.example', 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      await response.body.dump();
      expect(response.headers['access-control-allow-origin']).toBe('https://anywhere.example');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it.each(['app.example.com', 'https://app.example.com/path', 'https://ok.example, ftp://x'])(
    'refuses CORS_ORIGINS=%j at start, naming the variable',
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
    },
  );
});

describe('request body limit (MAX_BODY_BYTES)', () => {
  const padded = (bytes: number) =>
    JSON.stringify({ query: FAL_LOGS, variables: { pad: 'x'.repeat(bytes) } });

  function expectTooLarge(response: Awaited<ReturnType<typeof send>>) {
    expect(response.status).toBe(413);
    expect(response.json().errors).toEqual([
      { message: 'Request body exceeds 4096 bytes', extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    expect(stack.emulator.calls()).toEqual([]);
  }

  it('answers a body within the limit', async () => {
    const response = await postQuery('application/json', padded(3_000));
    expect(response.status).toBe(200);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    expectTooLarge(await postQuery('application/json', `${padded(5_000)} not even JSON`));
  });

  const chunked = (body: string) => Readable.from([body.slice(0, 1000), body.slice(1000)]);

  it('refuses a chunked body once it grows past the limit', async () => {
    expectTooLarge(
      await send(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...FAL_AUTH },
        body: chunked(padded(5_000)),
      }),
    );
  });

  it('answers a chunked body within the limit', async () => {
    const response = await send(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...FAL_AUTH },
      body: chunked(padded(2_000)),
    });
    expect(response.status).toBe(200);
    expect(response.json().errors).toBeUndefined();
  });

  it('applies on the graphql-sse stream endpoint too, which needs a declared length', async () => {
    const streamPost = (body: string | Readable) =>
      send(`${stack.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...FAL_AUTH },
        body,
      });
    expectTooLarge(await streamPost(padded(5_000)));
    expect((await streamPost(chunked(padded(5_000)))).status).toBe(411);
  });

  it('defaults to 1 MiB', () => {
    expect(loadConfig({}).maxBodyBytes).toBe(1_048_576);
    expect(() => loadConfig({ MAX_BODY_BYTES: 'big' })).toThrow(/MAX_BODY_BYTES/);
  });
});

describe('introspection and GraphiQL can be switched off for production', () => {
  let closed: Stack;
  beforeAll(async () => {
    closed = await startStack({ env: { INTROSPECTION: 'false', GRAPHIQL: 'false' } });
  });
  afterAll(() => closed.close());

  it.each([
    ['__schema', '{ __schema { queryType { name } } }'],
    ['__type', '{ __type(name: "FalLogLine") { fields { name } } }'],
  ])('refuses %s with BAD_USER_INPUT', async (_, query) => {
    const response = await closed.graphql(query);
    expect(response.errors![0]).toMatchObject({
      message: expect.stringMatching(/introspection has been disabled/) as string,
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(response.data ?? null).toBeNull();
  });

  it('still answers __typename and ordinary queries', async () => {
    const response = await closed.graphql(`{ __typename ${FAL_LOGS.slice(1, -1)} }`);
    expect(response.errors).toBeUndefined();
  });

  it('withholds field suggestions, which would reveal the schema', async () => {
    const open = await stack.graphql('{ falLog { __typename } }');
    expect(open.errors![0]!.message).toMatch(/Did you mean "falLogs"/);
    const response = await closed.graphql('{ falLog { __typename } }');
    expect(response.errors![0]!.message).not.toMatch(/falLogs/);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('serves no GraphiQL page', async () => {
    const page = async (url: string) => {
      const response = await request(`${url}/graphql`, { headers: { accept: 'text/html' } });
      return response.body.text();
    };
    expect(await page(stack.url)).toContain('GraphiQL');
    expect(await page(closed.url)).not.toContain('GraphiQL');
  });
});

describe('internal errors are masked', () => {
  it('tells the client nothing of what went wrong inside', async () => {
    const secret = `pool exhausted at 10.0.0.7 while sending Key ${DEMO_KEYS.fal}`;
    vi.spyOn(FalClient.prototype, 'logsHistory').mockRejectedValueOnce(new Error(secret));
    const response = await stack.graphql(FAL_LOGS);
    expect(response.data).toEqual({ falLogs: null });
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(Object.keys(response.errors![0]!.extensions!)).toEqual(['code']);
    expect(JSON.stringify(response)).not.toMatch(/pool exhausted|10\.0\.0\.7|demo-fal-secret/);
  });
});
