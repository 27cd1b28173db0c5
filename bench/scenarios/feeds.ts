import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context.js';
import { send } from '../load.js';
import { printSection, targetRow, fixed } from '../report.js';
import { eventStreamSubscribers, openSubscriptions, waitUntil } from './live-tail.js';

const POLL_INTERVAL_MS = 1_000;
const REPLAY_MINUTES = 10;
const MEASURE_SECONDS = 10;
const FEED = `subscription BenchRunFeed($filter: WorkflowLogFilter) {
  workflowRuns(filter: $filter) { change log { logId } }
}`;

/** The gateway's Dify pollers, from its metrics. */
async function difyPollers(gateway: { url: string }): Promise<number> {
  const text = await send({ url: `${gateway.url}/metrics`, method: 'GET', headers: {} });
  return Number(/^gateway_feed_pollers\{source="dify"\} (\S+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * Scenario: what Dify feeds resumed with `since` (dashboards coming back after a restart) cost
 * upstream, beside one live feed of the same filter: Dify calls per second while they replay and
 * wait, and once a run has changed (each replay then hands over to the shared poller).
 */
export async function feeds(context: BenchContext): Promise<void> {
  const { emulator, difyHeaders, settings } = context;
  const replays = settings.feedReplays;
  const gateway = await context.startGateway([], {
    DIFY_POLL_INTERVAL_MS: String(POLL_INTERVAL_MS),
  });
  const received: string[][] = [];
  const since = new Date(Date.now() - REPLAY_MINUTES * 60_000).toISOString();
  let variables: Record<string, unknown> = {};
  const subscribers = eventStreamSubscribers(
    gateway.url,
    difyHeaders,
    FEED,
    () => variables,
    (data, subscriber) => {
      const { log } = data.workflowRuns as { log: { logId: string } };
      (received[subscriber] ??= []).push(log.logId);
    },
  );
  const difyCallsPerSecond = async () => {
    await emulator.resetCalls();
    await sleep(MEASURE_SECONDS * 1000);
    const byRoute = await emulator.callsByRoute();
    return ((byRoute['workflows.logs'] ?? 0) + (byRoute['workflows.run'] ?? 0)) / MEASURE_SECONDS;
  };
  try {
    subscribers.add(1);
    await waitUntil(async () => (await difyPollers(gateway)) === 1, 'the live feed', 30_000);
    variables = { filter: { since } };
    subscribers.add(replays);
    await waitUntil(
      async () => (await openSubscriptions(gateway)) === replays + 1,
      `${replays} replays`,
      60_000,
    );
    const pollersWaiting = await difyPollers(gateway);
    const waiting = await difyCallsPerSecond();

    const logId = await emulator.insertDifyRun();
    await waitUntil(
      () =>
        Array.from({ length: replays + 1 }, (_, i) => received[i] ?? []).every((ids) =>
          ids.includes(logId),
        ),
      'every feed to see the new run',
      30_000,
    );
    await sleep(2 * POLL_INTERVAL_MS);
    const pollersAfter = await difyPollers(gateway);
    const after = await difyCallsPerSecond();
    if (subscribers.errors.length > 0)
      throw new Error(`feed errors: ${String(subscribers.errors[0])}`);

    const row = (phase: string, pollers: number, callsPerSecond: number) => ({
      phase,
      'Dify pollers': pollers,
      'Dify calls / s': callsPerSecond.toFixed(1),
    });
    printSection(
      `Feeds: ${replays} workflowRuns feeds resumed with since (${REPLAY_MINUTES} minutes back) beside one live feed, polling every ${POLL_INTERVAL_MS} ms`,
      [
        row('replayed, no run changed yet', pollersWaiting, waiting),
        row('after the first run changed', pollersAfter, after),
      ],
      [
        targetRow(
          'Dify pollers once every replay has caught up',
          pollersAfter,
          { comparison: '=', value: 1 },
          fixed(0),
        ),
      ],
    );
  } finally {
    subscribers.close();
    await gateway.stop();
  }
}
