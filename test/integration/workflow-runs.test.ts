import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIFY_AUTH, type Stack } from '../support/stack.js';
import { isoOfSecond, sentFilters, startWorkflowStack } from './workflow-support.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startWorkflowStack();
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.resetCalls();
});

const runCalls = () => stack.emulator.calls({ route: 'workflows.run' });
const logCalls = () => stack.emulator.calls({ route: 'workflows.logs' });
const storedRun = (runId: string) =>
  stack.emulator.dify.runs('demo').find((run) => run.id === runId)!;
const globalId = (typename: string, rawId: string) =>
  Buffer.from(`${typename}:${rawId}`).toString('base64');

interface RunFields {
  id: string;
  runId: string;
  status: string;
  version: string | null;
  createdAt: string;
  inputs?: unknown;
  outputs?: unknown;
}

interface LogsData {
  workflowLogs: {
    edges: Array<{ node: { id: string; logId: string; workflowRun: RunFields | null } }>;
  };
}

const logsQuery = (runFields: string, first = 30) => `{
  workflowLogs(first: ${first}) { edges { node { id logId workflowRun { ${runFields} } } } }
}`;

function runsOf(data: LogsData): RunFields[] {
  return data.workflowLogs.edges.flatMap(({ node }) =>
    node.workflowRun ? [node.workflowRun] : [],
  );
}

describe('WorkflowRun.inputs and outputs', () => {
  it('cost no run-detail call when not selected', async () => {
    const response = await stack.graphql<LogsData>(
      logsQuery('id runId status createdAt'),
      {},
      DIFY_AUTH,
    );
    expect(response.errors).toBeUndefined();
    expect(runsOf(response.data!).length).toBeGreaterThan(20);
    expect(runCalls()).toHaveLength(0);
    expect(logCalls()).toHaveLength(1);
  });

  it('cost one call per distinct run, however often the runs appear in the response', async () => {
    const query = `{
      a: workflowLogs(first: 30) { edges { node { workflowRun { runId inputs } } } }
      b: workflowLogs(first: 30) { edges { node { workflowRun { runId outputs inputs } } } }
    }`;
    const response = await stack.graphql<{ a: LogsData['workflowLogs'] }>(query, {}, DIFY_AUTH);
    expect(response.errors).toBeUndefined();
    const runIds = runsOf({ workflowLogs: response.data!.a }).map((run) => run.runId);
    expect(runIds.length).toBeGreaterThan(20);
    expect(
      runCalls()
        .map((call) => call.path)
        .sort(),
    ).toEqual(runIds.map((id) => `/v1/workflows/run/${id}`).sort());
  });

  it('parses the inputs Dify sends as a JSON string and passes outputs through', async () => {
    const response = await stack.graphql<LogsData>(
      logsQuery('runId inputs outputs'),
      {},
      DIFY_AUTH,
    );
    const runs = runsOf(response.data!);
    for (const run of runs) {
      const stored = storedRun(run.runId);
      expect(typeof stored.inputs).toBe('string');
      expect(run.inputs).toEqual(JSON.parse(stored.inputs));
      expect(run.outputs).toEqual(stored.outputs);
    }
    const text = JSON.stringify(runs.map((run) => run.inputs));
    expect(text).toMatch(/\P{ASCII}/u);
  });

  it('keeps at most 8 run-detail calls in flight', async () => {
    stack.emulator.setFault('workflows.run', { latencyMs: 120 });
    let maxInFlight = 0;
    const poll = setInterval(() => {
      const inFlight = runCalls().filter((call) => call.status === 0).length;
      maxInFlight = Math.max(maxInFlight, inFlight);
    }, 5);
    const response = await stack.graphql<LogsData>(logsQuery('runId inputs', 40), {}, DIFY_AUTH);
    clearInterval(poll);
    expect(response.errors).toBeUndefined();
    expect(runCalls().length).toBeGreaterThan(30);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect(maxInFlight).toBeGreaterThanOrEqual(4);
  });

  it('fails only the inputs fields when run details fail, not the page', async () => {
    stack.emulator.setFault('workflows.run', { status: 500 });
    const response = await stack.graphql<LogsData>(logsQuery('runId inputs', 5), {}, DIFY_AUTH);
    const runs = runsOf(response.data!);
    expect(runs.length).toBeGreaterThan(3);
    expect(runs.every((run) => run.inputs === null)).toBe(true);
    expect(response.errors).toHaveLength(runs.length);
    for (const error of response.errors!) {
      expect(error.path!.at(-1)).toBe('inputs');
      expect(error.extensions).toMatchObject({
        code: 'UPSTREAM_ERROR',
        source: 'dify',
        upstreamStatus: 500,
      });
    }
  });
});

const RUN_QUERY = `query ($id: String!) {
  workflowRun(id: $id) { id runId status statusRaw version createdAt finishedAt inputs outputs }
}`;

describe('workflowRun(id)', () => {
  it('reads one run from the run-detail endpoint', async () => {
    const stored = stack.emulator.dify.runs('demo')[5]!;
    const response = await stack.graphql<{ workflowRun: RunFields }>(
      RUN_QUERY,
      { id: stored.id },
      DIFY_AUTH,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.workflowRun).toMatchObject({
      id: globalId('WorkflowRun', stored.id),
      runId: stored.id,
      statusRaw: stored.status,
      version: null,
      createdAt: isoOfSecond(stored.created_at),
      inputs: JSON.parse(stored.inputs) as unknown,
      outputs: stored.outputs,
    });
    expect(runCalls().map((call) => call.path)).toEqual([`/v1/workflows/run/${stored.id}`]);
  });

  it('is null, without an error, for a run id the app does not have', async () => {
    const response = await stack.graphql(
      RUN_QUERY,
      { id: '00000000-0000-4000-8000-000000000000' },
      DIFY_AUTH,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ workflowRun: null });
    expect(runCalls()).toHaveLength(1);
  });

  it.each([
    '../logs',
    'runs/123',
    '55a6f8c6-a979-4fb6-9560-ab01ff92e0d3/../../logs',
    '%2e%2e%2flogs',
    '',
    'not-a-run-id',
  ])('refuses %j as BAD_USER_INPUT without calling the upstream', async (id) => {
    const response = await stack.graphql(RUN_QUERY, { id }, DIFY_AUTH);
    expect(response.data?.workflowRun ?? null).toBeNull();
    expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(/\bid\b/);
    expect(stack.emulator.calls()).toHaveLength(0);
  });

  it('fails alone with UNAUTHENTICATED and no upstream call without a Dify credential', async () => {
    const stored = stack.emulator.dify.runs('demo')[0]!;
    const response = await stack.graphql(RUN_QUERY, { id: stored.id }, {});
    expect(response.data).toEqual({ workflowRun: null });
    expect(response.errors![0]!.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      source: 'dify',
    });
    expect(stack.emulator.calls()).toHaveLength(0);
  });
});

const NODES_QUERY = `query ($ids: [ID!]!) {
  nodes(ids: $ids) {
    id
    __typename
    ... on WorkflowLog { logId createdAt workflowRun { runId status } }
    ... on WorkflowRun { runId status inputs }
  }
}`;

interface NodesData {
  nodes: Array<Record<string, unknown> | null>;
}

describe('node(id) refetch', () => {
  it('refetches a WorkflowRun through the run-detail endpoint', async () => {
    const listed = await stack.graphql<LogsData>(logsQuery('id runId status', 5), {}, DIFY_AUTH);
    const run = runsOf(listed.data!)[0]!;
    stack.emulator.resetCalls();
    const response = await stack.graphql<NodesData>(NODES_QUERY, { ids: [run.id] }, DIFY_AUTH);
    expect(response.errors).toBeUndefined();
    expect(response.data!.nodes).toEqual([
      {
        id: run.id,
        __typename: 'WorkflowRun',
        runId: run.runId,
        status: run.status,
        inputs: JSON.parse(storedRun(run.runId).inputs) as unknown,
      },
    ]);
    expect(runCalls()).toHaveLength(1);
  });

  it('refetches WorkflowLogs by reading the rows of their creation second, once per second', async () => {
    const rows = stack.emulator.dify.logs('demo');
    const second = rows.find((row, i) => rows[i + 1]?.created_at === row.created_at)!.created_at;
    const sameSecond = rows.filter((row) => row.created_at === second);
    const ids = sameSecond.map((row) => globalId('WorkflowLog', `${second}:${row.id}`));
    const response = await stack.graphql<NodesData>(NODES_QUERY, { ids }, DIFY_AUTH);
    expect(response.errors).toBeUndefined();
    expect(response.data!.nodes).toEqual(
      sameSecond.map((row, i) => ({
        id: ids[i],
        __typename: 'WorkflowLog',
        logId: row.id,
        createdAt: isoOfSecond(second),
        workflowRun: row.workflow_run && {
          runId: row.workflow_run.id,
          status: expect.any(String) as unknown,
        },
      })),
    );
    expect(sentFilters(stack)).toEqual([
      {
        created_at__after: isoOfSecond(second).replace('.000Z', 'Z'),
        created_at__before: isoOfSecond(second).replace('.000Z', '.999999Z'),
      },
    ]);
  });

  it('refetches the very node a workflowLogs page handed out', async () => {
    const listed = await stack.graphql<LogsData>(logsQuery('runId', 3), {}, DIFY_AUTH);
    const node = listed.data!.workflowLogs.edges[2]!.node;
    const response = await stack.graphql<{ node: { logId: string } }>(
      `query ($id: ID!) { node(id: $id) { ... on WorkflowLog { logId } } }`,
      { id: node.id },
      DIFY_AUTH,
    );
    expect(response.data!.node).toEqual({ logId: node.logId });
  });

  it('is null for a WorkflowLog that is not (or no longer) there', async () => {
    const second = stack.emulator.dify.logs('demo')[0]!.created_at;
    const id = globalId('WorkflowLog', `${second}:00000000-0000-4000-8000-000000000000`);
    const response = await stack.graphql<NodesData>(NODES_QUERY, { ids: [id] }, DIFY_AUTH);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ nodes: [null] });
  });

  it.each([
    ['a WorkflowLog id without its second', globalId('WorkflowLog', 'abc')],
    ['a WorkflowRun id that is a path', globalId('WorkflowRun', '../logs')],
  ])('refuses %s as BAD_USER_INPUT without calling the upstream', async (_, id) => {
    const response = await stack.graphql<NodesData>(NODES_QUERY, { ids: [id] }, DIFY_AUTH);
    expect(response.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(stack.emulator.calls()).toHaveLength(0);
  });
});

describe('the example operation shown in GraphiQL', () => {
  it('runs as written and lists runs with their inputs', async () => {
    const document = readFileSync(
      new URL('../../schema/operations/workflow-logs.graphql', import.meta.url),
      'utf8',
    );
    const response = await stack.graphql<{
      workflowLogs: { totalCount: number; edges: Array<{ node: { workflowRun: RunFields } }> };
    }>(document, { first: 5 }, DIFY_AUTH);
    expect(response.errors).toBeUndefined();
    expect(response.data!.workflowLogs.edges).toHaveLength(5);
    expect(response.data!.workflowLogs.totalCount).toBe(stack.emulator.dify.logs('demo').length);
  });
});
