import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { z } from 'zod';
import type {
  DifyWorkflowRunDetail,
  DifyWorkflowRunSummary,
  GatewayContext,
} from '../../context.js';
import { UpstreamError } from '../../errors.js';
import { upstreamStatusOf } from '../../run-status.js';
import { builder } from '../builder.js';
import { loadEach } from '../loaders.js';
import { badUserInput, requireCredential } from '../errors.js';

const RUN_STATUSES = [
  'running',
  'succeeded',
  'failed',
  'stopped',
  'partial-succeeded',
  'paused',
] as const;
export type WorkflowRunStatus = (typeof RUN_STATUSES)[number];

export const WorkflowRunStatusEnum = builder.enumType('WorkflowRunStatus', {
  description:
    'Where a Dify workflow run stands. A status this gateway does not know (see `WorkflowRun.statusRaw`) reads as RUNNING while the run has not finished, and once it has as FAILED when it has an error, else SUCCEEDED.',
  values: {
    RUNNING: { value: 'running' },
    SUCCEEDED: { value: 'succeeded' },
    FAILED: { value: 'failed' },
    STOPPED: { value: 'stopped', description: 'Stopped by a user.' },
    PARTIAL_SUCCEEDED: {
      value: 'partial-succeeded',
      description: 'Finished with some nodes failed (their errors were handled).',
    },
    PAUSED: { value: 'paused', description: 'Waiting for human input.' },
  } as const,
});

const KNOWN_STATUSES = new Set<string>(RUN_STATUSES);

export { upstreamStatusOf };

function runStatusOf(run: WorkflowRunSource['run']): WorkflowRunStatus {
  const status = upstreamStatusOf(run.status);
  if (KNOWN_STATUSES.has(status)) return status as WorkflowRunStatus;
  if (run.finished_at == null) return 'running';
  return run.error ? 'failed' : 'succeeded';
}

/** A run as a log row summarises it, or as the run-detail endpoint returns it. */
export type WorkflowRunSource =
  { kind: 'summary'; run: DifyWorkflowRunSummary } | { kind: 'detail'; run: DifyWorkflowRunDetail };

const RUN_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RUN_ID_PROBLEM = 'must be a Dify workflow run id (a UUID)';
const RUN_DETAIL_CONCURRENCY = 8;

async function fetchRunDetail(
  context: GatewayContext,
  authorization: string,
  runId: string,
): Promise<WorkflowRunSource | null> {
  try {
    const run = await context.upstreams.dify.workflowRun(authorization, runId, context.call);
    return { kind: 'detail', run };
  } catch (error) {
    if (error instanceof UpstreamError && error.details.code === 'NOT_FOUND') return null;
    throw error;
  }
}

/** Run details of one request: each distinct run fetched once, a few at a time. */
const runDetails = createContextCache(
  (context: GatewayContext) =>
    new DataLoader<string, WorkflowRunSource | null>(async (runIds) => {
      const authorization = requireCredential(context, 'dify');
      return loadEach(runIds, RUN_DETAIL_CONCURRENCY, (runId) =>
        fetchRunDetail(context, authorization, runId),
      );
    }),
);

async function detailOf(
  source: WorkflowRunSource,
  context: GatewayContext,
): Promise<DifyWorkflowRunDetail | null> {
  if (source.kind === 'detail') return source.run;
  const loaded = await runDetails(context).load(source.run.id);
  return loaded?.kind === 'detail' ? loaded.run : null;
}

const ONLY_FROM_LOGS =
  'Known only when the run is read through `workflowLogs`: the run-detail endpoint behind `workflowRun` and `node` does not return it.';

export const WorkflowRunRef = builder.objectRef<WorkflowRunSource>('WorkflowRun');

builder.node(WorkflowRunRef, {
  description:
    'One execution of a Dify workflow. `inputs` and `outputs` cost one upstream call per distinct run in a response, made only when selected.',
  id: {
    resolve: (source) => source.run.id,
    parse: (runId) => {
      if (!RUN_ID.test(runId)) throw badUserInput('id', RUN_ID_PROBLEM);
      return runId;
    },
  },
  loadWithoutCache: (runId, context) => runDetails(context).load(runId),
  fields: (t) => ({
    runId: t.string({ resolve: (source) => source.run.id }),
    version: t.string({
      nullable: true,
      description: ONLY_FROM_LOGS,
      resolve: (source) => (source.kind === 'summary' ? (source.run.version ?? null) : null),
    }),
    status: t.field({
      type: WorkflowRunStatusEnum,
      resolve: (source) => runStatusOf(source.run),
    }),
    statusRaw: t.string({
      description: 'The status exactly as Dify sent it.',
      resolve: (source) => source.run.status,
    }),
    error: t.string({ nullable: true, resolve: (source) => source.run.error ?? null }),
    elapsedTime: t.float({
      nullable: true,
      description: 'Seconds.',
      resolve: (source) => source.run.elapsed_time ?? null,
    }),
    totalTokens: t.int({ nullable: true, resolve: (source) => source.run.total_tokens ?? null }),
    totalSteps: t.int({ nullable: true, resolve: (source) => source.run.total_steps ?? null }),
    createdAt: t.field({ type: 'DateTime', resolve: (source) => source.run.created_at.iso }),
    finishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Null while the run has not finished.',
      resolve: (source) => source.run.finished_at?.iso ?? null,
    }),
    exceptionsCount: t.int({
      nullable: true,
      description: ONLY_FROM_LOGS,
      resolve: (source) =>
        source.kind === 'summary' ? (source.run.exceptions_count ?? null) : null,
    }),
    triggeredFrom: t.string({
      nullable: true,
      description: `Like \`app-run\`, \`debugging\`, \`webhook\`, \`schedule\` or \`plugin\`. ${ONLY_FROM_LOGS}`,
      resolve: (source) => (source.kind === 'summary' ? (source.run.triggered_from ?? null) : null),
    }),
    inputs: t.field({
      type: 'JSON',
      nullable: true,
      description:
        'The run’s input variables, from the run detail. Dify sends them as a JSON string: one that does not parse is returned as that string.',
      resolve: async (source, _args, context) => (await detailOf(source, context))?.inputs ?? null,
    }),
    outputs: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The run’s outputs, from the run detail; an empty object until there are any.',
      resolve: async (source, _args, context) => (await detailOf(source, context))?.outputs ?? null,
    }),
  }),
});

builder.queryField('workflowRun', (t) =>
  t.field({
    type: WorkflowRunRef,
    nullable: true,
    description:
      'One Dify workflow run by its run id (a UUID), or null when the app behind the credential has no such run.',
    args: {
      id: t.arg.string({ required: true, validate: z.string().regex(RUN_ID, RUN_ID_PROBLEM) }),
    },
    resolve: (_root, { id }, context) => runDetails(context).load(id),
  }),
);
