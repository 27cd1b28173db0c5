import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_KEYS, type FalLogLineInput } from '../../src/emulator/index.js';
import { sseClient, subscribe, until } from '../support/sse-client.js';
import { largestBurst, micros, type WireLine } from '../support/fal-lines.js';
import { FAL_BACKENDS, startStack, type Stack } from '../support/stack.js';

interface Around {
  before: Array<{ message: string }>;
  after: Array<{ message: string }>;
}
interface ContextLine {
  timestamp: string;
  message: string;
  context: Around;
}
interface Page {
  falLogs: { edges: Array<{ node: ContextLine }> };
}

const PAGE_WITH_CONTEXT = `query ($filter: FalLogFilter, $first: Int, $before: Int, $after: Int) {
  falLogs(filter: $filter, first: $first) {
    edges { node { timestamp message context(before: $before, after: $after) {
      before { message } after { message } } } }
  }
}`;

describe.each(FAL_BACKENDS)('context over the $api backend', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.resetCalls());

  const HOUR = 3_600_000;

  /** Lines of one runner (or, without `jobId`, of revision `ctx-rev`), oldest first, `stepMs` apart. */
  function logRunner(
    jobId: string | undefined,
    steps: Array<string | string[]>,
    startMs = Date.now() - 2 * HOUR,
    stepMs = 1000,
  ): WireLine[] {
    const inputs = steps.flatMap((step, i): FalLogLineInput[] => {
      const timestamp = new Date(startMs + i * stepMs).toISOString();
      const labels: Record<string, string> =
        jobId === undefined ? { source: 'cron' } : { fal_job_id: jobId };
      const revision = jobId === undefined ? 'ctx-rev' : 'ctx-runner-rev';
      return (Array.isArray(step) ? step : [step]).map((message) => ({
        timestamp,
        message,
        revision,
        labels,
      }));
    });
    return stack.emulator.fal.appendLines('demo', inputs);
  }

  /** What the context of stored line `index` must be: the upstream's own order, read directly. */
  function expectedAround(neighbours: readonly WireLine[], index: number, count: number) {
    return {
      before: neighbours
        .slice(index + 1, index + 1 + count)
        .reverse()
        .map(({ message }) => ({ message })),
      after: neighbours
        .slice(Math.max(0, index - count), index)
        .reverse()
        .map(({ message }) => ({ message })),
    };
  }

  /** The stored lines of a runner, newest first as the upstream sends them. */
  const storedOfRunner = (jobId: string) =>
    stack.emulator.fal.lines('demo').filter((line) => line.labels?.fal_job_id === jobId);

  const historyCalls = () => stack.emulator.calls({ route: backend.historyRoute });

  async function pageWithContext(variables: Record<string, unknown>): Promise<ContextLine[]> {
    const response = await stack.graphql<Page>(PAGE_WITH_CONTEXT, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.falLogs.edges.map(({ node }) => node);
  }

  describe('FalLogLine.context', () => {
    it('gives every line of a runner its neighbours: inside a burst and at both ends', async () => {
      const burst = Array.from({ length: 12 }, (_, i) => `burst ${i}`);
      logRunner('ctx-burst', ['start', 'a', 'b', burst, 'c', 'd', 'end']);
      const stored = storedOfRunner('ctx-burst');
      stack.emulator.resetCalls();

      const lines = await pageWithContext({
        filter: { jobId: 'ctx-burst' },
        first: 100,
        before: 4,
        after: 4,
      });
      expect(lines.map(({ message }) => message)).toEqual(stored.map(({ message }) => message));
      lines.forEach((line, index) => {
        expect({ line: line.message, ...line.context }).toEqual({
          line: line.message,
          ...expectedAround(stored, index, 4),
        });
      });
      // The runner's first line has nothing before it; its last nothing after it.
      expect(lines.at(-1)!.context.before).toEqual([]);
      expect(lines[0]!.context.after).toEqual([]);
      expect(historyCalls().length).toBeLessThanOrEqual(1 + 2 * lines.length);
    });

    it('around the largest same-timestamp burst of the generated data', async () => {
      const all = stack.emulator.fal.lines('demo');
      const { index, size } = largestBurst(all);
      const target = all[index + Math.floor(size / 2)]!;
      const jobId = target.labels.fal_job_id!;
      const stored = storedOfRunner(jobId);
      const at = new Date(micros(target) / 1000);

      const lines = await pageWithContext({
        filter: {
          jobId,
          since: at.toISOString(),
          until: new Date(at.getTime() + 1).toISOString(),
        },
        first: 1000,
        before: 8,
        after: 8,
      });
      expect(size).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      for (const line of lines) {
        const index = stored.findIndex(
          (candidate) =>
            candidate.message === line.message && candidate.timestamp === line.timestamp,
        );
        expect(line.context).toEqual(expectedAround(stored, index, 8));
      }
    });

    it('gives what there is when the runner has fewer neighbours than asked for', async () => {
      logRunner('ctx-short', ['one', 'two', 'three']);
      const [newest, middle, oldest] = await pageWithContext({
        filter: { jobId: 'ctx-short' },
        before: 50,
        after: 50,
      });
      expect(middle!.context).toEqual({
        before: [{ message: 'one' }],
        after: [{ message: 'three' }],
      });
      expect(newest!.context.before).toEqual([{ message: 'one' }, { message: 'two' }]);
      expect(oldest!.context.after).toEqual([{ message: 'two' }, { message: 'three' }]);
    });

    it('reads the app revision’s lines for a line without a runner', async () => {
      logRunner(undefined, ['setup', 'background', 'teardown']);
      const lines = await pageWithContext({ filter: { revision: 'ctx-rev' }, before: 5, after: 5 });
      expect(lines[1]).toMatchObject({
        message: 'background',
        context: { before: [{ message: 'setup' }], after: [{ message: 'teardown' }] },
      });
      const contextCalls = historyCalls().slice(1);
      expect(contextCalls.length).toBeGreaterThan(0);
      for (const call of contextCalls) {
        expect(call.query.revision).toEqual(['ctx-rev']);
        expect(call.query.job_id).toBeUndefined();
      }
    });

    it('works on a request’s own log lines', async () => {
      const response = await stack.graphql<{
        falRequests: {
          edges: Array<{ node: { logs: { edges: Array<{ node: ContextLine }> } } }>;
        };
      }>(`{ falRequests(endpointIds: ["acme/flux-studio"], first: 5) { edges { node {
      logs(first: 2) { edges { node { timestamp message context(before: 3, after: 3) {
        before { message } after { message } } } } } } } } }`);
      expect(response.errors).toBeUndefined();
      const lines = response.data!.falRequests.edges.flatMap(({ node }) =>
        node.logs.edges.map((edge) => edge.node),
      );
      expect(lines.length).toBeGreaterThan(0);
      const all = stack.emulator.fal.lines('demo');
      for (const line of lines) {
        const wire = all.find(
          (candidate) =>
            candidate.message === line.message &&
            new Date(micros(candidate) / 1000).toISOString() === line.timestamp,
        )!;
        const stored = storedOfRunner(wire.labels.fal_job_id!);
        expect(line.context).toEqual(expectedAround(stored, stored.indexOf(wire), 3));
      }
    });

    it.each([
      ['before -1', { before: -1 }, /before/],
      ['after 51', { after: 51 }, /after/],
    ])('refuses %s before any upstream call', async (_, counts, argument) => {
      logRunner('ctx-refused', ['one', 'two']);
      stack.emulator.resetCalls();
      const response = await stack.graphql(PAGE_WITH_CONTEXT, {
        filter: { jobId: 'ctx-refused' },
        ...counts,
      });
      expect(response.errors!.length).toBeGreaterThan(0);
      for (const error of response.errors!) {
        expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        expect(error.message).toMatch(argument);
      }
      // Refused before execution: not even the page is read.
      expect(historyCalls()).toHaveLength(0);
    });

    it('costs at most two calls per distinct line, a few at a time, and none unselected', async () => {
      const twice = `query ($first: Int) {
      a: falLogs(first: $first) { edges { node { context { before { message } after { message } } } } }
      b: falLogs(first: $first) { edges { node { message context { after { message } } } } }
    }`;
      const response = await stack.graphql(twice, { first: 20 });
      expect(response.errors).toBeUndefined();
      // Two page reads, then the same 20 lines' context, each read once.
      expect(historyCalls().length).toBeLessThanOrEqual(2 + 2 * 20);
      expect(stack.emulator.peakInFlight()).toBeLessThanOrEqual(8);

      stack.emulator.resetCalls();
      const without = await stack.graphql(`{ falLogs(first: 20) { edges { node { message } } } }`);
      expect(without.errors).toBeUndefined();
      expect(historyCalls()).toHaveLength(1);
    });

    it('works on a live-tail line', async () => {
      const client = sseClient(stack.url, 'distinct', {
        'x-fal-authorization': `Key ${DEMO_KEYS.fal}`,
      });
      try {
        const tail = subscribe(
          client,
          `subscription { falLogs(filter: { jobId: "ctx-live" }) {
          message context(before: 2, after: 0) { before { message } after { message } } } }`,
          {},
          (data) => data.falLogs as { message: string; context: Around },
        );
        await until(() => backend.isTailing(stack.emulator), 5_000, 'the upstream stream or poll');
        // Stamped after the tail began, as lines logged while it runs.
        await new Promise((resolve) => setTimeout(resolve, 50));
        logRunner('ctx-live', ['first', 'second', 'third'], Date.now() - 40, 10);
        const values = await tail.waitFor(3);
        tail.dispose();
        expect(tail.errors).toEqual([]);
        expect(values.at(-1)).toEqual({
          message: 'third',
          context: { before: [{ message: 'first' }, { message: 'second' }], after: [] },
        });
      } finally {
        client.dispose();
      }
    });
  });
});
