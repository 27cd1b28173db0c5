import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { RedisSettings } from '../config.js';
import { keyedDigest } from '../digest.js';
import type { TailHub, TailHubOptions, TailHubs } from './hub.js';
import { RedisLink } from './redis-link.js';
import { SharedTails } from './shared-tails.js';
import { followSharedTopic, type SharingObserver } from './shared-topic.js';
import { TopicStream } from './topic-stream.js';

/**
 * Hubs whose topics are shared with the other replicas through Redis (`REDIS_URL`): each
 * replica fans a topic out to its own subscribers in memory, from one reader of the topic's
 * stream (see `followSharedTopic`). A topic is named in Redis by a digest keyed with the shared
 * secret, so that no credential or filter text reaches it. A subscription that is not
 * `resumable` is shared within this replica only.
 */
export function redisTailHubs(
  settings: RedisSettings,
  logger: Logger,
  observer: SharingObserver,
): TailHubs {
  const link = new RedisLink(settings, logger, (up) => observer.reachable(up));
  const token = randomBytes(16).toString('base64url');
  const following = new Set<Promise<void>>();
  const track = (run: Promise<void>) => {
    following.add(run);
    void run.finally(() => following.delete(run));
  };

  function hub<Event>(options: TailHubOptions<Event>): TailHub<Event> {
    const tails = new SharedTails<Event>(options);
    return {
      subscribe(topic, subscription) {
        const { resumable } = subscription;
        if (!resumable) return tails.join({ key: topic, ...subscription });
        const open = (signal: AbortSignal) => {
          const digest = keyedDigest(settings.secret, { hub: options.name, topic });
          const sharing = {
            link,
            stream: new TopicStream(link.commands, digest, settings, token),
            label: digest.slice(0, 12),
            leaseRenewMs: settings.leaseRenewMs,
            observer,
            logger,
            failure: (error: unknown) => options.failure(error),
            track,
          };
          return followSharedTopic(sharing, { ...subscription, resumable }, signal);
        };
        return tails.join({ key: topic, ...subscription, open });
      },
    };
  }

  return {
    hub,
    trouble: () =>
      link.up ? undefined : 'Redis is unreachable: live tails are not shared across replicas',
    async close() {
      // Topics give their leases up as their subscribers go; a hung Redis is not waited for long.
      const waited = new AbortController();
      const stopped = sleep(settings.leaseTtlMs, undefined, { signal: waited.signal });
      await Promise.race([Promise.allSettled(following), stopped.catch(() => undefined)]);
      waited.abort();
      await link.close();
    },
  };
}
