import type { WorkflowLogsReader } from '../../src/paging/workflow-logs.js';
import { fromMicros, parseInstant } from '../../src/time.js';
import type { DifyWorkflowLog } from '../../src/upstreams/dify/types.js';

/** Deterministic pseudo-random numbers in [0, 1). */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/**
 * Dify as NOTES.md describes it, at its least helpful: newest first with rows of one second in a
 * new random order on every call, offset pages, inclusive bounds.
 */
export class ShufflingUpstream {
  rows: DifyWorkflowLog[] = [];
  calls = 0;
  private nextId = 0;
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = random(seed);
  }

  insert(second: number, count = 1, status = 'succeeded'): void {
    for (let i = 0; i < count; i += 1) {
      const id = `row-${(this.nextId += 1)}`;
      this.rows.push({
        id,
        created_at: fromMicros(second * 1e6),
        workflow_run: { id: `run-${id}`, status, created_at: fromMicros(second * 1e6) },
      });
    }
  }

  read: WorkflowLogsReader = async (params) => {
    this.calls += 1;
    const micros = (bound: string | undefined) => (bound ? parseInstant(bound)!.micros : undefined);
    const before = micros(params.createdAtBefore);
    const after = micros(params.createdAtAfter);
    const matching = this.rows
      .filter((row) => before === undefined || row.created_at.micros <= before)
      .filter((row) => after === undefined || row.created_at.micros >= after)
      .map((row) => ({ row, tie: this.next() }))
      .sort((a, b) => b.row.created_at.micros - a.row.created_at.micros || a.tie - b.tie)
      .map(({ row }) => row);
    const start = (params.page - 1) * params.limit;
    return Promise.resolve({
      page: params.page,
      limit: params.limit,
      total: matching.length,
      has_more: matching.length > params.page * params.limit,
      data: matching.slice(start, start + params.limit),
    });
  };
}

export const BASE_SECOND = 1_750_000_000;

export function upstreamWithBursts(seed: number): ShufflingUpstream {
  const upstream = new ShufflingUpstream(seed);
  const next = random(seed + 1);
  for (let second = BASE_SECOND; second < BASE_SECOND + 120; second += 1) {
    const roll = next();
    if (roll < 0.2) upstream.insert(second, 2 + Math.floor(next() * 60));
    else if (roll < 0.7) upstream.insert(second);
  }
  return upstream;
}
