import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromMicros } from '../../src/time.js';
import { FAL_BACKENDS, startStack, type GraphQLResponse, type Stack } from '../support/stack.js';
import { LINE_FIELDS, micros, type GatewayLine, type WireLine } from '../support/fal-lines.js';

const QUERY = `query ($filter: FalLogFilter, $first: Int, $after: String) {
  falLogs(filter: $filter, first: $first, after: $after) {
    edges { node { ${LINE_FIELDS} requestId jobId env: label(key: "fal_env") } }
    pageInfo { hasNextPage endCursor }
  }
}`;

type Line = GatewayLine & { requestId: string | null; jobId: string | null; env: string | null };
interface Page {
  falLogs: {
    edges: Array<{ node: Line }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe.each(FAL_BACKENDS)('falLogs filters over the $api backend', (backend) => {
  let stack: Stack;
  let stored: readonly WireLine[];
  let everything: { since: string; until: string };

  beforeAll(async () => {
    stack = await startStack({ falLogsApi: backend.api });
    stored = stack.emulator.fal.lines('demo');
    everything = {
      since: fromMicros(micros(stored.at(-1)!)).iso,
      until: fromMicros(micros(stored[0]!) + 1000).iso,
    };
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.resetCalls());

  async function linesFor(filter: Record<string, unknown>): Promise<Line[]> {
    const lines: Line[] = [];
    for (let after: string | null = null; ;) {
      const response: GraphQLResponse<Page> = await stack.graphql<Page>(QUERY, {
        filter: { ...everything, ...filter },
        first: 5000,
        after,
      });
      expect(response.errors).toBeUndefined();
      const { edges, pageInfo } = response.data!.falLogs;
      lines.push(...edges.map((edge) => edge.node));
      if (!pageInfo.hasNextPage) return lines;
      after = pageInfo.endCursor;
    }
  }

  const labelOf = (line: WireLine, key: string) => line.labels?.[key];
  const sample = <T>(items: readonly T[], index = Math.floor(items.length / 3)): T => items[index]!;

  describe('every FalLogFilter field maps to the upstream', () => {
    it.runIf(backend.api === 'v1')(
      'sends each filter as the upstream parameter or label condition it stands for',
      async () => {
        await stack.graphql(QUERY, {
          first: 10,
          filter: {
            appIds: ['acme/one', 'acme/two'],
            revision: 'rev-1',
            runSource: 'GRPC_RUN',
            search: 'timeout',
            minLevel: 'WARNING',
            jobId: 'job-1',
            requestId: 'req-1',
            since: '2025-01-01',
            until: '2025-01-02T12:30:00+02:00',
            traceback: true,
            labels: [
              { key: 'fal_env', values: ['prod'] },
              { key: 'fal_node_id', values: ['n1', 'n2'], op: 'IN' },
              { key: 'source', values: ['cron'], op: 'NOT_EQUALS' },
              { key: 'fal_worker_id', values: ['w1'], op: 'NOT_IN' },
            ],
          },
        });
        const [call] = stack.emulator.calls({ route: 'logs.history' });
        expect(call!.method).toBe('POST');
        expect(call!.query).toEqual({
          limit: ['11'],
          start: ['2025-01-01T00:00:00.000Z'],
          end: ['2025-01-02T10:30:00.000Z'],
          app_id: ['acme/one', 'acme/two'],
          revision: ['rev-1'],
          run_source: ['grpc-run'],
          traceback: ['true'],
          search: ['timeout'],
          level: ['warning'],
          job_id: ['job-1'],
          request_id: ['req-1'],
        });
        expect(call!.body).toEqual([
          { key: 'fal_env', value: 'prod', condition_type: 'equals' },
          { key: 'fal_node_id', value: ['n1', 'n2'], condition_type: 'in' },
          { key: 'source', value: 'cron', condition_type: 'not_equals' },
          { key: 'fal_worker_id', value: ['w1'], condition_type: 'not_in' },
        ]);
      },
    );

    it.runIf(backend.api === 'legacy')(
      'sends one read per app and per IN value, equality as extra_filters, and checks NOT_EQUALS/NOT_IN itself',
      async () => {
        await stack.graphql(QUERY, {
          first: 10,
          filter: {
            appIds: ['acme/one', 'acme/two'],
            revision: 'rev-1',
            search: 'timeout',
            minLevel: 'WARNING',
            jobId: 'job-1',
            requestId: 'req-1',
            since: '2025-01-01',
            until: '2025-01-02T12:30:00+02:00',
            traceback: true,
            labels: [
              { key: 'fal_env', values: ['prod'] },
              { key: 'fal_node_id', values: ['n1', 'n2'], op: 'IN' },
              { key: 'source', values: ['cron'], op: 'NOT_EQUALS' },
            ],
          },
        });
        const calls = stack.emulator.calls({ route: 'logs.legacy' });
        expect(calls).toHaveLength(4);
        const reads = calls.map((call) => ({ app: call.query.app_id, body: call.body }));
        expect(reads).toEqual(
          expect.arrayContaining(
            ['one', 'two'].flatMap((app) =>
              ['n1', 'n2'].map((node) => ({
                app: [app],
                body: {
                  extra_filters: [
                    { key: 'fal_env', value: 'prod' },
                    { key: 'fal_node_id', value: node },
                  ],
                },
              })),
            ),
          ),
        );
        expect(calls[0]!.method).toBe('POST');
        expect(calls[0]!.path).toBe('/logs/');
        expect(calls[0]!.query).toMatchObject({
          since: ['2024-12-31T23:59:59.999999Z'],
          until: ['2025-01-02T10:30:00.000Z'],
          revision: ['rev-1'],
          traceback: ['true'],
          search: ['timeout'],
          level: ['WARNING'],
          job_id: ['job-1'],
          request_id: ['req-1'],
        });
      },
    );

    it.runIf(backend.api === 'legacy')(
      'refuses what the legacy API cannot answer, naming the field, with no upstream call',
      async () => {
        const runSource = await stack.graphql(QUERY, { filter: { runSource: 'GATEWAY' } });
        expect(runSource.errors?.[0]?.message).toMatch(/^filter\.runSource: .*run source/);
        expect(runSource.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        const repeated = await stack.graphql(QUERY, {
          filter: {
            labels: [
              { key: 'fal_env', values: ['prod'] },
              { key: 'fal_env', values: ['dev'], op: 'NOT_EQUALS' },
            ],
          },
        });
        expect(repeated.errors?.[0]?.message).toMatch(/^filter\.labels: .*"fal_env"/);
        expect(repeated.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(stack.emulator.calls()).toHaveLength(0);
      },
    );

    it('appIds keeps only those apps', async () => {
      const app = sample(stack.emulator.fal.apps('demo'), 0);
      const lines = await linesFor({ appIds: [app.id] });
      expect(lines.length).toBeGreaterThan(0);
      expect(new Set(lines.map((line) => line.app))).toEqual(new Set([app.name]));
    });

    it('revision keeps only that revision', async () => {
      const revision = sample(stored).revision;
      const lines = await linesFor({ revision });
      expect(lines).toHaveLength(stored.filter((line) => line.revision === revision).length);
      expect(lines.every((line) => line.revision === revision)).toBe(true);
    });

    it('requestId and jobId keep the lines of that request or runner', async () => {
      const withRequest = stored.filter((line) => labelOf(line, 'fal_request_id'));
      const requestId = labelOf(sample(withRequest), 'fal_request_id')!;
      const byRequest = await linesFor({ requestId });
      expect(byRequest).toHaveLength(
        stored.filter((line) => labelOf(line, 'fal_request_id') === requestId).length,
      );
      expect(byRequest.every((line) => line.requestId === requestId)).toBe(true);

      const jobId = labelOf(sample(withRequest), 'fal_job_id')!;
      const byJob = await linesFor({ jobId });
      expect(byJob.length).toBeGreaterThan(0);
      expect(byJob.every((line) => line.jobId === jobId)).toBe(true);
    });

    it('minLevel keeps that level and above, with STDOUT/STDERR above ERROR', async () => {
      const lines = await linesFor({ minLevel: 'WARNING' });
      const levels = new Set(lines.map((line) => line.level));
      expect(levels.size).toBeGreaterThan(1);
      for (const level of levels) expect(['WARNING', 'ERROR', 'STDOUT', 'STDERR']).toContain(level);
    });

    it('search keeps messages containing the text, ignoring case', async () => {
      const word = sample(stored)
        .message.split(/\s+/)
        .find((part) => part.length > 4)!;
      const lines = await linesFor({ search: word.toUpperCase() });
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line.message.toLowerCase()).toContain(word.toLowerCase());
    });

    it.runIf(backend.api === 'v1')('runSource keeps lines from that source', async () => {
      const lines = await linesFor({ runSource: 'GATEWAY' });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThan(stored.length);
    });

    it('since is inclusive and until exclusive', async () => {
      const at = sample(stored).timestamp;
      const until = await linesFor({ since: everything.since, until: at });
      expect(until.some((line) => line.timestamp === at)).toBe(false);
      const since = await linesFor({ since: at, until: everything.until });
      expect(since.at(-1)!.timestamp).toBe(at);
      const expectedAtOrAfter = stored.filter((line) => micros(line) >= micros(sample(stored)));
      expect(since).toHaveLength(expectedAtOrAfter.length);
    });

    it('label conditions: IN, NOT_IN, EQUALS and NOT_EQUALS', async () => {
      const ids = [
        ...new Set(stored.map((line) => labelOf(line, 'fal_request_id')).filter(Boolean)),
      ].slice(0, 3) as string[];
      const expectedIn = stored.filter((line) => ids.includes(labelOf(line, 'fal_request_id')!));
      const inLines = await linesFor({
        labels: [{ key: 'fal_request_id', values: ids, op: 'IN' }],
      });
      expect(inLines).toHaveLength(expectedIn.length);
      expect(new Set(inLines.map((line) => line.requestId))).toEqual(new Set(ids));

      const env = labelOf(sample(stored), 'fal_env')!;
      const equals = await linesFor({ labels: [{ key: 'fal_env', values: [env] }] });
      expect(equals.every((line) => line.env === env)).toBe(true);
      const notEquals = await linesFor({
        labels: [{ key: 'fal_env', values: [env], op: 'NOT_EQUALS' }],
      });
      expect(notEquals.every((line) => line.env !== env)).toBe(true);
      expect(equals.length + notEquals.length).toBe(stored.length);

      const notIn = await linesFor({
        labels: [{ key: 'fal_request_id', values: ids, op: 'NOT_IN' }],
      });
      expect(notIn.some((line) => ids.includes(line.requestId ?? ''))).toBe(false);
    });

    it('traceback adds the traceback label to error lines only when asked', async () => {
      const hasTraceback = (lines: Line[]) =>
        lines.some((line) => line.labels.some((label) => label.key === 'traceback'));
      expect(hasTraceback(await linesFor({ minLevel: 'ERROR' }))).toBe(false);
      expect(hasTraceback(await linesFor({ minLevel: 'ERROR', traceback: true }))).toBe(true);
    });
  });

  describe('odd upstream values never fail a page', () => {
    it('reads unknown or oddly cased levels, odd timestamps, and passes messages byte-exact', async () => {
      const messages = ['naïve café ☕ 日本語', 'line one\nline two\r\n\ttabbed', '  padded  ', ''];
      stack.emulator.fal.appendLines('demo', [
        { timestamp: '2030-01-01T00:00:00.123456', level: 'notice', message: messages[0] },
        { timestamp: '2030-01-01T00:00:01+00:00', level: 'WARNING', message: messages[1] },
        { timestamp: '2030-01-01T01:00:02.5+01:00', level: 'stdout', message: messages[2] },
        { timestamp: '2030-01-01T00:00:03.000Z', level: 'Error', message: messages[3] },
      ]);
      const lines = await linesFor({ since: '2030-01-01', until: '2030-01-02' });
      expect(lines.map((line) => [line.timestamp, line.level, line.message])).toEqual([
        ['2030-01-01T00:00:03.000Z', 'ERROR', messages[3]],
        ['2030-01-01T00:00:02.500Z', 'STDOUT', messages[2]],
        ['2030-01-01T00:00:01.000Z', 'WARNING', messages[1]],
        ['2030-01-01T00:00:00.123456Z', 'INFO', messages[0]],
      ]);
    });
  });
});
