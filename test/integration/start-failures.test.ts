import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  ] as const)('%s: %s is not a number', async (name, variable) => {
    const result = await run(ENTRIES[name], { [variable]: 'abc' });
    expectOneClearLine(result, `${variable}: `, /\(got "abc"\).*unset the variable/);
  });
});

describe('persisted documents settings the gateway cannot start with', { timeout: 60_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'persisted-documents-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const manifestFile = (name: string, text: string) => {
    const path = join(directory, name);
    writeFileSync(path, text);
    return path;
  };
  /** A manifest of one document, under its true hash. */
  const manifestOf = (name: string, document: string) =>
    manifestFile(
      name,
      JSON.stringify({
        [`sha256:${createHash('sha256').update(document).digest('hex')}`]: document,
      }),
    );

  it.each([
    [
      'is a file that does not exist',
      () => join(directory, 'absent.json'),
      /cannot read the manifest/,
    ],
    ['is not JSON', () => manifestFile('broken.json', '{"sha256:'), /not JSON/],
    [
      "holds a document the gateway's schema does not allow",
      () => manifestOf('stale.json', 'query Stale { falLogs { nodes { message } } }'),
      /document sha256:[0-9a-f]{64} is not valid against the gateway's schema.*regenerate/,
    ],
  ])('PERSISTED_DOCUMENTS %s', async (_, path, says) => {
    const result = await run(ENTRIES.gateway, { PERSISTED_DOCUMENTS: path() });
    expectOneClearLine(result, 'PERSISTED_DOCUMENTS: ', says);
  });

  it('PERSISTED_ONLY without PERSISTED_DOCUMENTS', async () => {
    const result = await run(ENTRIES.gateway, { PERSISTED_ONLY: 'true' });
    expectOneClearLine(result, 'PERSISTED_ONLY: ', /needs PERSISTED_DOCUMENTS/);
  });

  it('with PERSISTED_ONLY, says in its start line that GraphiQL is off', async () => {
    const manifest = manifestOf('one.json', '{ __typename }');
    const child = spawn(TSX, [ENTRIES.gateway], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'silent',
        PERSISTED_DOCUMENTS: manifest,
        PERSISTED_ONLY: 'true',
      },
    });
    try {
      let printed = '';
      for await (const chunk of child.stdout) {
        printed += (chunk as Buffer).toString();
        if (printed.includes('\n')) break;
      }
      expect(printed).toMatch(
        /^gateway listening on http:\/\/127\.0\.0\.1:\d+\/graphql \(persisted documents: 1 from \S+one\.json, and no other; GraphiQL is off\)\n/,
      );
    } finally {
      child.kill();
    }
  });
});
