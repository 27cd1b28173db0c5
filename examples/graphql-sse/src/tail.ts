import { setTimeout as sleep } from 'node:timers/promises';
import { createClient, NetworkError } from 'graphql-sse';

// Defaults: the gateway and key of `npm run demo`.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000';
const falKey = process.env.FAL_KEY ?? 'demo-fal-key:demo-fal-secret';
// Optional: replay history from this ISO-8601 instant first; stop after this many lines.
const firstSince = process.env.TAIL_SINCE;
const maxLines = Number(process.env.TAIL_LINES ?? Infinity);

const TAIL = `subscription Tail($filter: FalLogFilter) {
  falLogs(filter: $filter) { timestamp level app revision requestId message labels { key value } }
}`;

interface LogLine {
  timestamp: string;
  level: string;
  app: string;
  revision: string;
  requestId: string | null;
  message: string;
  labels: Array<{ key: string; value: string }>;
}

/**
 * Where to resume, and what a resume will send again: `filter.since` is inclusive, so
 * subscribing again from the newest timestamp replays the lines already delivered at it.
 * Counts rather than a set, since two identical lines are both real.
 */
class ResumePoint {
  timestamp: string | undefined;
  private deliveredAtTimestamp = new Map<string, number>();
  private toSkip = new Map<string, number>();

  /** Call before subscribing again: the lines delivered at `timestamp` will come once more. */
  resume(): string | undefined {
    this.toSkip = new Map(this.deliveredAtTimestamp);
    return this.timestamp;
  }

  /** False for a line the tail already delivered; otherwise records it as delivered. */
  isNew(line: LogLine): boolean {
    const key = JSON.stringify(line);
    const skips = this.toSkip.get(key) ?? 0;
    if (skips > 0) {
      this.toSkip.set(key, skips - 1);
      return false;
    }
    if (line.timestamp !== this.timestamp) {
      this.timestamp = line.timestamp;
      this.deliveredAtTimestamp = new Map();
    }
    this.deliveredAtTimestamp.set(key, (this.deliveredAtTimestamp.get(key) ?? 0) + 1);
    return true;
  }
}

/** A lost connection or a gateway that is down or restarting; not a refused subscription. */
const isTransient = (error: unknown): error is NetworkError =>
  error instanceof NetworkError && (!error.response || error.response.status >= 500);

const client = createClient({
  url: `${gateway}/graphql`,
  headers: () => ({ 'X-Fal-Authorization': `Key ${falKey}` }),
  retryAttempts: 0, // the loop below resubscribes itself, from where it stopped
});

const point = new ResumePoint();
const startedAt = new Date().toISOString();
let since = firstSince;
let delivered = 0;
let failures = 0;
tail: for (;;) {
  try {
    const filter = since ? { since } : {};
    for await (const result of client.iterate<{ falLogs: LogLine }>({
      query: TAIL,
      variables: { filter },
    })) {
      if (result.errors) throw new Error(result.errors.map((error) => error.message).join('; '));
      failures = 0;
      if (!result.data || !point.isNew(result.data.falLogs)) continue;
      console.log(JSON.stringify(result.data.falLogs));
      delivered += 1;
      if (delivered >= maxLines) break tail;
    }
    console.error('the gateway ended the tail (it is shutting down): resuming');
  } catch (error) {
    if (!isTransient(error)) {
      console.error(`the tail failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
      break;
    }
    failures += 1;
    console.error(`the gateway is unreachable (${error.message}): retry ${failures}`);
  }
  // Until a line has arrived, resume from TAIL_SINCE or else from when the tail began.
  since = point.resume() ?? since ?? startedAt;
  await sleep(Math.min(5_000, 250 * 2 ** failures));
}
client.dispose();
