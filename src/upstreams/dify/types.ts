import { z } from 'zod';

export const difyErrorEnvelopeSchema = z.object({
  code: z.string().optional(),
  message: z.string().optional(),
  status: z.number().optional(),
});

/** Unix seconds; some older self-hosted versions send strings. */
const difyTimestamp = z.union([z.number(), z.string()]);

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

export const difyWorkflowRunDetailSchema = z.object({
  id: z.string(),
  workflow_id: z.string().nullish(),
  status: z.string(),
  /** A JSON document as a string; parse it before use. */
  inputs: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
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
