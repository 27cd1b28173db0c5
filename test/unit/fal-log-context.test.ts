import { describe, expect, it } from 'vitest';
import { readFalLogContext } from '../../src/paging/fal-log-context.js';
import type { FalLogPage, FalLogPageReader, FalLogPageRequest } from '../../src/paging/fal-logs.js';
import { fromMicros, parseInstant } from '../../src/time.js';
import type { FalLogLine } from '../../src/upstreams/fal/types.js';

const T0 = 1_700_000_000_000_000;
const SECOND = 1_000_000;

/** fal history as the contract has it: newest first, ties in one stable order, runner filters. */
class FakeReader implements FalLogPageReader {
  readonly stored: FalLogLine[] = [];
  reads: FalLogPageRequest[] = [];

  constructor(readonly maxLimit = 1000) {}

  /** Adds lines oldest first; lines added at one timestamp are newest first among themselves. */
  log(micros: number, message: string, labels: Record<string, string> = { fal_job_id: 'job-1' }) {
    const line: FalLogLine = {
      timestamp: fromMicros(micros).iso,
      level: 'info',
      message,
      app: 'app',
      revision: 'rev-1',
      labels,
    };
    const at = this.stored.findIndex((stored) => microsOf(stored) <= micros);
    this.stored.splice(at < 0 ? this.stored.length : at, 0, line);
    return line;
  }

  read(request: FalLogPageRequest): Promise<FalLogPage> {
    this.reads.push(request);
    expect(request.limit).toBeGreaterThan(0);
    expect(request.limit).toBeLessThanOrEqual(this.maxLimit);
    const { jobId, revision } = request.filter;
    const matching = this.stored.filter((line) => {
      const micros = microsOf(line);
      return (
        micros >= request.start.micros &&
        micros < request.end.micros &&
        (jobId === undefined || line.labels?.fal_job_id === jobId) &&
        (revision === undefined || line.revision === revision)
      );
    });
    return Promise.resolve({
      lines: matching.slice(0, request.limit),
      hasMore: matching.length > request.limit,
    });
  }
}

const microsOf = (line: FalLogLine) => parseInstant(line.timestamp)!.micros;
const messages = (lines: readonly FalLogLine[]) => lines.map((line) => line.message);

/** A runner logging one line a second: `line 0` … `line {count-1}`. */
function steadyRunner(count: number, reader = new FakeReader()) {
  const lines = Array.from({ length: count }, (_, i) => reader.log(T0 + i * SECOND, `line ${i}`));
  return { reader, lines };
}

describe('context around a fal log line', () => {
  it('gives the lines just before and after, oldest first, in at most two reads', async () => {
    const { reader, lines } = steadyRunner(40);
    reader.log(T0 + 10 * SECOND + 500, 'another runner', { fal_job_id: 'job-2' });
    const context = await readFalLogContext({ reader, line: lines[20]!, before: 3, after: 4 });
    expect(messages(context.before)).toEqual(['line 17', 'line 18', 'line 19']);
    expect(messages(context.after)).toEqual(['line 21', 'line 22', 'line 23', 'line 24']);
    expect(reader.reads.length).toBeLessThanOrEqual(2);
    expect(reader.reads.every((read) => read.filter.jobId === 'job-1')).toBe(true);
  });

  it('keeps the upstream order among lines sharing the line’s timestamp', async () => {
    const reader = new FakeReader();
    reader.log(T0, 'older');
    // Newest first at one timestamp, as the upstream sends them: burst 9 … burst 0.
    const burst = Array.from({ length: 10 }, (_, i) => reader.log(T0 + SECOND, `burst ${i}`));
    reader.log(T0 + 2 * SECOND, 'newer');
    const context = await readFalLogContext({ reader, line: burst[4]!, before: 6, after: 6 });
    expect(messages(context.before)).toEqual(['older', 'burst 0', 'burst 1', 'burst 2', 'burst 3']);
    expect(messages(context.after)).toEqual([
      'burst 5',
      'burst 6',
      'burst 7',
      'burst 8',
      'burst 9',
      'newer',
    ]);
  });

  it('takes identical lines at one timestamp as one line and leaves its twins out', async () => {
    const reader = new FakeReader();
    reader.log(T0, 'first');
    reader.log(T0 + SECOND, 'retrying');
    reader.log(T0 + SECOND, 'between');
    const line = reader.log(T0 + SECOND, 'retrying');
    reader.log(T0 + 2 * SECOND, 'last');
    const context = await readFalLogContext({ reader, line, before: 5, after: 5 });
    expect(messages(context.before)).toEqual(['first', 'between']);
    expect(messages(context.after)).toEqual(['last']);
  });

  it('gives nothing before a runner’s first line and nothing after its last', async () => {
    const { reader, lines } = steadyRunner(20);
    const first = await readFalLogContext({ reader, line: lines[0]!, before: 5, after: 5 });
    expect(messages(first.before)).toEqual([]);
    expect(messages(first.after)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    const last = await readFalLogContext({ reader, line: lines[19]!, before: 2, after: 5 });
    expect(messages(last.before)).toEqual(['line 17', 'line 18']);
    expect(messages(last.after)).toEqual([]);
  });

  it('gives what there is when the runner has fewer neighbours than asked for', async () => {
    const { reader, lines } = steadyRunner(5);
    const context = await readFalLogContext({ reader, line: lines[2]!, before: 50, after: 50 });
    expect(messages(context.before)).toEqual(['line 0', 'line 1']);
    expect(messages(context.after)).toEqual(['line 3', 'line 4']);
  });

  it('reads the app revision’s lines for a line without a runner', async () => {
    const reader = new FakeReader();
    reader.log(T0, 'setup', {});
    const line = reader.log(T0 + SECOND, 'background', {});
    reader.log(T0 + 2 * SECOND, 'teardown', { source: 'cron' });
    const context = await readFalLogContext({ reader, line, before: 5, after: 5 });
    expect(messages(context.before)).toEqual(['setup']);
    expect(messages(context.after)).toEqual(['teardown']);
    expect(reader.reads.map((read) => read.filter)).toEqual([
      { revision: 'rev-1' },
      { revision: 'rev-1' },
    ]);
  });

  it('places a line the upstream does not hold yet after the lines of its timestamp', async () => {
    const { reader } = steadyRunner(10);
    const line = { ...reader.stored[5]!, message: 'just logged' };
    const context = await readFalLogContext({ reader, line, before: 2, after: 2 });
    expect(messages(context.before)).toEqual(['line 3', 'line 4']);
    expect(messages(context.after)).toEqual(['line 5', 'line 6']);
  });

  it('reads nothing when no neighbour is asked for, and one side alone when one is', async () => {
    const { reader, lines } = steadyRunner(10);
    const none = await readFalLogContext({ reader, line: lines[5]!, before: 0, after: 0 });
    expect(none).toEqual({ before: [], after: [] });
    expect(reader.reads).toHaveLength(0);
    const older = await readFalLogContext({ reader, line: lines[5]!, before: 2, after: 0 });
    expect(messages(older.before)).toEqual(['line 3', 'line 4']);
    expect(older.after).toEqual([]);
    const newer = await readFalLogContext({ reader, line: lines[5]!, before: 0, after: 2 });
    expect(newer.before).toEqual([]);
    expect(messages(newer.after)).toEqual(['line 6', 'line 7']);
    expect(reader.reads).toHaveLength(4);
  });

  it('sizes the newer read from the runner’s pace, so a fast runner still fits one page', async () => {
    const reader = new FakeReader(1000);
    // 500 lines a second for three seconds.
    const lines = Array.from({ length: 1500 }, (_, i) => reader.log(T0 + i * 2000, `line ${i}`));
    const context = await readFalLogContext({ reader, line: lines[750]!, before: 5, after: 5 });
    expect(messages(context.after)).toEqual([
      'line 751',
      'line 752',
      'line 753',
      'line 754',
      'line 755',
    ]);
    expect(messages(context.before)).toHaveLength(5);
    expect(reader.reads).toHaveLength(2);
  });

  it('leaves the lists empty rather than skip lines when the pace jumps past one page', async () => {
    const reader = new FakeReader(20);
    const slow = Array.from({ length: 10 }, (_, i) => reader.log(T0 + i * SECOND, `slow ${i}`));
    for (let i = 0; i < 100; i += 1) reader.log(T0 + 9 * SECOND + 1000 + i * 10, `fast ${i}`);
    const context = await readFalLogContext({ reader, line: slow[9]!, before: 3, after: 3 });
    expect(context).toEqual({ before: [], after: [] });
  });
});
