import { z } from 'zod';
import { collectParams, integer, parseWith, timestamp } from '../params.js';
import type { Parsed } from '../params.js';
import { ANY_ISO } from '../time.js';
import type { TimestampSyntax } from '../time.js';
import { LEVEL_NAMES, isKnownLevel, levelRank } from './levels.js';

const RFC3339_OR_DATE: TimestampSyntax = { dateOnly: true, naive: false, optionalSeconds: false };

/** fal's start/end parameters, in epoch microseconds. */
export const windowShape = {
  start: timestamp(RFC3339_OR_DATE, 'an ISO-8601 date-time with offset or YYYY-MM-DD').optional(),
  end: timestamp(RFC3339_OR_DATE, 'an ISO-8601 date-time with offset or YYYY-MM-DD').optional(),
};

/** The default end is now, taken to include lines stamped within the current millisecond. */
export function defaultEnd(nowMicros: number): number {
  return nowMicros + 1000;
}

const labelCondition = z
  .strictObject({
    key: z.string(),
    value: z.union([z.string(), z.array(z.string())]),
    condition_type: z.enum(['equals', 'in', 'not_equals', 'not_in']).default('equals'),
  })
  .transform(({ key, value, condition_type }) => ({
    key,
    values: new Set(typeof value === 'string' ? [value] : value),
    negate: condition_type === 'not_equals' || condition_type === 'not_in',
  }));

export type LabelCondition = z.output<typeof labelCondition>;

const filterShape = {
  ...windowShape,
  app_id: z
    .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, "expected '<owner>/<name>'"))
    .min(1)
    .max(50)
    .optional(),
  revision: z.string().optional(),
  run_source: z.enum(['grpc-run', 'grpc-register', 'gateway', 'cron']).optional(),
  traceback: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .default(false),
  search: z
    .string()
    .transform((value) => value.toLowerCase())
    .optional(),
  level: z
    .string()
    .refine(isKnownLevel, `expected one of ${LEVEL_NAMES.join(', ')}`)
    .transform(levelRank)
    .optional(),
  job_id: z.string().optional(),
  request_id: z.string().optional(),
};

const streamParams = z.object(filterShape);
const historyParams = z.object({
  ...filterShape,
  limit: integer(1, 1000).default(100),
  cursor: timestamp(ANY_ISO, 'a timestamp as sent in next_cursor').optional(),
});

export type LogFilter = z.output<typeof streamParams> & { labels: LabelCondition[] };
export type HistoryQuery = z.output<typeof historyParams> & { labels: LabelCondition[] };

export function parseHistoryQuery(
  query: Record<string, string[]>,
  bodyText: string,
): Parsed<HistoryQuery> {
  return withLabels(parseParams(historyParams, query), bodyText);
}

export function parseStreamQuery(
  query: Record<string, string[]>,
  bodyText: string,
): Parsed<LogFilter> {
  return withLabels(parseParams(streamParams, query), bodyText);
}

function parseParams<S extends z.ZodObject>(schema: S, query: Record<string, string[]>) {
  return parseWith(schema, collectParams(query, Object.keys(schema.shape), ['app_id']));
}

function withLabels<T>(
  params: Parsed<T>,
  bodyText: string,
): Parsed<T & { labels: LabelCondition[] }> {
  if (!params.ok) return params;
  const body = parseBody(bodyText);
  if (body === undefined) return { ok: false, param: 'body', problem: 'expected a JSON array' };
  const labels = parseWith(z.array(labelCondition), body);
  if (!labels.ok) return { ...labels, param: `body.${labels.param}` };
  return { ok: true, value: { ...params.value, labels: labels.value } };
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
