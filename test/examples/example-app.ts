import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What `git clone` gives: no installed packages, nothing generated. */
const NOT_CHECKED_IN = new Set(['node_modules', 'generated']);
const copies: string[] = [];

/**
 * Copies `examples/<name>` and the schema it generates from out of the repository, laid out as
 * in a clone: nothing can resolve from the repository's own node_modules, so a package the
 * example uses without declaring it fails as it would for a user.
 */
export async function copyExample(name: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'logs-gateway-examples-'));
  copies.push(root);
  await cp(join(REPO_ROOT, 'schema/schema.graphql'), join(root, 'schema/schema.graphql'));
  await cp(join(REPO_ROOT, 'examples', name), join(root, 'examples', name), {
    recursive: true,
    filter: (source) => !NOT_CHECKED_IN.has(basename(source)),
  });
  return join(root, 'examples', name);
}

/** Deletes the copies, installed packages included. */
export const removeExampleCopies = () =>
  Promise.all(copies.splice(0).map((root) => rm(root, { recursive: true, force: true })));

/** The environment of a fresh shell: nothing from the `npm run` that started the tests. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
  );
  return { ...env, ...extra };
}

/** Runs a command to its end; rejects with everything it printed when it fails. */
export async function run(cwd: string, command: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)(command, args, {
      cwd,
      env: userEnv({}),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 10 * 60_000,
    });
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`);
  }
}

export interface RunningScript {
  /** Everything printed on stdout so far, line by line. */
  readonly lines: string[];
  /** Resolves with the exit code; `stderr` is what the script printed there. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** Starts `npm start` in an example, in a process group of its own so that it can be ended. */
export function startScript(cwd: string, env: Record<string, string>): RunningScript {
  const child = spawn('npm', ['start', '--silent'], {
    cwd,
    env: userEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'close').then(([code]) => ({ code: code as number | null, stderr }));
  return {
    lines,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid!, 'SIGKILL');
    },
  };
}
