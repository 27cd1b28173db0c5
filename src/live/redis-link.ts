import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type * as IORedis from 'ioredis';
import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisSettings } from '../config.js';
import { defineTopicScripts } from './topic-stream.js';

type State = 'connecting' | 'up' | 'down';

/**
 * ioredis is loaded by the first link, so that a gateway without `REDIS_URL` never loads it.
 * It is CommonJS: `require` loads it when the link is made, which a constructor cannot await.
 */
const loadRedis = () => (createRequire(import.meta.url)('ioredis') as typeof IORedis).Redis;

/**
 * A replica's connection to Redis and what it knows of its health. Commands fail at once while
 * Redis is away (no offline queue, no resend): a topic then runs on its own instead of
 * waiting. The link is down from any failure until a ping succeeds again, at least one renewal
 * period later, so that a flapping Redis does not move topics back and forth at every blip.
 * Down and back up are each logged once.
 */
export class RedisLink {
  readonly commands: Redis;
  private state: State = 'connecting';
  private downSince = 0;
  private readonly changed = new Set<() => void>();
  private readonly closing = new AbortController();

  constructor(
    private readonly settings: RedisSettings,
    private readonly logger: Logger,
    private readonly reachable: (up: boolean) => void,
  ) {
    const Redis = loadRedis();
    this.commands = new Redis(settings.url, {
      ...FAIL_FAST,
      // Slow enough not to take a busy event loop for a hung Redis; a lease outlives it.
      commandTimeout: Math.max(settings.leaseRenewMs, settings.leaseTtlMs / 2),
      // Keeps trying to reconnect, at most a renewal period apart.
      retryStrategy: (attempt) => Math.min(attempt * 50, settings.leaseRenewMs),
    });
    defineTopicScripts(this.commands);
    this.commands.on('error', () => undefined);
    this.commands.on('close', () => this.failed());
    this.commands.on('ready', () => this.succeeded());
    this.commands.connect().catch((error: unknown) => this.failed(error));
    void this.watch();
  }

  get up(): boolean {
    return this.state === 'up';
  }

  /** A command failed: Redis counts as away until a ping succeeds again. */
  failed(error?: unknown): void {
    if (this.state === 'down' || this.closing.signal.aborted) return;
    this.downSince = Date.now();
    this.logger.warn(
      { reason: error instanceof Error ? error.message : 'connection closed' },
      'Redis unreachable: each replica serves its live tails from upstream sources of its own until it is back',
    );
    this.set('down');
  }

  /** Resolves once the link has been tried (up or down), or `signal` aborts. */
  settled(signal: AbortSignal): Promise<void> {
    return this.when(() => this.state !== 'connecting', signal);
  }

  whenUp(signal: AbortSignal): Promise<void> {
    return this.when(() => this.state === 'up', signal);
  }

  whenDown(signal: AbortSignal): Promise<void> {
    return this.when(() => this.state === 'down', signal);
  }

  /** A connection of its own for blocking reads; it does not reconnect: make another. */
  async reader(): Promise<Redis> {
    const reader = this.commands.duplicate({
      ...FAIL_FAST,
      commandTimeout: undefined,
      retryStrategy: () => null,
    });
    reader.on('error', () => undefined);
    await reader.connect();
    return reader;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await this.commands.quit().catch(() => this.commands.disconnect());
  }

  private succeeded(): void {
    if (this.state === 'up') return;
    if (this.state === 'down') {
      if (Date.now() - this.downSince < this.settings.leaseRenewMs) return;
      this.logger.info('Redis reachable again: live tails are shared across replicas again');
    }
    this.set('up');
  }

  private set(state: State): void {
    this.state = state;
    this.reachable(state === 'up');
    for (const notify of this.changed) notify();
  }

  private when(reached: () => boolean, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!reached() && !signal.aborted) return;
        this.changed.delete(check);
        signal.removeEventListener('abort', check);
        resolve();
      };
      this.changed.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }

  /** Pings every renewal period: a hung Redis answers nothing, and that counts as away. */
  private async watch(): Promise<void> {
    const signal = this.closing.signal;
    while (!signal.aborted) {
      if (this.commands.status === 'ready') {
        await this.commands.ping().then(
          () => this.succeeded(),
          (error: unknown) => this.failed(error),
        );
      }
      await sleep(this.settings.leaseRenewMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

const FAIL_FAST: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  protocol: 2,
  // No client name, library info or anything else about the clients in Redis.
  disableClientInfo: true,
};
