import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** Debian's `redis-server` (`.ci/run` installs it when missing). */
const REDIS_SERVER = 'redis-server';

export interface RedisServer {
  url: string;
  /** Stops the server: SIGTERM, or SIGKILL as a crash. Nothing is saved: it comes back empty. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Every key and every string in every value the server holds now. */
  contents(): Promise<{ keys: string[]; values: string[] }>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const running = new Set<ChildProcess>();

/** A real Redis on a free loopback port, with no persistence, for one test file. */
export async function startRedisServer(): Promise<RedisServer> {
  if (spawnSync(REDIS_SERVER, ['--version']).error) {
    throw new Error(`${REDIS_SERVER} not found: install Debian's redis-server (.ci/run does)`);
  }
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    const started = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    running.add(started);
    child = started;
    await new Promise<void>((resolve, reject) => {
      let printed = '';
      started.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}): ${printed}`)),
      );
    });
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const stopping = child;
    if (!stopping || stopping.exitCode !== null) return;
    const exited = once(stopping, 'exit');
    stopping.kill(signal);
    await exited;
    running.delete(stopping);
  };

  await start();
  return {
    url,
    start,
    stop,
    async contents() {
      const redis = new Redis(url, { lazyConnect: true, protocol: 2 });
      await redis.connect();
      try {
        const keys = await redis.keys('*');
        const values: string[] = [];
        for (const key of keys) {
          const type = await redis.type(key);
          if (type === 'string') values.push((await redis.get(key)) ?? '');
          if (type === 'zset') values.push(...(await redis.zrange(key, '0', '-1')));
          if (type === 'stream') {
            for (const [, fields] of await redis.xrange(key, '-', '+')) values.push(...fields);
          }
        }
        return { keys, values };
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Stops every Redis a test file started (for an `afterAll`). */
export const stopRedisServers = () =>
  Promise.all(
    [...running].map(async (child) => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
