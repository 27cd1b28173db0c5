import {
  createSourceEventStream,
  execute,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { context as otelContext, type Context } from '@opentelemetry/api';
import { isAsyncIterable, mapAsyncIterator, type Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { gatewayContextOf, type Followable, type GatewayContext } from '../context.js';
import { argumentsDigest } from '../digest.js';
import {
  DONE,
  EventGroups,
  type FrameWriter,
  type GroupMember,
  type Joinable,
  type Joined,
  type RunEvent,
} from './event-groups.js';
import { variablesReadPerEvent } from './event-variables.js';
import { useSharedEventStreamFrames, type EventStreamFrames } from './event-stream-frames.js';
import type { DetachedHooks, SubscriptionStreamHooks } from './stream-hooks.js';

/**
 * A shared topic's subscription, or a replay that goes on with one: it may be handed to a group
 * (see `EventGroup`).
 */
const isFollowable = (
  source: AsyncIterable<unknown>,
): source is Followable<unknown> & AsyncIterable<unknown> =>
  typeof (source as Partial<Followable<unknown>>).follow === 'function';

/** An iterator that has ended. */
const ended = (): AsyncIterator<ExecutionResult> => ({
  next: () => Promise.resolve(DONE),
  return: () => Promise.resolve(DONE),
});

/**
 * What a group member runs itself (`GroupMember.results`), each result passed through the
 * subscription's detached hooks, which end with it; read inside the trace context it was
 * subscribed in, as its chain would read it.
 */
class DetachedResults implements AsyncIterableIterator<ExecutionResult> {
  constructor(
    private readonly own: AsyncIterableIterator<ExecutionResult>,
    private readonly hooks: DetachedHooks,
    private readonly traced: Context,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  /** Not an async function: it waits for the member's turn, mostly, with no frame suspended. */
  next(): Promise<IteratorResult<ExecutionResult>> {
    return otelContext
      .with(this.traced, () => this.own.next())
      .then(async (next) => {
        if (next.done) {
          this.hooks.end();
          return next;
        }
        return { done: false, value: await this.hooks.next(next.value) };
      });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    try {
      return (await this.own.return?.()) ?? DONE;
    } finally {
      this.hooks.end();
    }
  }
}

/** A followable subscription and how it joins the group of its sharing key. */
interface GroupOf {
  source: Followable<unknown>;
  join: (writer: FrameWriter) => GroupMember;
}

/**
 * A subscription's results, each event's result shared by the subscribers that agree on the
 * sharing key (`shared`). Once the gateway writes its event stream (see `Joinable`), that stream
 * reads the results through the subscription's detached hooks, and this chain's source is over:
 * the chain is let go. A shared tail's subscription, or a replay that goes on with one, then
 * joins its group (`group`) and the stream reads what its member runs itself; any other
 * subscription's stream reads its runs of each event. Read as an iterator instead (single-connection mode, `yoga.fetch`), it is its
 * chain's source like any subscription's.
 */
class DetachableResults implements AsyncIterableIterator<ExecutionResult>, Joinable {
  private iterator: AsyncIterator<ExecutionResult> | undefined;
  /** The trace context it was subscribed in: its results are read there, as the chain would. */
  private readonly traced: Context = otelContext.active();

  constructor(
    private readonly shared: () => AsyncIterableIterator<ExecutionResult>,
    private readonly detachHooks: () => DetachedHooks,
    private readonly group: GroupOf | undefined,
  ) {}

  [Symbol.asyncIterator]() {
    return this;
  }

  join(writer: FrameWriter): Joined {
    const { group, traced } = this;
    this.iterator = ended();
    if (!group) return { results: new DetachedResults(this.shared(), this.detachHooks(), traced) };
    const member = group.join(writer);
    otelContext.with(traced, () => member.follow(group.source));
    return {
      member,
      results: new DetachedResults(member.results(), this.detachHooks(), traced),
    };
  }

  next() {
    this.iterator ??= this.shared();
    return this.iterator.next();
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.iterator ??= this.shared();
    return (await this.iterator.return?.()) ?? { done: true, value: undefined };
  }
}

/**
 * Subscribers of one shared live topic are handed the same event objects (one per line). A
 * subscription's result for an event depends only on the event, the document, the operation,
 * the variables it reads per event (`variablesReadPerEvent`: not the root field's arguments,
 * which chose the topic) and the credentials, so subscribers that agree on all of these get one
 * execution's result object: one run of the field resolvers per line, and one encoding downstream
 * (`EventStreamFrames` caches by result object), however many subscribers there are. A replay
 * from `since` that has caught up with the shared tail thus shares the results of its lines.
 *
 * On `/graphql` (distinct connections), subscribers of a shared tail that also agree on every
 * variable form a group (`EventGroup`): each line is run once and its frame written to all of
 * them in one loop, with no per-subscriber promise chain per line. A replay from `since` is a
 * member of its own sharing key's group from the start: it runs what it replays itself (through
 * the shared results: replays that switch on the same live line, handed out as the shared tail
 * brought it, share its run) and, once it has caught up, is written the group's frames like any
 * member. Any other subscription on `/graphql` (a timeline, a feed) has its results read by its
 * event stream without its chain of plugins; on `/graphql/stream` each subscriber reads its
 * results through its chain.
 *
 * A result carrying errors is never shared: a subscriber that would receive one runs the event
 * itself (the first subscriber's run may have failed only because that client went away).
 */
export function useSharedEventStreams(
  registry: Registry,
  streamHooks: SubscriptionStreamHooks,
): Plugin<Partial<GatewayContext>>[] {
  let frames: EventStreamFrames | undefined;
  const groups = new EventGroups((result) => frames!.frameOf(result));
  const printed = new WeakMap<DocumentNode, string>();
  const readPerEvent = new WeakMap<DocumentNode, Map<string, ReadonlySet<string> | undefined>>();
  // Invariant: an entry lives while its event object does, that is while some subscriber's
  // backlog still holds the event.
  const resultsByEvent = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

  const sharingKey = (args: ExecutionArgs, variables: ExecutionArgs['variableValues']): string => {
    let text = printed.get(args.document);
    if (text === undefined) {
      text = print(args.document);
      printed.set(args.document, text);
    }
    const { credentials } = args.contextValue as Partial<GatewayContext>;
    return argumentsDigest({
      document: text,
      operationName: args.operationName,
      variables,
      credentials,
    });
  };

  /** The variables of `args` its execution may read for each event (see `variablesReadPerEvent`). */
  const eventVariables = ({ document, operationName, variableValues }: ExecutionArgs) => {
    let byOperation = readPerEvent.get(document);
    if (!byOperation) {
      byOperation = new Map();
      readPerEvent.set(document, byOperation);
    }
    const name = operationName ?? '';
    if (!byOperation.has(name))
      byOperation.set(name, variablesReadPerEvent(document, operationName));
    const read = byOperation.get(name);
    if (!read || !variableValues) return variableValues;
    return Object.fromEntries(
      Object.entries(variableValues).filter(([variable]) => read.has(variable)),
    );
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

  /**
   * A run of the document for one event, and the run shared by the subscribers that agree on the
   * results' key. Made in a scope of their own, so that they hold `args` and nothing else.
   */
  const eventRuns = (args: ExecutionArgs): { run: RunEvent; sharedRun: RunEvent } => {
    const resultKey = sharingKey(args, eventVariables(args));
    const run = async (event: unknown) => execute({ ...args, rootValue: event });
    const sharedRun = (event: unknown) => resultFor(event, resultKey, () => run(event));
    return { run, sharedRun };
  };

  const sharedEvents: Plugin<Partial<GatewayContext>> = {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      const subscribe = subscribeFn as (args: ExecutionArgs) => Promise<unknown>;
      setSubscribeFn(async (args) => {
        const source = await createSourceEventStream(args);
        // A refused subscription keeps the standard executor's errors and their codes.
        if (!isAsyncIterable(source)) return subscribe(args);
        // Yoga's context carries the request the event stream will answer. The runs read the
        // gateway's own context, so an open subscription does not keep the request alive.
        const { request } = args.contextValue as { request?: Request };
        const gateway = request && gatewayContextOf(request);
        const runArgs: ExecutionArgs = gateway ? { ...args, contextValue: gateway } : args;
        const { run, sharedRun } = eventRuns(runArgs);
        const group: GroupOf | undefined = isFollowable(source)
          ? {
              source,
              join: (writer) =>
                groups
                  .group(sharingKey(runArgs, runArgs.variableValues))
                  .join(sharedRun, run, writer),
            }
          : undefined;
        const results = new DetachableResults(
          () => mapAsyncIterator(source, sharedRun),
          () => streamHooks.detach(args.contextValue as object, runArgs),
          group,
        );
        if (request) groups.offer(request, results);
        return results;
      });
    },
  };
  return [sharedEvents, useSharedEventStreamFrames(registry, (made) => (frames = made), groups)];
}
