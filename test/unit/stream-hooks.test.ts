import {
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { createSchema, createYoga, isAsyncIterable, type Plugin } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { SubscriptionStreamHooks } from '../../src/plugins/stream-hooks.js';

const schema = createSchema({
  typeDefs: 'type Query { ok: Boolean } type Subscription { tick: Int }',
  resolvers: {
    Subscription: {
      tick: {
        subscribe: async function* () {
          for (let tick = 1; ; tick += 1) yield await Promise.resolve({ tick });
        },
      },
    },
  },
});

type Seen = { seen?: string[] };

/**
 * A plugin that marks each result of a stream with its name, and records what it did; a `later`
 * one marks it after a turn of the event loop (its hook returns a promise).
 */
function recording(name: string, calls: string[], later = false): Plugin {
  const mark = (result: ExecutionResult, setResult: (result: ExecutionResult) => void) => {
    calls.push(`${name} next`);
    const seen = (result.extensions as Seen | undefined)?.seen ?? [];
    setResult({ ...result, extensions: { seen: [...seen, name] } });
  };
  return {
    onSubscribe: () => ({
      onSubscribeResult: () => ({
        onNext: ({ result, setResult }) =>
          later
            ? new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
                mark(result, setResult),
              )
            : mark(result, setResult),
        onEnd: () => void calls.push(`${name} end`),
      }),
    }),
  };
}

/** A subscription run through a Yoga whose plugins `a`, `b` and `c` have their stream hooks held. */
async function subscription() {
  const calls: string[] = [];
  const hooks = new SubscriptionStreamHooks();
  const yoga = createYoga({
    schema,
    plugins: [
      hooks.hold(recording('a', calls)),
      hooks.hold(recording('b', calls, true)),
      // `c` is added by a plugin as it starts, as graphql-yoga's Prometheus plugin adds envelop's.
      hooks.hold({ onPluginInit: ({ addPlugin }) => addPlugin(recording('c', calls)) }),
      hooks.runner,
    ],
  });
  const enveloped = yoga.getEnveloped({
    request: new Request('http://localhost/graphql'),
    params: { query: 'subscription { tick }' },
  });
  const args: ExecutionArgs = {
    schema: enveloped.schema as GraphQLSchema,
    document: enveloped.parse('subscription { tick }') as DocumentNode,
    contextValue: await enveloped.contextFactory(),
  };
  const stream = (await enveloped.subscribe(args)) as unknown;
  if (!isAsyncIterable(stream)) throw new Error('not a stream');
  const results = stream[Symbol.asyncIterator]() as AsyncIterator<ExecutionResult>;
  return { calls, hooks, args, results };
}

const seenBy = (next: IteratorResult<ExecutionResult>) =>
  (next.value as ExecutionResult).extensions as Seen | undefined;

describe('SubscriptionStreamHooks', () => {
  it('runs the held hooks of a stream read through its chain, in the plugins’ order (one of them asynchronous), and its ends once', async () => {
    const { calls, results } = await subscription();
    expect(seenBy(await results.next())).toEqual({ seen: ['a', 'b', 'c'] });
    expect(seenBy(await results.next())).toEqual({ seen: ['a', 'b', 'c'] });
    await results.return?.();
    await results.return?.();
    expect(calls).toEqual([
      ...['a next', 'b next', 'c next'],
      ...['a next', 'b next', 'c next'],
      ...['a end', 'b end', 'c end'],
    ]);
  });

  it('hands a detached stream’s hooks to whoever detached it: the chain runs none of them any more', async () => {
    const { calls, hooks, args, results } = await subscription();
    expect(seenBy(await results.next())).toEqual({ seen: ['a', 'b', 'c'] });
    const detached = hooks.detach(args.contextValue as object, args);

    expect(seenBy(await results.next())).toBeUndefined();
    await results.return?.();
    expect(calls).toEqual(['a next', 'b next', 'c next']);

    const own = await detached.next({ data: { tick: 9 } });
    expect(own.extensions).toEqual({ seen: ['a', 'b', 'c'] });
    detached.end();
    detached.end();
    expect(calls).toEqual([
      ...['a next', 'b next', 'c next'],
      ...['a next', 'b next', 'c next'],
      ...['a end', 'b end', 'c end'],
    ]);
  });

  it('masks a detached result’s unexpected errors as graphql-yoga does, and keeps the contract’s', async () => {
    const { hooks, args } = await subscription();
    const detached = hooks.detach(args.contextValue as object, args);
    const upstream = new GraphQLError('fal answered 503', {
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    });
    const internal = new GraphQLError('secret detail', { originalError: new Error('secret') });
    const { errors } = await detached.next({ data: null, errors: [upstream, internal] });
    expect(errors?.map((error) => [error.message, error.extensions.code])).toEqual([
      ['fal answered 503', 'UPSTREAM_UNAVAILABLE'],
      ['Unexpected error.', 'INTERNAL_SERVER_ERROR'],
    ]);
  });
});
