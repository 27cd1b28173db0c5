import { z } from 'zod';
import { parseInstant, type Instant } from '../../time.js';

/** FastAPI's error envelope: a text, or (422) one entry per request value it could not read. */
export const fastApiErrorEnvelopeSchema = z.object({
  detail: z.union([
    z.string(),
    z.array(
      z.object({
        loc: z.array(z.union([z.string(), z.number()])),
        msg: z.string(),
        type: z.string().optional(),
      }),
    ),
  ]),
});

/** Naive timestamps (the legacy API's own, with microseconds) are UTC. */
const instant = z.string().transform((text, ctx): Instant => {
  const parsed = parseInstant(text);
  if (parsed) return parsed;
  ctx.addIssue({ code: 'custom', message: 'expected an ISO-8601 date-time' });
  return z.NEVER;
});

/**
 * A line of `POST /logs/`. Its labels are the legacy API's: `app` is the app's name and
 * `app_id` the revision id (not v1's `owner/name`); `fal_job_id`, `fal_request_id` and the
 * line's own `level`, `message` and `logged_at` appear among them as well.
 */
export const falLegacyLogLineSchema = z.object({
  timestamp: instant,
  level: z.string(),
  message: z.string(),
  app: z.string(),
  revision: z.string(),
  labels: z
    .record(z.string(), z.string())
    .nullish()
    .transform((labels) => labels ?? {}),
});
export type FalLegacyLogLine = z.output<typeof falLegacyLogLineSchema>;

/** The whole answer: a bare array, newest first, with no cursor and no has_more. */
export const falLegacyLogPageSchema = z.array(falLegacyLogLineSchema);

/** The minimum levels the legacy API documents. */
export type FalLegacyLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';

export interface FalLegacyLabelFilter {
  key: string;
  value: string;
}

export interface FalLegacyLogsParams {
  /** Lines at most; 1 to 1000 (the upstream documents no maximum). */
  limit: number;
  /** Exclusive lower bound, sent to the microsecond. */
  since?: Instant | undefined;
  /** Exclusive upper bound, sent to the microsecond. */
  until?: Instant | undefined;
  /** The app's name, without its owner (the upstream's `app_id`). */
  appName?: string | undefined;
  revision?: string | undefined;
  traceback?: boolean | undefined;
  search?: string | undefined;
  level?: FalLegacyLevel | undefined;
  jobId?: string | undefined;
  requestId?: string | undefined;
  /** Label equality only, one condition per key: the upstream answers 400 to a repeated key. */
  labels?: readonly FalLegacyLabelFilter[] | undefined;
}
