import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TSX = new URL('../../node_modules/.bin/tsx', import.meta.url).pathname;
const entry = (path: string) => new URL(`../../src/${path}`, import.meta.url).pathname;
const ENTRIES = {
  gateway: entry('main.ts'),
  demo: entry('demo.ts'),
  emulator: entry('emulator/main.ts'),
};

/**
 * Runs an entry to its exit (killed after 30 s) and returns its exit code and what it printed
 * on stderr. Every port is 0 unless `env` says otherwise.
 */
async function run(path: string, env: Record<string, string>) {
  const child = spawn(TSX, [path], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: '0',
      EMULATOR_FAL_PORT: '0',
      EMULATOR_DIFY_PORT: '0',
      DASHBOARD_PORT: '0',
      ...env,
    },
    timeout: 30_000,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, lines: stderr.split('\n').filter((line) => line.trim() !== '') };
}

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

/** One line naming the variable and saying what to do, no stack trace, exit code 1. */
function expectOneClearLine(
  result: { code: number | null; lines: string[] },
  variable: string,
  says: RegExp,
) {
  expect(result.code).toBe(1);
  expect(result.lines).toHaveLength(1);
  expect(result.lines[0]).toContain(variable);
  expect(result.lines[0]).toMatch(says);
  expect(result.lines[0]).not.toMatch(/\bat .*:\d+:\d+/);
}

describe('an entry that cannot start says why in one line and exits 1', { timeout: 60_000 }, () => {
  it.each([
    ['gateway', 'PORT'],
    ['demo', 'PORT'],
    ['emulator', 'EMULATOR_FAL_PORT'],
    ['demo', 'EMULATOR_DIFY_PORT'],
    ['demo', 'DASHBOARD_PORT'],
  ] as const)('%s: %s is a port already in use', async (name, variable) => {
    const result = await run(ENTRIES[name], { [variable]: String(busyPort) });
    expectOneClearLine(result, variable, /already in use.*set .* to a free port/);
    expect(result.lines[0]).toContain(`127.0.0.1:${busyPort}`);
  });

  it.each([
    ['gateway', 'PORT'],
    ['demo', 'PORT'],
    ['emulator', 'EMULATOR_FAL_PORT'],
    ['emulator', 'EMULATOR_SCALE'],
    ['demo', 'DASHBOARD_PORT'],
  ] as const)('%s: %s is not a number', async (name, variable) => {
    const result = await run(ENTRIES[name], { [variable]: 'abc' });
    expectOneClearLine(result, `${variable}: `, /\(got "abc"\).*unset the variable/);
  });
});
