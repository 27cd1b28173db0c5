import { z } from 'zod';
import { fromMicros, parseInstant, type Instant } from '../../time.js';

export const difyErrorEnvelopeSchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  status: z.number().optional(),
});

const UNIX_SECONDS = /^\d+(?:\.\d+)?$/;

/**
 * Unix seconds, as a number or (from some older self-hosted versions) a numeric string or an
 * ISO-8601 string, naive ones being UTC.
 */
export function difyInstant(value: number | string): Instant | undefined {
  const seconds =
    typeof value === 'number' || UNIX_SECONDS.test(value.trim()) ? Number(value) : NaN;
  if (Number.isFinite(seconds)) return fromMicros(Math.round(seconds * 1e6));
  return typeof value === 'string' ? parseInstant(value.trim()) : undefined;
}

const difyTimestamp = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const instant = difyInstant(value);
  if (instant) return instant;
  ctx.addIssue({ code: 'custom', message: 'expected unix seconds or an ISO-8601 date-time' });
  return z.NEVER;
});

export const difyWorkflowRunSummarySchema = z.object({
  id: z.string(),
  version: z.string().nullish(),
  status: z.string(),
  error: z.string().nullish(),
  elapsed_time: z.number().nullish(),
  total_tokens: z.number().nullish(),
  total_steps: z.number().nullish(),
  created_at: difyTimestamp,
  finished_at: difyTimestamp.nullish(),
  exceptions_count: z.number().nullish(),
  triggered_from: z.string().nullish(),
});
export type DifyWorkflowRunSummary = z.infer<typeof difyWorkflowRunSummarySchema>;

export const difyWorkflowLogSchema = z.object({
  id: z.string(),
  workflow_run: difyWorkflowRunSummarySchema.nullish(),
  created_from: z.string().nullish(),
  created_by_role: z.string().nullish(),
  created_by_account: z
    .object({ id: z.string(), name: z.string().nullish(), email: z.string().nullish() })
    .nullish(),
  created_by_end_user: z
    .object({
      id: z.string(),
      type: z.string().nullish(),
      is_anonymous: z.boolean().nullish(),
      session_id: z.string().nullish(),
    })
    .nullish(),
  created_at: difyTimestamp,
  details: z.record(z.string(), z.unknown()).nullish(),
});
export type DifyWorkflowLog = z.infer<typeof difyWorkflowLogSchema>;

export const difyWorkflowLogsPageSchema = z.object({
  page: z.number(),
  limit: z.number(),
  total: z.number(),
  has_more: z.boolean(),
  data: z.array(difyWorkflowLogSchema),
});
export type DifyWorkflowLogsPage = z.infer<typeof difyWorkflowLogsPageSchema>;

function parseInputs(inputs: string | Record<string, unknown> | null | undefined): unknown {
  if (typeof inputs !== 'string') return inputs ?? null;
  try {
    return JSON.parse(inputs) as unknown;
  } catch {
    return inputs;
  }
}

export const difyWorkflowRunDetailSchema = z.object({
  id: z.string(),
  workflow_id: z.string().nullish(),
  status: z.string(),
  /** Sent as a JSON document in a string; one that does not parse stays that string. */
  inputs: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .nullish()
    .transform(parseInputs),
  outputs: z.unknown(),
  error: z.string().nullish(),
  total_steps: z.number().nullish(),
  total_tokens: z.number().nullish(),
  created_at: difyTimestamp,
  finished_at: difyTimestamp.nullish(),
  elapsed_time: z.number().nullish(),
});
export type DifyWorkflowRunDetail = z.infer<typeof difyWorkflowRunDetailSchema>;

export type DifyStatusFilter = 'succeeded' | 'failed' | 'stopped';

export interface DifyWorkflowLogsParams {
  page: number;
  limit: number;
  keyword?: string | undefined;
  status?: DifyStatusFilter | undefined;
  /** Inclusive upper bound, ISO-8601 UTC with `Z`. */
  createdAtBefore?: string | undefined;
  /** Inclusive lower bound, ISO-8601 UTC with `Z`. */
  createdAtAfter?: string | undefined;
  endUserSessionId?: string | undefined;
  accountEmail?: string | undefined;
}
