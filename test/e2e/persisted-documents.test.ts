import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  ApolloClient,
  HttpLink,
  InMemoryCache,
  CombinedGraphQLErrors,
  gql,
  type TypedDocumentNode,
} from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { print } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import type { RequestParams } from 'graphql-sse';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FalLogsPageDocument, TailFalLogsDocument } from '../generated/graphql.js';
import { gatewayTypePolicies } from '../support/apollo.js';
import { appendLiveLines } from '../support/live-lines.js';
import { sseClient, until } from '../support/sse-client.js';
import { FAL_AUTH, startStack, type Stack } from '../support/stack.js';

/** What `npm run codegen` writes for the operations in schema/operations/. */
const MANIFEST = new URL('../generated/persisted-documents.json', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The id GraphQL Code Generator's client preset gave a typed document (`sha256:<hex>`). */
const idOf = (document: DocumentNode) =>
  (document as DocumentNode & { __meta__: { hash: string } }).__meta__.hash;

/** A document no manifest holds. */
const NOT_PERSISTED: TypedDocumentNode<{ falLogs: { edges: unknown[] } | null }> = gql`
  query NotPersisted {
    falLogs(first: 2) {
      edges {
        node {
          message
        }
      }
    }
  }
`;

const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

interface Sent {
  query?: string;
  extensions?: { persistedQuery?: { sha256Hash?: string } };
}

/**
 * Apollo Client as an app sets it up for persisted documents: its persisted-query link sends a
 * codegen document's manifest hash (its `__meta__`), and the SHA-256 of any other document's
 * text, before the HTTP link. Records the bodies it sends.
 */
function persistedQueryClient(baseUrl: string, sent: Sent[]): ApolloClient {
  const http = new HttpLink({
    uri: `${baseUrl}/graphql`,
    headers: FAL_AUTH,
    fetch: (input, init) => {
      sent.push(JSON.parse(init?.body as string) as Sent);
      return fetch(input, init);
    },
  });
  const persisted = new PersistedQueryLink({
    generateHash: (document) =>
      (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? sha256Hex(print(document)),
  });
  return new ApolloClient({
    link: persisted.concat(http),
    cache: new InMemoryCache({ typePolicies: gatewayTypePolicies }),
  });
}

async function post(stack: Stack, path: string, body: unknown, headers = {}) {
  const response = await request(`${stack.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...FAL_AUTH, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, ...((await response.body.json()) as GatewayAnswer) };
}

async function get(stack: Stack, path: string, params: Record<string, string>, headers = {}) {
  const response = await request(`${stack.url}${path}?${new URLSearchParams(params)}`, {
    headers: { 'x-graphql-yoga-csrf': '1', ...FAL_AUTH, ...headers },
  });
  return { status: response.statusCode, ...((await response.body.json()) as GatewayAnswer) };
}

interface GatewayAnswer {
  data?: { falLogs?: { edges: unknown[] } } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

const upstreamCalls = (stack: Stack) => stack.emulator.calls().length;

/**
 * A request by id, in either form. graphql-sse's client sends the params it is given as they
 * are; its type insists on query text, which a request by id leaves out.
 */
const ID_FORMS = {
  'Apollo hash': (document: DocumentNode) =>
    ({
      variables: {},
      extensions: { persistedQuery: { version: 1, sha256Hash: idOf(document).slice(7) } },
    }) as unknown as RequestParams,
  documentId: (document: DocumentNode) =>
    ({ variables: {}, documentId: idOf(document) }) as unknown as RequestParams,
};

describe('persisted documents (PERSISTED_DOCUMENTS), other documents allowed', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { PERSISTED_DOCUMENTS: MANIFEST } });
  });
  afterAll(() => stack.close());

  it("Apollo Client's persisted-query link runs a manifest document by its hash alone", async () => {
    const sent: Sent[] = [];
    const client = persistedQueryClient(stack.url, sent);

    const { data } = await client.query({ query: FalLogsPageDocument, variables: { first: 3 } });

    expect(data?.falLogs?.edges).toHaveLength(3);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.query).toBeUndefined();
    expect(sent[0]!.extensions?.persistedQuery?.sha256Hash).toBe(idOf(FalLogsPageDocument));
  });

  it('answers a document the manifest lacks PersistedQueryNotFound, and Apollo Client then sends its text', async () => {
    const sent: Sent[] = [];
    const client = persistedQueryClient(stack.url, sent);

    const { data } = await client.query({ query: NOT_PERSISTED });

    expect(data?.falLogs?.edges).toHaveLength(2);
    expect(sent.map((body) => typeof body.query)).toEqual(['undefined', 'string']);
    const unknown = await post(stack, '/graphql', {
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256Hex(print(NOT_PERSISTED)) } },
    });
    expect(unknown).toMatchObject({
      status: 404,
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('runs a documentId, in a POST body and in a GET URL, and refuses an unknown one with no upstream call', async () => {
    const id = idOf(FalLogsPageDocument);
    const variables = { first: 2 };

    const posted = await post(stack, '/graphql', { documentId: id, variables });
    const got = await get(stack, '/graphql', { documentId: id, variables: '{"first":2}' });

    expect(posted.errors).toBeUndefined();
    expect(posted.data?.falLogs?.edges).toHaveLength(2);
    expect(got.errors).toBeUndefined();
    expect(got.data?.falLogs?.edges).toHaveLength(2);

    const before = upstreamCalls(stack);
    const unknown = await post(stack, '/graphql', { documentId: UNKNOWN_ID });
    expect(unknown).toMatchObject({
      status: 404,
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'NOT_FOUND' } }],
    });
    expect(upstreamCalls(stack)).toBe(before);
  });

  it('looks ids up only when PERSISTED_DOCUMENTS is set', async () => {
    const plain = await startStack();
    try {
      const body = { documentId: idOf(FalLogsPageDocument), variables: { first: 1 } };
      const without = await post(plain, '/graphql', body);
      const withIt = await post(stack, '/graphql', body);

      expect(without.status).toBe(400);
      expect(without.data).toBeUndefined();
      expect(withIt.status).toBe(200);
      expect(withIt.data?.falLogs?.edges).toHaveLength(1);
    } finally {
      await plain.close();
    }
  });

  it('runs a manifest document without parsing or validating it again, its cost still checked', async () => {
    const limited = await startStack({
      env: { PERSISTED_DOCUMENTS: MANIFEST, MAX_QUERY_TOKENS: '20', MAX_QUERY_COST: '5000' },
    });
    try {
      const id = idOf(FalLogsPageDocument);
      // The same operation, in a spelling the manifest does not hold (and so parsed as sent).
      const text = print(FalLogsPageDocument);

      const asText = await post(limited, '/graphql', { query: text, variables: { first: 2 } });
      const byId = await post(limited, '/graphql', { documentId: id, variables: { first: 2 } });
      const tooCostly = await post(limited, '/graphql', {
        documentId: id,
        variables: { first: 1000 },
      });

      expect(asText.errors?.[0]?.message).toMatch(/token/i);
      expect(byId.errors).toBeUndefined();
      expect(byId.data?.falLogs?.edges).toHaveLength(2);
      expect(tooCostly.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
      expect(tooCostly.errors?.[0]?.message).toMatch(/cost/i);
    } finally {
      await limited.close();
    }
  });
});

describe('persisted documents only (PERSISTED_ONLY=true)', () => {
  let stack: Stack;
  const clients: Array<{ dispose(): void }> = [];
  beforeAll(async () => {
    stack = await startStack({ env: { PERSISTED_DOCUMENTS: MANIFEST, PERSISTED_ONLY: 'true' } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.dispose();
    await until(() => stack.emulator.openStreams() === 0, 3_000, 'streams to close');
  });
  afterAll(() => stack.close());

  it('runs manifest documents by hash, and refuses a new one, text and all, with no upstream call', async () => {
    const sent: Sent[] = [];
    const client = persistedQueryClient(stack.url, sent);
    const known = await client.query({ query: FalLogsPageDocument, variables: { first: 1 } });
    expect(known.data?.falLogs?.edges).toHaveLength(1);

    const before = upstreamCalls(stack);
    const refused = await client.query({ query: NOT_PERSISTED, fetchPolicy: 'network-only' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(CombinedGraphQLErrors.is(refused)).toBe(true);
    expect((refused as CombinedGraphQLErrors).errors).toMatchObject([
      {
        message: expect.stringMatching(/only persisted documents/) as unknown,
        extensions: { code: 'BAD_USER_INPUT' },
      },
    ]);
    // Its hash first, then (after PersistedQueryNotFound) its text.
    expect(sent.slice(1).map((body) => typeof body.query)).toEqual(['undefined', 'string']);
    expect(upstreamCalls(stack)).toBe(before);
  });

  it('refuses query text before it is parsed on every route: POST, GET and both graphql-sse modes', async () => {
    const text = manifest[idOf(FalLogsPageDocument)]!;
    const subscription = 'subscription { falLogs { message } }';
    const stream = { accept: 'text/event-stream' };
    const before = upstreamCalls(stack);

    const answers = [
      await post(stack, '/graphql', { query: text }),
      await post(stack, '/graphql', { query: '{ falLogs( ' }),
      await get(stack, '/graphql', { query: text }),
      await post(stack, '/graphql/stream', { query: subscription }, stream),
      await get(stack, '/graphql/stream', { query: subscription }, stream),
    ];
    const single = await singleConnectionStatus(stack, { query: subscription });

    for (const answer of answers) {
      expect(answer).toMatchObject({
        status: 400,
        errors: [
          {
            message: expect.stringMatching(/"query" param is not accepted/) as unknown,
            extensions: { code: 'BAD_USER_INPUT' },
          },
        ],
      });
    }
    expect(single).toBe(400);
    const sse = await request(`${stack.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stream, ...FAL_AUTH },
      body: JSON.stringify({ query: subscription }),
    });
    expect(sse.statusCode).toBe(400);
    expect(await sse.body.text()).toContain('PERSISTED_ONLY');
    expect(upstreamCalls(stack)).toBe(before);
  });

  it.each([
    ['distinct', 'Apollo hash'],
    ['distinct', 'documentId'],
    ['single', 'Apollo hash'],
    ['single', 'documentId'],
  ] as const)(
    'follows a live tail subscribed by id over graphql-sse (%s connections, %s)',
    async (mode, form) => {
      const client = sseClient(stack.url, mode, FAL_AUTH);
      clients.push(client);
      const lines: string[] = [];
      const errors: unknown[] = [];
      client.subscribe<{ falLogs: { message: string } }>(ID_FORMS[form](TailFalLogsDocument), {
        next: (result) => {
          if (result.data) lines.push(result.data.falLogs.message);
          if (result.errors) errors.push(...result.errors);
        },
        error: (error) => errors.push(error),
        complete: () => undefined,
      });
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');

      const sent = await appendLiveLines(stack.emulator, 5, `by ${form}, ${mode}`);

      await until(() => lines.length >= 5 || errors.length > 0, 5_000, 'the lines');
      expect(errors).toEqual([]);
      expect(lines).toEqual(sent.map((line) => line.message));
    },
  );

  it('serves no GraphiQL to a browser', async () => {
    const page = await request(`${stack.url}/graphql`, { headers: { accept: 'text/html' } });
    const body = await page.body.text();
    expect(page.statusCode).not.toBe(200);
    expect(String(page.headers['content-type'])).not.toMatch(/text\/html/);
    expect(body).not.toMatch(/graphiql/i);
  });

  it('follows a live tail by documentId in the URL of a GET on the graphql-sse stream route', async () => {
    const controller = new AbortController();
    const opened = await request(
      `${stack.url}/graphql/stream?${new URLSearchParams({ documentId: idOf(TailFalLogsDocument) })}`,
      { headers: { accept: 'text/event-stream', ...FAL_AUTH }, signal: controller.signal },
    );
    try {
      expect(opened.statusCode).toBe(200);
      await until(() => stack.emulator.openStreams() === 1, 5_000, 'the upstream stream');
      const [line] = await appendLiveLines(stack.emulator, 1, 'by documentId in a GET');
      let events = '';
      for await (const chunk of opened.body) {
        events += (chunk as Buffer).toString();
        if (events.includes(line!.message)) break;
      }
      expect(events).toContain(`"message":"${line!.message}"`);
    } finally {
      controller.abort();
      opened.body.destroy();
    }
  });

  it('refuses an unknown id on the graphql-sse stream route as PersistedQueryNotFound', async () => {
    const answer = await post(
      stack,
      '/graphql/stream',
      { documentId: UNKNOWN_ID },
      { accept: 'text/event-stream' },
    );
    expect(answer).toMatchObject({
      status: 404,
      errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'NOT_FOUND' } }],
    });
  });
});

/** The status of an operation sent over a reserved single-connection stream, as graphql-sse sends it. */
async function singleConnectionStatus(stack: Stack, params: object): Promise<number> {
  const reserved = await request(`${stack.url}/graphql/stream`, {
    method: 'PUT',
    headers: FAL_AUTH,
  });
  const token = await reserved.body.text();
  const body = JSON.stringify({ ...params, extensions: { operationId: '1' } });
  const operation = await request(`${stack.url}/graphql/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
    body,
  });
  await operation.body.dump();
  const opened = await request(`${stack.url}/graphql/stream`, {
    headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
  });
  opened.body.destroy();
  return operation.statusCode;
}

describe('metric labels of persisted documents', () => {
  it('name a manifest document by its operation, whatever METRICS_MAX_OPERATION_NAMES allows others', async () => {
    const stack = await startStack({
      env: { PERSISTED_DOCUMENTS: MANIFEST, METRICS_MAX_OPERATION_NAMES: '0' },
    });
    try {
      await post(stack, '/graphql', { documentId: idOf(FalLogsPageDocument) });
      await post(stack, '/graphql', { query: 'query ChosenByAClient { __typename }' });

      const metrics = await (await request(`${stack.url}/metrics`)).body.text();
      const names = new Set(
        [
          ...metrics.matchAll(/graphql_envelop_phase_execute_count\{[^}]*operationName="([^"]*)"/g),
        ].map((match) => match[1]),
      );
      expect(names).toEqual(new Set(['FalLogsPage', '_other']));
    } finally {
      await stack.close();
    }
  });
});
