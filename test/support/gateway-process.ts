import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../../src/emulator/index.js';

export type GatewayProcess = ChildProcessByStdio<null, Readable, null>;

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const running = new Set<GatewayProcess>();

/**
 * The gateway's own entry point in a process of its own, so that it can be killed (or so that
 * it may register process-wide state, such as a tracing SDK). `env` adds to or overrides its
 * settings; `output()` is everything it has printed on stdout so far (its log lines).
 */
export async function startGatewayProcess(
  emulator: Emulator,
  port: number,
  env: Record<string, string> = {},
): Promise<{ url: string; process: GatewayProcess; output(): string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      FAL_API_URL: emulator.falUrl,
      DIFY_API_URL: emulator.difyUrl,
      FAL_LEGACY_API_URL: emulator.falLegacyUrl,
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  running.add(child);
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const listening = /gateway listening on (\S+)\/graphql/.exec(printed);
      if (listening) resolve(listening[1]!);
    });
    child.once('exit', (code) =>
      reject(new Error(`the gateway exited (${code}) before listening`)),
    );
  });
  return { url, process: child, output: () => printed };
}

export async function stopGatewayProcess(child: GatewayProcess, signal: NodeJS.Signals) {
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
  running.delete(child);
}

/** Kills whatever gateway a test left running (for an `afterEach`). */
export const killGatewayProcesses = () =>
  Promise.all([...running].map((child) => stopGatewayProcess(child, 'SIGKILL')));
