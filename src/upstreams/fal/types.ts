import { z } from 'zod';

export const falErrorEnvelopeSchema = z.object({
  error: z.object({
    type: z.string().optional(),
    message: z.string().optional(),
    request_id: z.string().optional(),
  }),
});

/**
 * A line's labels: an object of strings, checked with one loop and passed on as parsed. zod's
 * own record schema checks and copies every entry, a sizeable share of reading a page of lines.
 */
const labelsSchema = z.custom<Record<string, string>>(areStringLabels, {
  error: 'expected an object of string labels',
});

function areStringLabels(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const labels = value as Record<string, unknown>;
  for (const key in labels) if (typeof labels[key] !== 'string') return false;
  return true;
}

export const falLogLineSchema = z.object({
  timestamp: z.string(),
  level: z.string(),
  message: z.string(),
  app: z.string(),
  revision: z.string(),
  labels: labelsSchema.nullish(),
});
export type FalLogLine = z.infer<typeof falLogLineSchema>;

export const falLogHistoryPageSchema = z.object({
  items: z.array(falLogLineSchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type FalLogHistoryPage = z.infer<typeof falLogHistoryPageSchema>;

/** A row of `GET /serverless/requests/by-endpoint`; the json_* fields and billable_units come with `expand`. */
export const falRequestItemSchema = z.object({
  request_id: z.string(),
  endpoint_id: z.string(),
  runner_id: z.string().nullish(),
  sent_at: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullish(),
  status_code: z.number().int().nullish(),
  duration: z.number().nullish(),
  json_input: z.unknown().optional(),
  json_output: z.unknown().optional(),
  billable_units: z.number().nullish(),
});
export type FalRequestItem = z.infer<typeof falRequestItemSchema>;

export const falRequestPageSchema = z.object({
  items: z.array(falRequestItemSchema),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type FalRequestPage = z.infer<typeof falRequestPageSchema>;

/** An app of `GET /serverless/apps`; `endpoints` comes with `expand=endpoints`. */
const falAppSchema = z.object({
  endpoint_id: z.string(),
  name: z.string(),
  owner: z.string(),
  endpoints: z.array(z.string()).optional(),
});
export type FalApp = z.infer<typeof falAppSchema>;

export const falAppListSchema = z.object({ apps: z.array(falAppSchema) });
export type FalAppList = z.infer<typeof falAppListSchema>;

export interface FalAppsParams {
  /** Default: the main environment. */
  environment?: string | undefined;
  /** Case-insensitive substring of the app name. */
  search?: string | undefined;
  expand?: readonly 'endpoints'[] | undefined;
}

export type FalRequestExpansion = 'payloads' | 'billing';
export type FalRequestSort = 'ended_at' | 'duration';
export type FalRequestStatusClass = 'success' | 'user_error' | 'error';

export interface FalRequestsParams {
  /** 1 to 50; a bare `owner/name` includes its route-level endpoints. */
  endpointIds: readonly string[];
  /** 1 to 100 rows per page. */
  limit: number;
  /** 1-based page number of `limit` rows each. */
  page: number;
  /** Inclusive lower bound on sent_at, ISO-8601. Omitted: 24 hours ago, or 90 days with requestId. */
  start?: string | undefined;
  /** Exclusive upper bound on sent_at, ISO-8601. Omitted: now. */
  end?: string | undefined;
  status?: FalRequestStatusClass | undefined;
  requestId?: string | undefined;
  expand?: readonly FalRequestExpansion[] | undefined;
  sortBy?: FalRequestSort | undefined;
}

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

export interface FalLogStreamParams extends FalLogFilterParams {
  /** Inclusive; always sent, since without it the upstream replays the last 24 hours. */
  start: string;
  end?: string | undefined;
}

export type FalStreamEvent =
  | { kind: 'open' }
  | { kind: 'line'; line: FalLogLine; /** The event's data exactly as sent. */ data: string }
  | { kind: 'error'; message: string }
  | { kind: 'unreadable'; data: string };
