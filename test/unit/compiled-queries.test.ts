import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { GraphQLError, parse } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { useCompiledQueries } from '../../src/plugins/compiled-queries.js';
import { exampleOperations } from '../../src/operations.js';
import { schema as gatewaySchema } from '../../src/schema/index.js';

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    interface Node {
      id: ID!
    }
    type Item implements Node {
      id: ID!
      rank: Int!
    }
    enum Shade {
      LIGHT
      DARK
    }
    type Query {
      greeting(name: String!, shade: Shade = DARK): String!
      items(first: Int = 2): [Item!]!
      node(id: ID!): Node
      refused: String
      crashes: String
      nullInNonNull: String!
      slow: String
      executor: String
    }
  `,
  resolvers: {
    Node: { __resolveType: () => 'Item' },
    Query: {
      greeting: (_root: unknown, args: { name: string; shade: string }) =>
        `${args.shade} hello ${args.name}`,
      items: (_root: unknown, args: { first: number }) =>
        Array.from({ length: args.first }, (_, i) => ({ id: `i${i}`, rank: i })),
      node: (_root: unknown, args: { id: string }) => ({ id: args.id, rank: 7 }),
      refused: () => {
        throw new GraphQLError('refused: no', { extensions: { code: 'BAD_USER_INPUT' } });
      },
      crashes: () => {
        throw new Error('a secret the client must not see');
      },
      nullInNonNull: () => null,
      slow: () => new Promise((resolve) => setTimeout(() => resolve('late'), 5)),
      // The standard executor lends resolvers an abort signal; graphql-jit does not.
      executor: (_root: unknown, _args: unknown, _context: unknown, info: object) =>
        'signal' in info ? 'standard' : 'compiled',
    },
  },
});

const standard = createYoga({ schema, logging: false });
const compiled = createYoga({ schema, logging: false, plugins: [useCompiledQueries()] });

async function answer(yoga: typeof standard, query: string, variables?: object) {
  const response = await yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('compiled queries answer as the standard executor does', () => {
  it.each([
    ['plain fields and a list', '{ items { id rank } }'],
    ['a variable with a default, left out', 'query ($n: Int = 3) { items(first: $n) { rank } }'],
    [
      'a non-null variable with a default, left out',
      'query ($name: String! = "you") { greeting(name: $name) }',
    ],
    ['an enum default', '{ greeting(name: "x") }'],
    ['an abstract type', '{ node(id: "n1") { id ... on Item { rank } } }'],
    ['an input error from a resolver', '{ refused items { id } }'],
    ['an internal error, masked', '{ crashes }'],
    ['a null in a non-null field, masked', '{ nullInNonNull }'],
    ['an asynchronous resolver', '{ slow }'],
    ['skip and include', '{ items { id @skip(if: true) rank @include(if: false) } }'],
    [
      'aliases and a named fragment',
      'query { top: items(first: 1) { ...bits } all: items { ...bits } } fragment bits on Item { id r: rank }',
    ],
    ['introspection', '{ __typename __schema { queryType { name } types { name kind } } }'],
  ])('%s', async (_name, query) => {
    const expected = await answer(standard, query);
    await answer(compiled, query);
    expect(await answer(compiled, query)).toEqual(expected);
  });

  it.each([
    ['a variable of the wrong type', { n: 'three' }],
    ['a missing non-null variable', {}],
  ])('refuses %s the same way', async (_name, variables) => {
    const query =
      'query ($n: Int, $name: String!) { items(first: $n) { id } greeting(name: $name) }';
    const expected = await answer(standard, query, variables);
    expect(expected.body).toHaveProperty('errors');
    await answer(compiled, query, variables);
    expect(await answer(compiled, query, variables)).toEqual(expected);
  });

  it('compiles a document when it runs a second time, not before', async () => {
    const query = '{ executor items { id } }';
    const runs = [await answer(compiled, query), await answer(compiled, query)];
    expect(runs.map(({ body }) => (body as { data: { executor: string } }).data.executor)).toEqual([
      'standard',
      'compiled',
    ]);
  });
});

describe('the gateway’s own operations', () => {
  it.each(exampleOperations().filter(({ document }) => !/^\s*subscription/m.test(document)))(
    '$name compiles',
    ({ document }) => {
      expect(isCompiledQuery(compileQuery(gatewaySchema, parse(document)))).toBe(true);
    },
  );
});
