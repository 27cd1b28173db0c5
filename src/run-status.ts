// How Dify spells a workflow run's status, and which statuses are final: a leaf every layer may use.

/** The upstream's status spelled as current versions spell it (lower case, hyphens). */
export function upstreamStatusOf(raw: string): string {
  return raw.trim().toLowerCase().replaceAll('_', '-');
}

const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'succeeded',
  'failed',
  'stopped',
  'partial-succeeded',
]);
const UNFINISHED_STATUSES: ReadonlySet<string> = new Set(['running', 'paused']);

/**
 * Whether a run has reached a final status. A status this gateway does not know counts as final
 * once the run has a `finished_at`.
 */
export function isRunFinished(run: { status: string; finished_at?: unknown }): boolean {
  const status = upstreamStatusOf(run.status);
  if (FINAL_STATUSES.has(status)) return true;
  if (UNFINISHED_STATUSES.has(status)) return false;
  return run.finished_at != null;
}
