import type { FalLogLine } from '../../src/emulator/index.js';
import { parseInstant } from '../../src/time.js';

/** A log line as the emulator stores it and fal sends it. */
export type WireLine = FalLogLine;

export interface GatewayLine {
  timestamp: string;
  level: string;
  message: string;
  app: string;
  revision: string;
  labels: Array<{ key: string; value: string }>;
}

export const LINE_FIELDS = 'timestamp level message app revision labels { key value }';

/**
 * The labels both fal logs APIs give a line alike: the legacy API names the app and revision
 * and formats `logged_at` its own way, and adds labels of its own.
 */
const SHARED_LABELS: ReadonlySet<string> = new Set([
  'fal_request_id',
  'fal_endpoint',
  'fal_job_id',
  'fal_worker_id',
  'fal_node_id',
  'fal_env',
  'source',
  'traceback',
]);

const sharedLabels = (labels: Iterable<[string, string]>) =>
  JSON.stringify([...labels].filter(([key]) => SHARED_LABELS.has(key)).sort());

/** One string per line that tells lines apart as precisely as both backends allow. */
export const fingerprintOfWire = (line: WireLine) =>
  [
    parseInstant(line.timestamp)?.iso ?? line.timestamp,
    line.app,
    line.revision,
    line.message,
    sharedLabels(Object.entries(line.labels ?? {})),
  ].join('|');

export const fingerprintOfGateway = (line: GatewayLine) =>
  [
    line.timestamp,
    line.app,
    line.revision,
    line.message,
    sharedLabels(line.labels.map(({ key, value }) => [key, value])),
  ].join('|');

export const micros = (line: WireLine) => parseInstant(line.timestamp)!.micros;

/** The stored lines inside [since, until), in the upstream's newest-first order. */
export function linesInWindow(
  lines: readonly WireLine[],
  since: string,
  until: string,
): WireLine[] {
  const from = parseInstant(since)!.micros;
  const to = parseInstant(until)!.micros;
  return lines.filter((line) => {
    const at = micros(line);
    return at >= from && at < to;
  });
}

/** The largest group of lines sharing one exact timestamp, as [index of its first line, size]. */
export function largestBurst(lines: readonly WireLine[]): { index: number; size: number } {
  let best = { index: 0, size: 0 };
  let start = 0;
  for (let i = 1; i <= lines.length; i += 1) {
    if (i === lines.length || lines[i]!.timestamp !== lines[start]!.timestamp) {
      if (i - start > best.size) best = { index: start, size: i - start };
      start = i;
    }
  }
  return best;
}

/** A window of about `span` stored lines on each side of the largest same-timestamp burst. */
export function windowAroundBurst(lines: readonly WireLine[], span: number) {
  const burst = largestBurst(lines);
  const newer = lines[Math.max(0, burst.index - span)]!;
  const older = lines[Math.min(lines.length - 1, burst.index + burst.size + span)]!;
  return { since: older.timestamp, until: newer.timestamp, burstSize: burst.size };
}
