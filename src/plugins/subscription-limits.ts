import { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { ClientQuota, GatewayContext } from '../context.js';
import { argumentsDigest } from '../digest.js';

/**
 * What a client's subscriptions are counted under: each credential it sent, by digest and
 * without its scheme (so `Key k` and `key  k` are one key), and the address it comes from.
 */
function clientKeys(context: Partial<GatewayContext>): string[] {
  const keys = Object.values(context.credentials ?? {}).map(
    (credential) => `credential:${argumentsDigest(credential.replace(/^\S+\s+/, ''))}`,
  );
  if (context.remoteAddress) keys.push(`address:${context.remoteAddress}`);
  return keys;
}

/**
 * No client holds more than `quota.limit` subscriptions open, per credential and per remote
 * address. The one past the limit is refused with RATE_LIMITED before it runs (so before any
 * upstream call); a place is given back when its subscription ends, however it ends.
 */
export function useSubscriptionLimits(quota: ClientQuota): Plugin<Partial<GatewayContext>> {
  return {
    onSubscribe({ args, setResultAndStopExecution }) {
      const release = quota.hold(clientKeys(args.contextValue));
      if (!release) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `Too many open subscriptions: at most ${quota.limit} per client (MAX_SUBSCRIPTIONS_PER_CLIENT); end one before opening another`,
              { extensions: { code: 'RATE_LIMITED' } },
            ),
          ],
        });
        return;
      }
      return {
        onSubscribeResult({ result }) {
          // A refused operation (bad input, no credential) never started.
          if (!isAsyncIterable(result)) {
            release();
            return;
          }
          return { onEnd: release };
        },
        onSubscribeError: release,
      };
    },
  };
}
