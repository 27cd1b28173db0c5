import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export interface NodeProcessOptions {
  /** Arguments after `node`: node flags, then the script and its own arguments. */
  args: string[];
  env: Record<string, string>;
  /** Matched against everything the process has printed so far; the process is ready once it matches. */
  ready: RegExp;
  /** Longest wait for `ready`. */
  timeoutMs?: number;
}

export interface NodeProcess {
  pid: number;
  /** The match of `ready` on the process's output. */
  banner: RegExpExecArray;
  /** Resident set size in bytes, from /proc. */
  rss(): number;
  /** CPU time used so far, user and system, in seconds, from /proc. */
  cpuSeconds(): number;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Runs a Node.js script in a process of its own and resolves once it prints `ready`. */
export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const child = spawn(process.execPath, options.args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.args.join(' ')} did not get ready in time:\n${output}`));
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = options.ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(match);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.args.join(' ')} exited with ${code}:\n${output}`));
    });
  });
  child.stdout.resume();
  const pid = child.pid!;
  return {
    pid,
    banner,
    rss: () => rssOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
}

/** Linux reports CPU time in clock ticks of 1/100 s on every common platform. */
const CLOCK_TICKS_PER_SECOND = 100;

export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
