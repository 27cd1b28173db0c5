import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { REDACTED_PATHS } from '../../src/server.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { startStack, type Stack } from '../support/stack.js';

const FAL = { authorization: `Key ${DEMO_KEYS.fal}` };
const FAL_OTHER = { authorization: `Key ${DEMO_KEYS.falOther}` };
const DIFY = { authorization: `Bearer ${DEMO_KEYS.dify}` };
const BOTH = {
  'x-fal-authorization': FAL.authorization,
  'x-dify-authorization': DIFY.authorization,
};
const REFUSED_KEY = 'refused-key:refused-secret';

/** Every key a test sends, and the secret half of each, none of which may show anywhere. */
const SECRETS = [...Object.values(DEMO_KEYS), REFUSED_KEY].flatMap((key) => [
  key,
  key.split(':').at(-1)!,
]);

const FAL_LOGS = `query ($after: String) {
  falLogs(first: 3, after: $after) { edges { cursor node { message } } pageInfo { endCursor } }
}`;
const FAL_REQUESTS = `{
  falRequests(endpointIds: ["acme/flux-studio"], first: 3) {
    edges { cursor node { id input logs(first: 2) { edges { cursor node { message } } } } }
  }
}`;
const WORKFLOW_LOGS = `{
  workflowLogs(first: 3) { edges { cursor node { id workflowRun { id inputs } } } pageInfo { endCursor } }
}`;

interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let stack: Stack;
const logLines: string[] = [];
const exchanges: Exchange[] = [];

async function post(query: string, headers: Record<string, string>, variables = {}) {
  const response = await request(`${stack.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const exchange = {
    status: response.statusCode,
    headers: response.headers,
    body: await response.body.text(),
  };
  exchanges.push(exchange);
  return JSON.parse(exchange.body) as { data?: Record<string, unknown>; errors?: unknown[] };
}

/** Every string value named `cursor` or `endCursor`, or `id`, anywhere in a result. */
function opaqueValues(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => opaqueValues(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (['cursor', 'endCursor', 'id'].includes(key) && typeof inner === 'string')
        found.push(inner);
      else opaqueValues(inner, found);
    }
  }
  return found;
}

beforeAll(async () => {
  const logger = pino(
    { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => logLines.push(line) },
  );
  stack = await startStack({ gateway: { logger } });
});
afterAll(() => stack.close());

describe('keys never show outside the upstream call they are meant for', () => {
  const opaque: string[] = [];

  beforeAll(async () => {
    const first = await post(FAL_LOGS, FAL);
    opaque.push(...opaqueValues(first.data));
    const endCursor = opaqueValues(first.data).at(-1)!;
    opaque.push(...opaqueValues((await post(FAL_LOGS, FAL, { after: endCursor })).data));
    opaque.push(...opaqueValues((await post(FAL_REQUESTS, FAL)).data));
    opaque.push(...opaqueValues((await post(WORKFLOW_LOGS, DIFY)).data));
    await post(`${FAL_LOGS} ${WORKFLOW_LOGS.replace('{', 'query Both {')}`, BOTH);
    await post(FAL_LOGS, { authorization: `Key ${REFUSED_KEY}` });
    await post(FAL_LOGS, FAL, { after: `${endCursor.slice(0, -4)}AAAA` });
    await post(
      'query ($filter: FalLogFilter) { falLogs(filter: $filter) { edges { cursor } } }',
      FAL,
      {
        filter: { appIds: ['not an app'] },
      },
    );
    stack.emulator.setFault('logs.history', { status: 500, times: 10 });
    await post(FAL_LOGS, FAL);
    stack.emulator.clearFaults();

    const tailClient = sseClient(stack.url, 'single', FAL);
    const tail = subscribe(tailClient, 'subscription { falLogs { message } }', {}, (data) => data);
    await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
    tail.dispose();
    tailClient.dispose();
    await until(() => stack.emulator.openStreams() === 0, 5_000, 'the stream to close');
  });

  const leaks = (text: string) => SECRETS.filter((secret) => text.includes(secret));

  it('the keys did reach the upstream, and the log saw that traffic', () => {
    const sent = new Set(stack.emulator.calls().map((call) => call.authorization));
    expect(sent).toEqual(new Set([FAL.authorization, DIFY.authorization, `Key ${REFUSED_KEY}`]));
    expect(logLines.length).toBeGreaterThan(20);
    expect(logLines.join('')).toMatch(/upstream call failed/);
  });

  it('not in the logs, at any level', () => {
    expect(leaks(logLines.join('\n'))).toEqual([]);
  });

  it('not in response bodies, errors included', () => {
    expect(exchanges.some(({ body }) => body.includes('"errors"'))).toBe(true);
    expect(leaks(exchanges.map(({ body }) => body).join('\n'))).toEqual([]);
  });

  it('not in response headers', () => {
    expect(leaks(JSON.stringify(exchanges.map(({ headers }) => headers)))).toEqual([]);
  });

  it('not in cursors or ids, once their base64url is decoded', () => {
    expect(opaque.length).toBeGreaterThan(20);
    const decoded = opaque.map((value) => Buffer.from(value, 'base64url').toString('latin1'));
    expect(leaks([...opaque, ...decoded].join('\n'))).toEqual([]);
  });

  it('not in the metrics', async () => {
    const response = await request(`${stack.url}/metrics`);
    const metrics = await response.body.text();
    expect(metrics).toMatch(/upstream/);
    expect(leaks(metrics)).toEqual([]);
  });
});

describe('nothing fetched with one key is served to another', () => {
  type Lines = { falLogs: { edges: Array<{ node: { app: string; message: string } }> } };
  const LINES = '{ falLogs(first: 50) { edges { node { app message } } } }';
  const appsOf = (tenant: string) =>
    new Set(stack.emulator.fal.apps(tenant).map((app) => app.id.split('/')[1]!));

  it('concurrent requests with two fal keys each get their own tenant’s lines', async () => {
    stack.emulator.resetCalls();
    const keys = [FAL, FAL_OTHER, FAL, FAL_OTHER, FAL, FAL_OTHER];
    const results = await Promise.all(keys.map((key) => post(LINES, key)));
    results.forEach((result, i) => {
      const tenant = keys[i] === FAL ? 'demo' : 'other';
      const apps = (result.data as Lines).falLogs.edges.map(({ node }) => node.app);
      expect(apps.length).toBeGreaterThan(0);
      expect(apps.every((app) => appsOf(tenant).has(app))).toBe(true);
    });
    const sent = stack.emulator.calls().map((call) => call.authorization);
    expect(sent.filter((key) => key === FAL.authorization)).toHaveLength(3);
    expect(sent.filter((key) => key === FAL_OTHER.authorization)).toHaveLength(3);
  });

  it('a request right after another key’s identical one reads the upstream again, with its own key', async () => {
    const lookup = `query ($id: ID!) { node(id: $id) { ... on FalRequest { requestId input } } }`;
    const demoRequest = stack.emulator.fal.requests('demo')[0]!;
    const id = Buffer.from(
      `FalRequest:${demoRequest.endpoint_id}:${demoRequest.request_id}`,
    ).toString('base64');
    stack.emulator.resetCalls();
    const mine = await post(lookup, FAL, { id });
    const theirs = await post(lookup, FAL_OTHER, { id });
    expect(mine.data).toMatchObject({ node: { requestId: demoRequest.request_id } });
    expect(theirs.data).toEqual({ node: null });
    expect(stack.emulator.calls().map((call) => call.authorization)).toEqual([
      FAL.authorization,
      FAL_OTHER.authorization,
    ]);
  });
});
