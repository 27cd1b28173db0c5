import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sseClient, subscribe } from '../support/sse-client.js';
import { startStack, type Stack } from '../support/stack.js';

const REFUSED_FAL_KEY = { authorization: 'Key demo-fal-key:wrong-secret' };
const QUERY = '{ falLogs(first: 2) { edges { node { message } } } }';

type LogLine = Record<string, unknown> & { level: number; msg: string };

let stack: Stack;
const logLines: LogLine[] = [];

beforeAll(async () => {
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) },
  );
  stack = await startStack({
    env: { UPSTREAM_RETRY_BASE_MS: '1', UPSTREAM_RETRY_MAX_MS: '2' },
    gateway: { logger },
  });
});
afterAll(() => stack.close());
beforeEach(() => {
  logLines.length = 0;
  stack.emulator.clearFaults();
});

const WARN = 40;
const ERROR = 50;

/** Every line logged while serving the request carries its id; none holds a stack trace. */
function linesOf(requestId: string): LogLine[] {
  expect(logLines.length).toBeGreaterThan(0);
  for (const line of logLines) {
    expect(line).toHaveProperty('requestId', requestId);
    expect(JSON.stringify(line)).not.toMatch(/stack|\n\s+at /);
  }
  return logLines;
}

describe('an upstream failure a client receives is logged once, on one line, with the request id', () => {
  it('a key fal refuses is the client’s problem: one warning, no error', async () => {
    // The second run of a document is compiled: both executors log alike.
    for (const requestId of ['refused-1', 'refused-2']) {
      logLines.length = 0;
      const response = await stack.graphql(QUERY, undefined, {
        ...REFUSED_FAL_KEY,
        'x-request-id': requestId,
      });
      expect(response.errors).toMatchObject([
        { message: 'fal: The API key is not valid', extensions: { code: 'UNAUTHENTICATED' } },
      ]);
      const lines = linesOf(requestId);
      expect(lines.filter((line) => line.level >= ERROR)).toEqual([]);
      expect(lines.filter((line) => line.level >= WARN)).toEqual([
        expect.objectContaining({
          msg: 'fal: The API key is not valid',
          code: 'UNAUTHENTICATED',
          upstream: 'fal',
          upstreamStatus: 401,
          path: 'falLogs',
        }),
      ]);
    }
  });

  it.each(['distinct', 'single'] as const)(
    'a live tail (%s connections) whose key fal refuses: one warning, no error',
    async (mode) => {
      const client = sseClient(stack.url, mode, {
        ...REFUSED_FAL_KEY,
        'x-request-id': `tail-${mode}`,
      });
      const tail = subscribe(client, 'subscription { falLogs { message } }', {}, (data) => data);
      await tail.ended;
      client.dispose();
      expect(tail.errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED' } }]);
      const warnings = logLines.filter(
        (line) => line.level >= WARN && line.requestId === `tail-${mode}`,
      );
      expect(logLines.filter((line) => line.level >= ERROR)).toEqual([]);
      expect(warnings).toEqual([
        expect.objectContaining({ code: 'UNAUTHENTICATED', path: 'falLogs' }),
      ]);
    },
  );

  it('an upstream that keeps failing is the gateway’s problem: one error line', async () => {
    stack.emulator.setFault('logs.history', { status: 500 });
    const response = await stack.graphql(QUERY, undefined, {
      authorization: 'Key demo-fal-key:demo-fal-secret',
      'x-request-id': 'failing',
    });
    expect(response.errors).toMatchObject([{ extensions: { code: 'UPSTREAM_ERROR' } }]);
    const errors = linesOf('failing').filter((line) => line.level >= ERROR);
    expect(errors).toEqual([
      expect.objectContaining({ code: 'UPSTREAM_ERROR', upstreamStatus: 500, path: 'falLogs' }),
    ]);
    expect(errors[0]!.msg).toMatch(/^fal: /);
  });
});
