import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { DifyWorkflowLog, GatewayContext } from '../../context.js';
import { LOOKUP_MAX_ROWS } from '../../read-bounds.js';
import { builder } from '../builder.js';
import { loadEach } from '../loaders.js';
import { badUserInput, readScope } from '../errors.js';
import { WorkflowRunRef } from './workflow-runs.js';

const LOOKUP_CONCURRENCY = 8;

const WorkflowAccountRef = builder
  .objectRef<NonNullable<DifyWorkflowLog['created_by_account']>>('WorkflowAccount')
  .implement({
    description: 'A member of the Dify workspace.',
    fields: (t) => ({
      id: t.exposeString('id'),
      name: t.string({ nullable: true, resolve: (account) => account.name ?? null }),
      email: t.string({ nullable: true, resolve: (account) => account.email ?? null }),
    }),
  });

const WorkflowEndUserRef = builder
  .objectRef<NonNullable<DifyWorkflowLog['created_by_end_user']>>('WorkflowEndUser')
  .implement({
    description: 'A user of the Dify app: through the service API or the web app.',
    fields: (t) => ({
      id: t.exposeString('id'),
      type: t.string({
        nullable: true,
        description: 'Like `service-api` or `browser`.',
        resolve: (user) => user.type ?? null,
      }),
      isAnonymous: t.boolean({ nullable: true, resolve: (user) => user.is_anonymous ?? null }),
      sessionId: t.string({ nullable: true, resolve: (user) => user.session_id ?? null }),
    }),
  });

/** The raw id of a WorkflowLog node: its created_at second, which finds it again, and its id. */
const LOG_KEY = /^(\d{1,12}):([0-9a-f-]{1,64})$/i;

function parseLogKey(key: string): { second: number; logId: string } {
  const match = LOG_KEY.exec(key);
  if (!match?.[1] || !match[2]) throw badUserInput('id', 'is not a WorkflowLog id');
  return { second: Number(match[1]), logId: match[2] };
}

/** Log rows of one request found again by key, grouped into one lookup per second. */
const logsByKey = createContextCache(
  (context: GatewayContext) =>
    new DataLoader<string, DifyWorkflowLog | null>(async (keys) => {
      const scope = readScope(context, 'dify');
      const idsBySecond = new Map<number, Set<string>>();
      for (const { second, logId } of keys.map(parseLogKey)) {
        idsBySecond.set(second, (idsBySecond.get(second) ?? new Set()).add(logId));
      }
      const seconds = [...idsBySecond];
      const found = await loadEach(seconds, LOOKUP_CONCURRENCY, ([second, ids]) =>
        context.reads.findWorkflowLogs(scope, { second, ids }),
      );
      const bySecond = new Map(seconds.map(([second], i) => [second, found[i]!]));
      return keys.map((key) => {
        const { second, logId } = parseLogKey(key);
        const rows = bySecond.get(second)!;
        return rows instanceof Error ? rows : (rows.find((row) => row.id === logId) ?? null);
      });
    }),
);

export const WorkflowLogRef = builder.objectRef<DifyWorkflowLog>('WorkflowLog');

builder.node(WorkflowLogRef, {
  description: `One row of a Dify app’s workflow log. Dify cannot fetch a row by id, so \`node(id)\` finds it again among the rows of its creation second (reading at most ${LOOKUP_MAX_ROWS} of them).`,
  id: {
    resolve: (row, _args, context) => `${context.reads.secondOf(row)}:${row.id}`,
    parse: (key) => {
      parseLogKey(key);
      return key;
    },
  },
  loadWithoutCache: (key, context) => logsByKey(context).load(key),
  fields: (t) => ({
    logId: t.exposeString('id'),
    workflowRun: t.field({
      type: WorkflowRunRef,
      nullable: true,
      description: 'Null on a row whose run no longer exists.',
      resolve: (row) =>
        row.workflow_run ? { kind: 'summary' as const, run: row.workflow_run } : null,
    }),
    createdFrom: t.string({
      nullable: true,
      description: 'Like `service-api`, `web-app` or `installed-app`.',
      resolve: (row) => row.created_from ?? null,
    }),
    createdByRole: t.string({
      nullable: true,
      description: 'Like `end_user` or `account`.',
      resolve: (row) => row.created_by_role ?? null,
    }),
    createdByAccount: t.field({
      type: WorkflowAccountRef,
      nullable: true,
      resolve: (row) => row.created_by_account ?? null,
    }),
    createdByEndUser: t.field({
      type: WorkflowEndUserRef,
      nullable: true,
      resolve: (row) => row.created_by_end_user ?? null,
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (row) => row.created_at.iso }),
    details: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Extra details newer Dify versions attach, such as trigger metadata.',
      resolve: (row) => row.details ?? null,
    }),
  }),
});
