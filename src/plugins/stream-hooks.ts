import type { ExecutionArgs, ExecutionResult } from 'graphql';
import { isAsyncIterable, maskError, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';

type SubscribeHooks = Exclude<Awaited<ReturnType<NonNullable<Plugin['onSubscribe']>>>, void>;
/** What one plugin does with each result of a subscription's stream and when it ends (envelop's). */
type StreamHooks = Exclude<ReturnType<NonNullable<SubscribeHooks['onSubscribeResult']>>, void>;
type OnNext = NonNullable<StreamHooks['onNext']>;
type SubscribeArgs = Parameters<OnNext>[0]['args'];

/** graphql-yoga's message for an error it masks. */
const MASKED_MESSAGE = 'Unexpected error.';

/** The held hooks of one subscription, in the order of the plugins that gave them. */
class HeldHooks {
  private nexts: OnNext[] = [];
  private ends: Array<() => void> = [];
  private ended = false;

  /** Keeps its hooks in lists of their own size: detached, they live as long as the subscription. */
  compact() {
    this.nexts = this.nexts.slice();
    this.ends = this.ends.slice();
  }

  add({ onNext, onEnd }: StreamHooks) {
    if (onNext) this.nexts.push(onNext);
    if (onEnd) this.ends.push(onEnd);
  }

  /** `result` through the hooks from the `from`th on: at once, unless a hook returns a promise. */
  next(
    args: SubscribeArgs,
    result: ExecutionResult,
    from = 0,
  ): ExecutionResult | Promise<ExecutionResult> {
    let current = result;
    const setResult = (set: ExecutionResult) => (current = set);
    for (let index = from; index < this.nexts.length; index += 1) {
      const pending = this.nexts[index]!({ args, result: current, setResult });
      if (pending) return pending.then(() => this.next(args, current, index + 1));
    }
    return current;
  }

  end() {
    if (this.ended) return;
    this.ended = true;
    for (const onEnd of this.ends) onEnd();
  }
}

/** A subscription no held plugin gave hooks to. */
const NO_HOOKS = {
  next: (_args: SubscribeArgs, result: ExecutionResult) => result,
  end: () => undefined,
};

/** A subscription's held hooks, run by whoever writes its results once its chain is let go. */
export interface DetachedHooks {
  /** What the chain would have done to `result`: the held hooks, then graphql-yoga's masking. */
  next(result: ExecutionResult): Promise<ExecutionResult>;
  /** What the chain does when the stream ends; runs once. */
  end(): void;
}

/**
 * What plugins do with each result of a subscription's stream and when it ends (envelop's
 * `onNext` and `onEnd`), held per subscription beside envelop's chain rather than inside it.
 * A subscription read through its chain runs them there (`runner`, after every held plugin, so
 * in the same order as before). A subscription whose event stream the gateway writes itself
 * takes them (`detach`) and runs them on the results it reads without its chain (a group
 * member's, only those it runs alone), and its chain, which keeps the whole request's state
 * reachable, is let go.
 *
 * Invariant: a subscription's hooks run in one place: the chain's runner finds none once they
 * were detached, and the chain of a detached subscription is never read again. A plugin that
 * hooks subscription streams must be given to `hold` (see `createGateway`): the hooks of one
 * that is not stay in the chain, and a detached subscription never runs them.
 */
export class SubscriptionStreamHooks {
  private readonly byContext = new WeakMap<object, HeldHooks>();

  /**
   * `plugin`, except that the hooks its `onSubscribeResult` gives a stream are held here; so are
   * those of the plugins it adds when it starts (graphql-yoga's Prometheus plugin adds envelop's).
   */
  hold<Context extends object>(plugin: Plugin<Context>): Plugin<Context> {
    const { onSubscribe, onPluginInit } = plugin;
    const held: Plugin<Context> = onPluginInit
      ? {
          ...plugin,
          onPluginInit: (payload) =>
            onPluginInit.call(plugin, {
              ...payload,
              addPlugin: (added) => payload.addPlugin(this.hold(added)),
            }),
        }
      : plugin;
    if (!onSubscribe) return held;
    const holding = (args: SubscribeArgs, hooks: Awaited<ReturnType<typeof onSubscribe>>) => {
      const onSubscribeResult = hooks?.onSubscribeResult;
      if (!onSubscribeResult) return hooks;
      return {
        ...hooks,
        onSubscribeResult: (payload: Parameters<typeof onSubscribeResult>[0]) => {
          const streamHooks = onSubscribeResult(payload);
          // The plugin's hooks take its own context type; they are given this very subscription's.
          if (streamHooks) this.heldFor(args).add(streamHooks as StreamHooks);
        },
      };
    };
    return {
      ...held,
      onSubscribe(payload) {
        const hooks = onSubscribe.call(plugin, payload);
        return hooks instanceof Promise
          ? hooks.then((resolved) => holding(payload.args, resolved))
          : holding(payload.args, hooks);
      },
    };
  }

  /**
   * Runs the held hooks of a subscription read through its chain, looked up as each result comes
   * (none once they were detached): goes after every held plugin.
   */
  readonly runner: Plugin = {
    onSubscribe: ({ args: { contextValue } }) => ({
      onSubscribeResult: ({ result }) => {
        // As envelop does with stream hooks, none run for a result that is not a stream.
        if (!isAsyncIterable(result)) return;
        return {
          onNext: ({ args, result: next, setResult }) => {
            const held = this.byContext.get(contextValue);
            if (!held) return;
            const processed = held.next(args, next);
            if (processed instanceof Promise) return processed.then(setResult);
            setResult(processed);
          },
          onEnd: () => this.byContext.get(contextValue)?.end(),
        };
      },
    }),
  };

  /**
   * Takes the hooks of the subscription whose context is `context` out of its chain: from now on
   * only the caller runs them, with `args`. Its errors are masked as graphql-yoga masks them
   * (after every plugin), with the originals logged on `args`' logger.
   */
  detach(context: object, args: ExecutionArgs): DetachedHooks {
    const held = this.byContext.get(context) ?? NO_HOOKS;
    this.byContext.delete(context);
    if (held instanceof HeldHooks) held.compact();
    // The plugins' hooks take the context type they were written for; `args` is this subscription's.
    const hookArgs = args as SubscribeArgs;
    const { logger } = args.contextValue as { logger?: Logger };
    return {
      next: async (result) => masked(await held.next(hookArgs, result), logger),
      end: () => held.end(),
    };
  }

  private heldFor(args: SubscribeArgs): HeldHooks {
    const context = args.contextValue as object;
    let held = this.byContext.get(context);
    if (!held) {
      held = new HeldHooks();
      this.byContext.set(context, held);
    }
    return held;
  }
}

function masked(result: ExecutionResult, logger: Logger | undefined): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const shown = maskError(error, MASKED_MESSAGE);
    if (shown !== error) logger?.error(error);
    return shown as typeof error;
  });
  return { ...result, errors };
}
