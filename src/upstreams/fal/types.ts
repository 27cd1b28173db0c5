import { z } from 'zod';

export const falErrorEnvelopeSchema = z.object({
  error: z.object({
    type: z.string().optional(),
    message: z.string().optional(),
    request_id: z.string().optional(),
  }),
});

export const falLogLineSchema = z.object({
  timestamp: z.string(),
  level: z.string(),
  message: z.string(),
  app: z.string(),
  revision: z.string(),
  labels: z.record(z.string(), z.string()).nullish(),
});
export type FalLogLine = z.infer<typeof falLogLineSchema>;

export const falLogHistoryPageSchema = z.object({
  items: z.array(falLogLineSchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type FalLogHistoryPage = z.infer<typeof falLogHistoryPageSchema>;

export type FalRunSource = 'grpc-run' | 'grpc-register' | 'gateway' | 'cron';
export type FalLabelCondition = 'equals' | 'in' | 'not_equals' | 'not_in';

export interface FalLabelFilter {
  key: string;
  value: string | readonly string[];
  condition_type: FalLabelCondition;
}

/** Filters shared by the history and stream endpoints. */
export interface FalLogFilterParams {
  appIds?: readonly string[] | undefined;
  revision?: string | undefined;
  runSource?: FalRunSource | undefined;
  traceback?: boolean | undefined;
  search?: string | undefined;
  /** Lower-case upstream level name, e.g. `warning`. */
  level?: string | undefined;
  jobId?: string | undefined;
  requestId?: string | undefined;
  labels?: readonly FalLabelFilter[] | undefined;
}

export interface FalLogHistoryParams extends FalLogFilterParams {
  limit: number;
  /** Inclusive lower bound, ISO-8601. */
  start: string;
  /** Exclusive upper bound, ISO-8601. */
  end: string;
}
