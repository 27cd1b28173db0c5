import autocannon from 'autocannon';
import { Agent } from 'undici';
import { mean, percentile } from './stats.js';

/** One HTTP request, repeated by the load generators. */
export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface Throughput {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Failed requests: connection errors, timeouts and non-2xx answers. */
  failures: number;
}

/** Closed-loop load with autocannon; latency percentiles are whole milliseconds. */
export async function measureThroughput(
  target: Target,
  connections: number,
  seconds: number,
): Promise<Throughput> {
  const result = await autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections,
    duration: seconds,
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

export interface Latency {
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  count: number;
}

export function latencyOf(samplesMs: number[]): Latency {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    meanMs: mean(sorted),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    count: sorted.length,
  };
}

const agent = new Agent({ keepAliveTimeout: 10_000 });

/** Sends the target and reads the whole answer; throws unless it is a 200. */
export async function send(target: Target): Promise<string> {
  const { origin, pathname, search } = new URL(target.url);
  const response = await agent.request({
    origin,
    path: pathname + search,
    method: target.method,
    headers: target.headers,
    body: target.body,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) {
    throw new Error(`${target.url} answered ${response.statusCode}: ${text.slice(0, 200)}`);
  }
  return text;
}

/**
 * Runs `action` back to back, one at a time, for `seconds` (and at most `maxCount` times), and
 * returns each run's duration: time to the last byte at one connection.
 */
export async function measureSequential(
  action: () => Promise<unknown>,
  seconds: number,
  maxCount = 100_000,
): Promise<Latency> {
  const samples: number[] = [];
  const stopAt = performance.now() + seconds * 1000;
  while (performance.now() < stopAt && samples.length < maxCount) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  return latencyOf(samples);
}
