import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { REDACTED_PATHS } from '../../src/server.js';
import { sseClient, subscribe } from '../support/sse-client.js';
import { DIFY_AUTH, FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const FAL_QUERY = '{ falLogs(first: 3) { edges { node { message } } } }';
const DIFY_QUERY = '{ workflowLogs(first: 3) { edges { node { logId } } } }';

/** Keys of other accounts, in the shapes the real upstreams issue. */
const FOREIGN_FAL_KEY = '3f8e2a61-5b7c-4d0e-9a1f-2c6b8d4e7f90:4b1d9c0e8f7a6b5c4d3e2f1a0b9c8d7e';
const FOREIGN_DIFY_KEY = 'app-Xq7RtY2pLm9KvB4nWc8ZsD3e';

const SECRETS = [
  DEMO_KEYS.fal,
  DEMO_KEYS.fal.split(':')[1]!,
  DEMO_KEYS.dify,
  FOREIGN_FAL_KEY,
  FOREIGN_DIFY_KEY,
];

const logLines: string[] = [];
let stack: Stack;
beforeAll(async () => {
  const logger = pino(
    { level: 'trace', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    { write: (line: string) => logLines.push(line) },
  );
  stack = await startStack({
    gateway: { logger },
    env: { TAIL_BACKOFF_BASE_MS: '5', TAIL_BACKOFF_MAX_MS: '20', TAIL_RECONNECT_ATTEMPTS: '1' },
  });
});
afterAll(() => stack.close());
afterEach(() => {
  stack.emulator.clearFaults();
  logLines.length = 0;
});

const leaked = (text: string) => SECRETS.filter((secret) => text.includes(secret));

/** What the client and the gateway's log were shown, and that the upstream did say it. */
function expectRedacted(clientText: string) {
  const logs = logLines.join('\n');
  expect(clientText).toContain('[redacted]');
  expect(leaked(clientText)).toEqual([]);
  expect(logs.length).toBeGreaterThan(0);
  expect(leaked(logs)).toEqual([]);
}

describe('an upstream error message that echoes a key', () => {
  it.each([
    ['fal', 'logs.history', FAL_QUERY, FAL_AUTH],
    ['dify', 'workflows.logs', DIFY_QUERY, DIFY_AUTH],
  ] as const)(
    "%s: the caller's own key is redacted from the error and the logs",
    async (source, route, query, headers) => {
      stack.emulator.setFault(route, {
        status: 401,
        errorMessage: 'The key {authorization} is not valid',
      });
      const response = await stack.graphql(query, {}, headers);
      expect(response.errors?.[0]?.message).toContain('The key [redacted] is not valid');
      expect(response.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        source,
        upstreamStatus: 401,
      });
      expectRedacted(JSON.stringify(response));
    },
  );

  it('a secret echoed on its own, and keys of other accounts, are redacted too', async () => {
    stack.emulator.setFault('logs.history', {
      status: 403,
      errorMessage: `secret ${DEMO_KEYS.fal.split(':')[1]} revoked; try ${FOREIGN_FAL_KEY} or ${FOREIGN_DIFY_KEY}`,
    });
    const response = await stack.graphql(FAL_QUERY);
    expect(response.errors?.[0]?.message).toContain(
      'secret [redacted] revoked; try [redacted] or [redacted]',
    );
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    expectRedacted(JSON.stringify(response));
  });

  it('a message without a key is passed on unchanged', async () => {
    stack.emulator.setFault('logs.history', { status: 403, errorMessage: 'app-run is disabled' });
    const response = await stack.graphql(FAL_QUERY);
    expect(response.errors?.[0]?.message).toContain('app-run is disabled');
  });

  it.each([
    ['refuses the stream', { status: 401, errorMessage: 'bad key {authorization}' }],
    [
      'sends an error event',
      { errorEventAfter: 1, errorMessage: 'reader for {authorization} failed' },
    ],
  ] as const)('a live tail whose upstream %s ends with the key redacted', async (_, fault) => {
    stack.emulator.setFault('logs.stream', fault);
    const client = sseClient(stack.url, 'distinct', FAL_AUTH);
    const tail = subscribe(
      client,
      'subscription { falLogs(filter: { since: "2020-01-01" }) { message } }',
      {},
      (data) => data,
    );
    try {
      await tail.ended;
      expect(tail.errors).toHaveLength(1);
      expectRedacted(JSON.stringify(tail.errors));
    } finally {
      client.dispose();
    }
  });
});
