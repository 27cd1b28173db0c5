import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the gateway's entry in a process of its own and says whether it loaded ioredis. */
async function loadsIoredis(env: Record<string, string>): Promise<boolean> {
  const script = `
    import { createRequire } from 'node:module';
    await import('./src/main.ts');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log('ioredis loaded: ' + loaded.some((path) => path.includes('/node_modules/ioredis/')));
    process.exit(0);
  `;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', script],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env },
    },
  );
  const answer = /ioredis loaded: (true|false)/.exec(stdout);
  if (!answer) throw new Error(`the gateway did not start:\n${stdout}`);
  return answer[1] === 'true';
}

describe('what the gateway loads at start', () => {
  it('does not load the Redis client without REDIS_URL', async () => {
    expect(await loadsIoredis({})).toBe(false);
  });

  it('loads it with REDIS_URL (even while Redis is away)', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:9', CURSOR_SECRET: 'x'.repeat(32) };
    expect(await loadsIoredis(env)).toBe(true);
  });
});
