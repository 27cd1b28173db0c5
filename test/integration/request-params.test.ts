import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const QUERY = JSON.stringify('{ __typename }');
const TAIL = JSON.stringify('subscription { falLogs { message } }');

interface Answer {
  status: number;
  text: string;
}

/** A stack trace line or a source file path: never in an answer to a client. */
const INTERNALS = /\n\s+at |node_modules|\.[cm]?[jt]s:\d+/;

function expectRefused(answer: Answer, param: string) {
  expect(answer.text).not.toMatch(INTERNALS);
  expect(answer.status).toBe(400);
  const body = JSON.parse(answer.text) as {
    errors: Array<{ message: string; extensions?: { code?: string } }>;
  };
  expect(body.errors[0]?.message).toContain(`"${param}"`);
  expect(body.errors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await request(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...FAL_AUTH, ...headers },
    body,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function get(path: string, search: Record<string, string>) {
  const response = await request(`${stack.url}${path}?${new URLSearchParams(search)}`, {
    headers: { 'x-graphql-yoga-csrf': '1', ...FAL_AUTH },
  });
  return { status: response.statusCode, text: await response.body.text() };
}

describe('malformed request parameters get 400 naming the parameter', () => {
  it.each([
    ['operationName', 'a list nested 400,000 deep', nested(400_000)],
    ['operationName', 'a number', '5'],
    ['operationName', 'an object', '{"name":"A"}'],
    ['query', 'a number', '5'],
    ['query', 'a list', '["{ __typename }"]'],
    ['variables', 'a list', '[1]'],
    ['variables', 'a string', '"{}"'],
    ['extensions', 'a number', '5'],
    ['extensions', 'a list', '[{}]'],
  ])('POST with %s as %s', async (param, _kind, value) => {
    const params: Record<string, string> = { query: QUERY, [param]: value };
    const body = `{${Object.entries(params)
      .map(([name, json]) => `"${name}":${json}`)
      .join(',')}}`;
    expectRefused(await post('/graphql', body), param);
  });

  it.each([
    ['variables', 'not JSON', '{"first":'],
    ['variables', 'a list', '[1]'],
    ['extensions', 'not JSON', '{'],
    ['extensions', 'a number', '5'],
  ])('GET with %s as %s', async (param, _kind, value) => {
    expectRefused(await get('/graphql', { query: '{ __typename }', [param]: value }), param);
  });

  it('POST as a form with variables that are not JSON', async () => {
    const body = new URLSearchParams({ query: '{ __typename }', variables: '{' }).toString();
    const answer = await post('/graphql', body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-graphql-yoga-csrf': '1',
    });
    expectRefused(answer, 'variables');
  });

  it('a live tail on the stream endpoint with a deeply nested operationName', async () => {
    const body = `{"query":${TAIL},"operationName":${nested(400_000)}}`;
    expectRefused(
      await post('/graphql/stream', body, { accept: 'text/event-stream' }),
      'operationName',
    );
  });

  it('a multipart upload, which the gateway does not take, is refused without running', async () => {
    const body =
      '--X\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{bad\r\n--X--\r\n';
    const answer = await post('/graphql', body, {
      'content-type': 'multipart/form-data; boundary=X',
      'x-graphql-yoga-csrf': '1',
    });
    expect(answer.status).toBe(415);
  });

  it('a well-formed request still runs, over GET and POST', async () => {
    const search = { query: 'query Q { __typename }', operationName: 'Q', variables: '{}' };
    expect(JSON.parse((await get('/graphql', search)).text)).toEqual({
      data: { __typename: 'Query' },
    });
    const answer = await post('/graphql', `{"query":${QUERY},"operationName":null}`);
    expect(JSON.parse(answer.text)).toEqual({ data: { __typename: 'Query' } });
  });
});
