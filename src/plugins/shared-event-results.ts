import {
  createSourceEventStream,
  execute,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import { argumentsDigest } from '../digest.js';

/**
 * Subscribers of one shared live topic are handed the same event objects (one per line). A
 * subscription's result for an event depends only on the event, the document, the operation,
 * the variables and the credentials (a topic's subscribers already share the credentials and
 * the filter), so subscribers that agree on all of these get one execution's result object:
 * one run of the field resolvers per line, and one encoding downstream (`EventStreamFrames`
 * caches by result object), however many subscribers there are.
 *
 * A result carrying errors is never shared: a subscriber that would receive one runs the event
 * itself (the first subscriber's run may have failed only because that client went away).
 */
export function useSharedEventResults(): Plugin<Partial<GatewayContext>> {
  const printed = new WeakMap<DocumentNode, string>();
  // Invariant: an entry lives while its event object does, that is while some subscriber's
  // backlog still holds the event.
  const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  const sharingKey = (args: ExecutionArgs): string => {
    let text = printed.get(args.document);
    if (text === undefined) {
      text = print(args.document);
      printed.set(args.document, text);
    }
    const { credentials } = args.contextValue as Partial<GatewayContext>;
    return argumentsDigest({
      document: text,
      operationName: args.operationName,
      variables: args.variableValues,
      credentials,
    });
  };

  const resultFor = (
    event: unknown,
    key: string,
    run: () => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> => {
    if (typeof event !== 'object' || event === null) return run();
    let byKey = resultsByEvent.get(event);
    if (!byKey) {
      byKey = new Map();
      resultsByEvent.set(event, byKey);
    }
    const shared = byKey.get(key);
    if (shared) return shared.then((result) => (result.errors ? run() : result));
    const own = run();
    byKey.set(key, own);
    return own;
  };

  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      const subscribe = subscribeFn as (args: ExecutionArgs) => Promise<unknown>;
      setSubscribeFn(async (args) => {
        const source = await createSourceEventStream(args);
        // A refused subscription keeps the standard executor's errors and their codes.
        if (!isAsyncIterable(source)) return subscribe(args);
        const key = sharingKey(args);
        return mapAsyncIterator(source, (event: unknown) =>
          resultFor(event, key, async () => execute({ ...args, rootValue: event })),
        );
      });
    },
  };
}
