export const SCENARIOS = [
  'overhead',
  'fan-out',
  'big-page',
  'live-tail',
  'oldest-first',
  'replicas',
  'feeds',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Settings {
  scenarios: ScenarioName[];
  /** Runs per figure; each figure is the median of its runs. */
  runs: number;
  /** Length of one throughput run (autocannon). */
  seconds: number;
  /** Length of one run at a single connection. */
  latencySeconds: number;
  /** Load before the first measured run of each target, to warm up the JIT and the pools. */
  warmupSeconds: number;
  connections: number;
  /** `falLogs(first: 5000)` requests per big-page run, at each concurrency. */
  bigPageRequests: number;
  /** Fan-out is measured once per value: 0 is plain loopback, others emulate a distant upstream. */
  fanOutUpstreamLatenciesMs: number[];
  subscriptionCounts: number[];
  linesPerSecond: number;
  tailSeconds: number;
  /** Replica counts the replicas scenario shares live tails across, through Redis. */
  replicaCounts: number[];
  /** Dify feeds the feeds scenario resumes with `since` beside one live feed. */
  feedReplays: number;
  /** Where the gateway and the floor proxy write CPU profiles (overhead scenario); none when unset. */
  cpuProfileDir: string | undefined;
}

const QUICK: Partial<Record<string, string>> = {
  BENCH_RUNS: '1',
  BENCH_SECONDS: '3',
  BENCH_LATENCY_SECONDS: '2',
  BENCH_WARMUP_SECONDS: '1',
  BENCH_BIG_PAGE_REQUESTS: '3',
  BENCH_SUBSCRIPTIONS: '200',
  BENCH_TAIL_SECONDS: '3',
  BENCH_REPLICAS: '1,3',
  BENCH_FEEDS: '20',
};

/**
 * Scenario names come from the arguments (all when none); `--quick` presets a short run.
 * Environment variables (see README) override either.
 */
export function readSettings(args: string[], env: NodeJS.ProcessEnv): Settings {
  const quick = args.includes('--quick');
  const names = args.filter((arg) => !arg.startsWith('--'));
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new Error(`unknown scenario ${name}; expected one of ${SCENARIOS.join(', ')}`);
    }
  }
  const value = (name: string, fallback: string): string =>
    env[name] ?? (quick ? QUICK[name] : undefined) ?? fallback;
  const positive = (name: string, fallback: number): number => {
    const number = Number(value(name, String(fallback)));
    if (!(number > 0)) throw new Error(`${name} must be a positive number`);
    return number;
  };
  return {
    scenarios: names.length > 0 ? (names as ScenarioName[]) : [...SCENARIOS],
    runs: positive('BENCH_RUNS', 3),
    seconds: positive('BENCH_SECONDS', 8),
    latencySeconds: positive('BENCH_LATENCY_SECONDS', 4),
    warmupSeconds: positive('BENCH_WARMUP_SECONDS', 3),
    connections: positive('BENCH_CONNECTIONS', 20),
    bigPageRequests: positive('BENCH_BIG_PAGE_REQUESTS', 10),
    fanOutUpstreamLatenciesMs: value('BENCH_FANOUT_LATENCIES_MS', '0,20').split(',').map(Number),
    subscriptionCounts: value('BENCH_SUBSCRIPTIONS', '1000,5000,10000').split(',').map(Number),
    linesPerSecond: positive('BENCH_LINES_PER_SECOND', 2),
    tailSeconds: positive('BENCH_TAIL_SECONDS', 10),
    replicaCounts: value('BENCH_REPLICAS', '1,3,6').split(',').map(Number),
    feedReplays: positive('BENCH_FEEDS', 100),
    cpuProfileDir: env.BENCH_CPU_PROFILE_DIR,
  };
}
