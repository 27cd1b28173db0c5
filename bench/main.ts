/**
 * The benchmark suite (issue 8): `npm run bench [-- [--quick] [scenario …]]`. The emulator, the
 * gateway and the floor proxy each run in a process of their own on loopback; this process
 * orchestrates and generates the load. See bench/RESULTS.md for the latest full run.
 */
import { execFileSync } from 'node:child_process';
import { createContext } from './context.js';
import { bigPage } from './scenarios/big-page.js';
import { fanOut } from './scenarios/fan-out.js';
import { feeds } from './scenarios/feeds.js';
import { liveTail } from './scenarios/live-tail.js';
import { oldestFirst } from './scenarios/oldest-first.js';
import { overhead } from './scenarios/overhead.js';
import { replicas } from './scenarios/replicas.js';
import type { BenchContext } from './context.js';
import { readSettings } from './settings.js';
import type { ScenarioName } from './settings.js';
import { machineLine } from './stats.js';

const SCENARIO_RUNNERS: Record<ScenarioName, (context: BenchContext) => Promise<void>> = {
  overhead,
  'fan-out': fanOut,
  'big-page': bigPage,
  'live-tail': liveTail,
  'oldest-first': oldestFirst,
  replicas,
  feeds,
};

function commitLine(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no')
      ? ' (working tree modified)'
      : '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty}`;
  } catch {
    return 'unknown';
  }
}

const settings = readSettings(process.argv.slice(2), process.env);
console.log(`# Benchmarks — ${new Date().toISOString()}, commit ${commitLine()}`);
console.log(`\n${machineLine()}`);
console.log(
  `runs ${settings.runs}, ${settings.seconds} s at ${settings.connections} connections, ` +
    `${settings.latencySeconds} s at 1 connection, warm-up ${settings.warmupSeconds} s`,
);

const context = await createContext(settings);
try {
  for (const name of settings.scenarios) await SCENARIO_RUNNERS[name](context);
} finally {
  await context.emulator.stop();
}
