import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from '../../src/emulator/index.js';
import { startGatewayProcess, type GatewayProcess } from './gateway-process.js';
import { until } from './sse-client.js';

/** A gateway replica in a process of its own. */
export interface Replica {
  url: string;
  process: GatewayProcess;
}

/** A cursor secret the replicas share (topics in Redis are named by digests keyed with it). */
export const CURSOR_SECRET = 'a cursor secret the replicas share';

/** Settings for replicas sharing through `redisUrl`, leases lapsing after `leaseTtlMs`. */
export const replicaEnv = (
  redisUrl: string,
  leaseTtlMs: number,
  extra: Record<string, string> = {},
) => ({
  REDIS_URL: redisUrl,
  CURSOR_SECRET,
  REDIS_LEASE_TTL_MS: String(leaseTtlMs),
  REDIS_LEASE_RENEW_MS: '500',
  TAIL_BACKOFF_BASE_MS: '20',
  TAIL_BACKOFF_MAX_MS: '200',
  ...extra,
});

export const startReplicas = (
  emulator: Emulator,
  count: number,
  env: Record<string, string>,
): Promise<Replica[]> =>
  Promise.all(Array.from({ length: count }, () => startGatewayProcess(emulator, 0, env)));

/** The sum of a metric's series on a replica. */
async function metric(replica: Replica, name: string): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  const series = text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'));
  return [...series].reduce((sum, [, value]) => sum + Number(value), 0);
}

export const total = async (replicas: readonly Replica[], name: string) =>
  (await Promise.all(replicas.map((replica) => metric(replica, name)))).reduce((a, b) => a + b, 0);

/** The replica holding a lease, when exactly one of `replicas` holds one. */
export async function leaseHolder(replicas: readonly Replica[]): Promise<Replica> {
  const held = await Promise.all(
    replicas.map((replica) => metric(replica, 'gateway_live_leases_held')),
  );
  if (held.filter((count) => count > 0).length !== 1) {
    throw new Error(`expected one replica holding a lease, found ${held.join(', ')}`);
  }
  return replicas[held.findIndex((count) => count > 0)]!;
}

/** Waits, checking every 100 ms, for `condition`. */
export const eventually = (
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
) =>
  until(
    async () => {
      if (await condition()) return true;
      await sleep(100);
      return false;
    },
    timeoutMs,
    what,
  );
