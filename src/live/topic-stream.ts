import type { Redis, Result } from 'ioredis';
import type { RedisSettings } from '../config.js';

/**
 * One shared topic in Redis, under a keyed digest (no credential or filter text): the capped
 * stream of its events, the lease of the replica that appends to it, and the replicas that
 * follow it. The braces keep a topic's keys in one cluster slot, as its scripts need.
 *
 * Invariants: only the lease's holder appends (each append checks the lease in the same
 * script), so a holder that lost its lease (it hung, or was cut off) cannot append after its
 * successor has read where to resume from. An `end` entry follows a source's last event.
 */
export class TopicStream {
  private readonly lease: string;
  private readonly followers: string;
  private readonly events: string;

  constructor(
    private readonly redis: Redis,
    digest: string,
    private readonly settings: RedisSettings,
    /** This replica's lease value: random, the same for all its topics. */
    private readonly token: string,
  ) {
    const base = `${settings.keyPrefix}{${digest}}`;
    this.lease = `${base}:lease`;
    this.followers = `${base}:followers`;
    this.events = `${base}:events`;
  }

  /**
   * Marks this replica as following the topic, and renews its lease or takes it when free.
   * `others` counts the other replicas following it now.
   */
  async beat(): Promise<{ holding: boolean; others: number }> {
    const [holding, others] = await this.redis.gatewayTopicBeat(
      this.lease,
      this.followers,
      this.events,
      this.token,
      this.settings.leaseTtlMs,
      this.streamTtlMs,
    );
    return { holding: holding === 1, others };
  }

  /** Appends in order while this replica holds the lease; false (nothing appended) once it does not. */
  async append(entries: readonly StreamEntry[]): Promise<boolean> {
    const fields = entries.flatMap((entry) =>
      entry.kind === 'event' ? ['e', entry.data] : ['end', '1'],
    );
    const appended = await this.redis.gatewayTopicAppend(
      this.lease,
      this.events,
      this.token,
      this.settings.streamMaxLen,
      this.streamTtlMs,
      ...fields,
    );
    return appended === 1;
  }

  /** Stops following the topic, giving up its lease if this replica holds it. */
  async leave(): Promise<void> {
    await this.redis.gatewayTopicLeave(this.lease, this.followers, this.token);
  }

  /** The id of the newest entry, from which a reader starts: what comes after it is new. */
  async newestId(): Promise<string> {
    const [newest] = await this.redis.xrevrange(this.events, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  /** The events the stream keeps since the last `end`, oldest first: where a source resumes. */
  async eventsSinceEnd(): Promise<string[]> {
    const newestFirst = await this.redis.xrevrange(
      this.events,
      '+',
      '-',
      'COUNT',
      this.settings.streamMaxLen,
    );
    const events: string[] = [];
    for (const [, fields] of newestFirst) {
      const entry = entryOf(fields);
      if (entry.kind === 'end') break;
      events.push(entry.data);
    }
    return events.reverse();
  }

  /**
   * The entries after `afterId`, oldest first, read on `reader` (a connection of its own: the
   * read waits until there are some, `blockMs` passes (0: no limit), or the connection is closed).
   */
  async read(
    reader: Redis,
    afterId: string,
    blockMs: number,
  ): Promise<Array<{ id: string; entry: StreamEntry }>> {
    const reply = (await reader.call(
      'XREAD',
      'COUNT',
      READ_COUNT,
      'BLOCK',
      blockMs,
      'STREAMS',
      this.events,
      afterId,
    )) as Array<[key: string, entries: Array<[id: string, fields: string[]]>]> | null;
    return (reply?.[0]?.[1] ?? []).map(([id, fields]) => ({ id, entry: entryOf(fields) }));
  }

  /** Long enough to outlive a change of holder; renewed by every follower's beat. */
  private get streamTtlMs(): number {
    return this.settings.leaseTtlMs * 3;
  }
}

/** An entry of a topic's stream: an event's JSON, or the end of the source that appended it. */
export type StreamEntry = { kind: 'event'; data: string } | { kind: 'end' };

const READ_COUNT = 1000;

function entryOf(fields: string[]): StreamEntry {
  return fields[0] === 'e' ? { kind: 'event', data: fields[1] ?? 'null' } : { kind: 'end' };
}

/** The epoch ms at which Redis appended the entry `id` (`<ms>-<sequence>`). */
export function appendedAtMs(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}

/** ARGV: token, lease TTL, stream TTL. Returns {1 when this replica holds the lease, other followers}. */
const BEAT = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ARGV[3])
local others = redis.call('ZCARD', KEYS[2]) - 1
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, others}
end
if holder then return {0, others} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
return {1, others}
`;

/** ARGV: token, max length, stream TTL, then field/value pairs, one pair per entry. */
const APPEND = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 4, #ARGV, 2 do
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1
`;

/** ARGV: token. */
const LEAVE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    gatewayTopicBeat(
      lease: string,
      followers: string,
      events: string,
      token: string,
      leaseTtlMs: number,
      streamTtlMs: number,
    ): Result<[number, number], Context>;
    gatewayTopicAppend(
      lease: string,
      events: string,
      token: string,
      maxLen: number,
      streamTtlMs: number,
      ...fields: string[]
    ): Result<number, Context>;
    gatewayTopicLeave(lease: string, followers: string, token: string): Result<number, Context>;
  }
}

/** Teaches `redis` the topic scripts (sent once, then called by their digest). */
export function defineTopicScripts(redis: Redis): void {
  redis.defineCommand('gatewayTopicBeat', { numberOfKeys: 3, lua: BEAT });
  redis.defineCommand('gatewayTopicAppend', { numberOfKeys: 2, lua: APPEND });
  redis.defineCommand('gatewayTopicLeave', { numberOfKeys: 2, lua: LEAVE });
}
