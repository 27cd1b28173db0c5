import { request as httpRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

const HISTORY = { route: 'logs.history' } as const;

const LINES = 'timestamp level message app revision requestId';

/** Documents streamed (a big page's edges before its page info), each with its variables. */
const DOCUMENTS: Array<{ name: string; query: string; variables?: Record<string, unknown> }> = [
  {
    name: 'the benchmark page',
    query: `query Big($filter: FalLogFilter) {
      falLogs(first: 2500, filter: $filter) {
        edges { cursor node { ${LINES} } }
        pageInfo { hasNextPage endCursor }
      }
    }`,
  },
  {
    name: 'aliases, fragments, __typename and variables',
    query: `query Aliased($filter: FalLogFilter, $first: Int, $withJob: Boolean!) {
      page: falLogs(first: $first, filter: $filter) {
        __typename
        lines: edges { __typename ...Edge node { job: jobId @include(if: $withJob) } }
        info: pageInfo { ...Info }
        again: __typename
      }
    }
    fragment Edge on FalLogEdge { at: cursor node { ... on FalLogLine { level msg: message } } }
    fragment Info on PageInfo { hasNextPage hasPreviousPage startCursor endCursor }`,
    variables: { first: 2200, withJob: true },
  },
  {
    name: 'a nested request lookup (data loader) and labels',
    query: `query WithRequests($filter: FalLogFilter) {
      falLogs(first: 1500, filter: $filter) {
        edges { node { message labels { key value } request { requestId endpointId status } } }
        pageInfo { startCursor hasNextPage }
      }
    }`,
  },
];

/** The same document answered the ordinary way: a directive on the root field turns streaming off. */
const unstreamed = (query: string) => query.replace(/(falLogs\([^)]*\))/, '$1 @include(if: true)');

describe('big falLogs pages stream out', () => {
  let stack: Stack;
  let filter: { since: string; until: string };

  beforeAll(async () => {
    // The slow reader's wide edges take more aliases and cost than the defaults allow.
    stack = await startStack({ env: { MAX_QUERY_ALIASES: '40', MAX_QUERY_COST: '100000000' } });
    const lines = stack.emulator.fal.lines('demo');
    expect(lines.length).toBeGreaterThan(5000);
    // A fixed window, so that every answer is the same while new lines arrive.
    filter = {
      since: lines[lines.length - 1]!.timestamp,
      until: new Date(Date.parse(lines[0]!.timestamp) + 1).toISOString(),
    };
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  async function post(query: string, variables: Record<string, unknown> = {}) {
    const response = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...FAL_AUTH },
      body: JSON.stringify({ query, variables: { filter, ...variables } }),
    });
    return {
      status: response.statusCode,
      type: response.headers['content-type'],
      streamed: response.headers['transfer-encoding'] === 'chunked',
      text: await response.body.text(),
    };
  }

  it.each(DOCUMENTS)(
    'answers $name with the same bytes as the ordinary answer',
    async ({ query, variables }) => {
      // Twice each: the first run is on the standard executor, the second compiled.
      const streamed = [await post(query, variables), await post(query, variables)];
      const ordinary = [
        await post(unstreamed(query), variables),
        await post(unstreamed(query), variables),
      ];
      expect(streamed.map((answer) => answer.streamed)).toEqual([true, true]);
      expect(ordinary.map((answer) => answer.streamed)).toEqual([false, false]);
      for (const answer of [...streamed, ...ordinary]) {
        expect(answer.status).toBe(200);
        expect(answer.type).toBe('application/json; charset=utf-8');
        expect(answer.text).toBe(ordinary[0]!.text);
      }
      expect(JSON.parse(ordinary[0]!.text)).not.toHaveProperty('errors');
    },
  );

  it('answers errors inside edges as the ordinary answer does, after the data', async () => {
    const query = `query ($filter: FalLogFilter) {
      falLogs(first: 2500, filter: $filter) {
        edges { node { message request { requestId } } }
        pageInfo { hasNextPage }
      }
    }`;
    stack.emulator.setFault('requests.byEndpoint', { status: 400, errorMessage: 'no' });
    const streamed = await post(query);
    const ordinary = await post(unstreamed(query));
    expect(streamed.streamed).toBe(true);
    const byPath = (answer: { text: string }) => {
      const { data, errors } = JSON.parse(answer.text) as {
        data: unknown;
        errors: Array<{ path: unknown[] }>;
      };
      const sorted = errors.sort((a, b) => (a.path[2] as number) - (b.path[2] as number));
      return { data, errors: sorted };
    };
    const answer = byPath(streamed);
    expect(answer).toEqual(byPath(ordinary));
    expect(answer.errors.length).toBeGreaterThan(1000);
    expect(answer.errors.at(-1)).toMatchObject({
      path: ['falLogs', 'edges', expect.any(Number), 'node', 'request'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(streamed.text.indexOf('"errors"')).toBeGreaterThan(streamed.text.indexOf('"data"'));
  });

  it('answers a page continued from a cursor with the same bytes', async () => {
    const query = `query ($filter: FalLogFilter, $after: String) {
      falLogs(first: 1200, after: $after, filter: $filter) {
        edges { cursor node { message } } pageInfo { endCursor hasNextPage }
      }
    }`;
    const first = JSON.parse((await post(query)).text) as {
      data: { falLogs: { pageInfo: { endCursor: string } } };
    };
    const after = first.data.falLogs.pageInfo.endCursor;
    const streamed = await post(query, { after });
    expect(streamed.streamed).toBe(true);
    expect(streamed.text).toBe((await post(unstreamed(query), { after })).text);
  });

  it('sends the first lines before the last upstream page is read', async () => {
    stack.emulator.setFault('logs.history', { latencyMs: 150 });
    const response = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...FAL_AUTH },
      body: JSON.stringify({
        query: DOCUMENTS[0]!.query.replace('2500', '5000'),
        variables: { filter },
      }),
    });
    const chunks = response.body[Symbol.asyncIterator]();
    const firstChunk = await chunks.next();
    const readsAtFirstByte = stack.emulator.calls(HISTORY).length;
    let text = Buffer.from(firstChunk.value as Buffer).toString();
    for (let step = await chunks.next(); !step.done; step = await chunks.next()) {
      text += Buffer.from(step.value as Buffer).toString();
    }
    const page = JSON.parse(text) as { data: { falLogs: { edges: unknown[] } } };
    expect(page.data.falLogs.edges).toHaveLength(5000);
    expect(text.startsWith('{"data":{"falLogs":{"edges":[{')).toBe(true);
    expect(readsAtFirstByte).toBeLessThan(stack.emulator.calls(HISTORY).length);
    expect(readsAtFirstByte).toBeLessThanOrEqual(2);
  });

  it('answers a page whose first upstream read fails as before, and ends one whose later read fails with the lines sent and the error', async () => {
    const small = `{ falLogs(first: 3000) { edges { node { message } } pageInfo { hasNextPage } } }`;
    stack.emulator.setFault('logs.history', { status: 400, errorMessage: 'bad window' });
    const failed = await post(small);
    const failedOrdinary = await post(unstreamed(small));
    expect(failed.status).toBe(failedOrdinary.status);
    expect(failed.streamed).toBe(false);
    expect(JSON.parse(failed.text)).toEqual(JSON.parse(failedOrdinary.text));
    expect(JSON.parse(failed.text)).toMatchObject({
      data: { falLogs: null },
      errors: [{ path: ['falLogs'], locations: [{ line: 1, column: 3 }] }],
    });
    stack.emulator.clearFaults();

    const query = `query ($filter: FalLogFilter, $after: String) {
      falLogs(first: 3000, after: $after, filter: $filter) {
        edges { cursor node { message } } pageInfo { hasNextPage endCursor }
      }
    }`;
    const whole = JSON.parse((await post(query)).text) as PageAnswer;
    stack.emulator.resetCalls();

    // The first read is slow enough to make every later one fail.
    stack.emulator.setFault('logs.history', { latencyMs: 300, times: 1 });
    const answering = post(query);
    await until(() => stack.emulator.calls(HISTORY).length === 1);
    stack.emulator.setFault('logs.history', { status: 400, errorMessage: 'bad window' });
    const answer = await answering;

    expect(answer.status).toBe(200);
    const cut = JSON.parse(answer.text) as PageAnswer;
    const sent = cut.data.falLogs!.edges;
    expect(sent.length).toBeGreaterThan(0);
    expect(sent).toEqual(whole.data.falLogs!.edges.slice(0, sent.length));
    expect(cut.data.falLogs!.pageInfo).toEqual({
      hasNextPage: true,
      endCursor: sent.at(-1)!.cursor,
    });
    expect(cut.errors).toHaveLength(1);
    expect(cut.errors).toMatchObject([
      {
        path: ['falLogs'],
        locations: [{ line: 2, column: 7 }],
        extensions: { code: 'BAD_USER_INPUT', source: 'fal' },
      },
    ]);

    // The page goes on from where it was cut.
    stack.emulator.clearFaults();
    const resumed = JSON.parse(
      (await post(query, { after: cut.data.falLogs!.pageInfo.endCursor })).text,
    ) as PageAnswer;
    expect([...sent, ...resumed.data.falLogs!.edges].slice(0, 3000)).toEqual(
      whole.data.falLogs!.edges,
    );
  });

  it('reads no further upstream page while the client does not read', async () => {
    // Big edges, so that what the client leaves unread is far more than the sockets hold.
    const wide = Array.from({ length: 12 }, (_, i) => `l${i}: labels { key value } m${i}: message`);
    const query = `query ($filter: FalLogFilter) {
      falLogs(first: 5000, filter: $filter) { edges { cursor node { ${wide.join(' ')} } } }
    }`;
    const response = await rawPost(query, { filter });
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const readsWhilePaused = stack.emulator.calls(HISTORY).length;

    response.resume();
    let bytes = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
    const readsInAll = stack.emulator.calls(HISTORY).length;
    const page = JSON.parse(Buffer.concat(chunks).toString()) as PageAnswer;
    expect(page.data.falLogs!.edges).toHaveLength(5000);
    expect(bytes).toBeGreaterThan(20 * 2 ** 20);
    expect(readsWhilePaused).toBeLessThan(readsInAll - 1);
  });

  it('stops reading upstream pages when the client goes away', async () => {
    stack.emulator.setFault('logs.history', { latencyMs: 100 });
    const response = await rawPost(DOCUMENTS[0]!.query.replace('2500', '5000'), { filter });
    await new Promise((resolve) => response.once('data', resolve));
    response.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const readsAfterLeaving = stack.emulator.calls(HISTORY).length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stack.emulator.calls(HISTORY).length).toBe(readsAfterLeaving);
    expect(readsAfterLeaving).toBeLessThan(4);

    stack.emulator.clearFaults();
    const next = await post(DOCUMENTS[0]!.query);
    expect(next.status).toBe(200);
    expect(next.streamed).toBe(true);
  });

  function rawPost(query: string, variables: Record<string, unknown>): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(`${stack.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...FAL_AUTH },
      });
      outgoing.on('response', resolve).on('error', reject);
      outgoing.end(JSON.stringify({ query, variables }));
    });
  }
});

interface PageAnswer {
  data: {
    falLogs: {
      edges: Array<{ cursor: string; node: { message: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    } | null;
  };
  errors?: unknown[];
}

async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
