import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT, FEED_ENV, metric, nextPolls, sendFalRequest } from '../support/feeds.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { startStack, type Stack, BOTH_KEYS } from '../support/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: FEED_ENV });
});
afterAll(() => stack.close());
afterEach(async () => {
  await until(async () => (await metric(stack, 'gateway_open_subscriptions')) === 0);
  stack.emulator.resetCalls();
});

const pollersOf = (source: 'dify' | 'fal') =>
  metric(stack, `gateway_feed_pollers{source="${source}"}`);

describe.each(['distinct', 'single'] as const)(
  'live feeds over graphql-sse (%s connections)',
  (mode) => {
    it('follows a Dify run from start to finish, and stops polling when the client goes away', async () => {
      const client = sseClient(stack.url, mode, BOTH_KEYS);
      try {
        const feed = subscribe(
          client,
          'subscription { workflowRuns { change log { logId workflowRun { status } } } }',
          {},
          (data) =>
            data.workflowRuns as {
              change: string;
              log: { logId: string; workflowRun: { status: string } };
            },
        );
        await nextPolls(stack, 'workflows.logs');
        const [row] = stack.emulator.dify.insertRuns('demo', [
          { status: 'running', orphaned: false },
        ]);
        await feed.waitFor(1);
        stack.emulator.dify.finishRun('demo', row!.workflow_run!.id, 'succeeded');
        await feed.waitFor(2);
        expect(
          feed.values.map(({ change, log }) => `${change} ${log.logId} ${log.workflowRun.status}`),
        ).toEqual([`STARTED ${row!.id} RUNNING`, `FINISHED ${row!.id} SUCCEEDED`]);
        feed.dispose();
        await until(async () => (await pollersOf('dify')) === 0, 1_000, 'the poller to stop');
      } finally {
        client.dispose();
      }
    });

    it('follows a fal request from pending to its end', async () => {
      const client = sseClient(stack.url, mode, BOTH_KEYS);
      try {
        const feed = subscribe(
          client,
          'subscription ($ids: [String!]!) { falRequests(endpointIds: $ids) { change request { requestId status } } }',
          { ids: [ENDPOINT] },
          (data) =>
            data.falRequests as { change: string; request: { requestId: string; status: string } },
        );
        await nextPolls(stack, 'requests.byEndpoint');
        const request = sendFalRequest(stack);
        await feed.waitFor(1);
        request.finish(503);
        await feed.waitFor(2);
        expect(
          feed.values.map(
            ({ change, request }) => `${change} ${request.requestId} ${request.status}`,
          ),
        ).toEqual([`STARTED ${request.requestId} PENDING`, `FINISHED ${request.requestId} ERROR`]);
        feed.dispose();
        await until(async () => (await pollersOf('fal')) === 0, 1_000, 'the poller to stop');
      } finally {
        client.dispose();
      }
    });

    it('merges a timeline and closes every upstream when the client goes away', async () => {
      const client = sseClient(stack.url, mode, BOTH_KEYS);
      try {
        const timeline = subscribe(
          client,
          'subscription ($filter: TimelineFilter!) { timeline(filter: $filter) { source change } }',
          { filter: { falLogs: {}, falRequests: { endpointIds: [ENDPOINT] }, workflowRuns: {} } },
          (data) => data.timeline as { source: string; change: string | null },
        );
        await until(() => stack.emulator.openStreams() === 1, 5_000, 'the fal stream');
        await nextPolls(stack, 'workflows.logs');
        await nextPolls(stack, 'requests.byEndpoint');
        stack.emulator.dify.insertRuns('demo', [{ status: 'failed' }]);
        await timeline.waitFor(1);
        sendFalRequest(stack).finish(200);
        await timeline.waitFor(2);
        expect(timeline.values).toEqual([
          { source: 'DIFY_WORKFLOWS', change: 'FINISHED' },
          { source: 'FAL_REQUESTS', change: 'FINISHED' },
        ]);
        timeline.dispose();
        await until(() => stack.emulator.openStreams() === 0, 1_000, 'the fal stream to close');
        await until(async () => (await pollersOf('dify')) + (await pollersOf('fal')) === 0, 1_000);
      } finally {
        client.dispose();
      }
    });
  },
);
