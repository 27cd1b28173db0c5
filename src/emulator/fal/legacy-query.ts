import { z } from 'zod';
import type { ErrorAnswer } from '../http/exchange.js';
import { collectParams } from '../params.js';
import { ANY_ISO, parseMicros } from '../time.js';
import { fastApiError, fastApiValidationError } from './fastapi.js';
import type { FieldError } from './fastapi.js';
import { levelRank } from './levels.js';

/** Not documented upstream; NOTES.md advises asking for at most this many. */
const LEGACY_MAX_LIMIT = 1000;

/** The minimum levels the legacy API documents. */
const LEGACY_LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR'] as const;

function invalid(ctx: z.RefinementCtx, msg: string, type: string): never {
  ctx.addIssue({ code: 'custom', message: msg, params: { type } });
  return z.NEVER;
}

function integer(min: number, max: number) {
  return z.string().transform((text, ctx) => {
    if (!/^[+-]?\d+$/.test(text.trim())) {
      return invalid(ctx, 'value is not a valid integer', 'type_error.integer');
    }
    const value = Number(text);
    if (value < min) {
      const msg = `ensure this value is greater than or equal to ${min}`;
      return invalid(ctx, msg, 'value_error.number.not_ge');
    }
    if (value > max) {
      const msg = `ensure this value is less than or equal to ${max}`;
      return invalid(ctx, msg, 'value_error.number.not_le');
    }
    return value;
  });
}

/** Any ISO-8601 spelling (naive ones are UTC), to epoch microseconds. */
const datetime = z
  .string()
  .transform(
    (text, ctx) =>
      parseMicros(text, ANY_ISO) ?? invalid(ctx, 'invalid datetime format', 'value_error'),
  );

/** The spellings pydantic reads as a boolean. */
const BOOLEANS = new Map([
  ...['1', 'on', 't', 'true', 'y', 'yes'].map((text) => [text, true] as const),
  ...['0', 'off', 'f', 'false', 'n', 'no'].map((text) => [text, false] as const),
]);
const boolean = z
  .string()
  .transform(
    (text, ctx) =>
      BOOLEANS.get(text.toLowerCase()) ??
      invalid(ctx, 'value could not be parsed to a boolean', 'type_error.bool'),
  );

const queryParams = z.object({
  limit: integer(1, LEGACY_MAX_LIMIT).default(100),
  /** Exclusive, epoch microseconds. */
  since: datetime.optional(),
  /** Exclusive, epoch microseconds. */
  until: datetime.optional(),
  /** The app's name, without its owner. */
  app_id: z.string().optional(),
  revision: z.string().optional(),
  traceback: boolean.default(false),
  search: z
    .string()
    .transform((text) => text.toLowerCase())
    .optional(),
  /** A minimum, as a rank of levels.ts. */
  level: z.enum(LEGACY_LEVELS).transform(levelRank).optional(),
  job_id: z.string().optional(),
  request_id: z.string().optional(),
});

/** `{"extra_filters": [{key, value}]}`: label equality only; unknown fields are ignored. */
const bodySchema = z
  .object({
    extra_filters: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
  })
  .nullish();

export interface LegacyLabel {
  key: string;
  value: string;
}

export type LegacyQuery = z.output<typeof queryParams> & { labels: LegacyLabel[] };

/**
 * Reads a `POST /logs/` call as FastAPI would: every unreadable query or body value in one 422,
 * then a 400 for a label key given twice.
 */
export function parseLegacyQuery(
  query: Record<string, string[]>,
  bodyText: string,
): { ok: true; value: LegacyQuery } | { ok: false; answer: ErrorAnswer } {
  const params = queryParams.safeParse(collectParams(query, Object.keys(queryParams.shape)), {
    reportInput: true,
  });
  const body = readBody(bodyText);
  if (!params.success || !body.ok) {
    const errors = [
      ...(params.success ? [] : fieldErrors('query', params.error.issues)),
      ...(body.ok ? [] : body.errors),
    ];
    return { ok: false, answer: fastApiValidationError(errors) };
  }
  const { labels } = body;
  const duplicate = labels.find((label, i) => labels.findIndex((l) => l.key === label.key) < i);
  if (duplicate) {
    return { ok: false, answer: fastApiError(400, `Duplicate label key found: ${duplicate.key}`) };
  }
  return { ok: true, value: { ...params.data, labels } };
}

function readBody(
  text: string,
): { ok: true; labels: LegacyLabel[] } | { ok: false; errors: FieldError[] } {
  let json: unknown;
  try {
    json = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return {
      ok: false,
      errors: [{ loc: ['body'], msg: 'invalid JSON', type: 'value_error.jsondecode' }],
    };
  }
  const body = bodySchema.safeParse(json, { reportInput: true });
  return body.success
    ? { ok: true, labels: body.data?.extra_filters ?? [] }
    : { ok: false, errors: fieldErrors('body', body.error.issues) };
}

const TYPE_ERRORS: Record<string, Omit<FieldError, 'loc'>> = {
  string: { msg: 'str type expected', type: 'type_error.str' },
  object: { msg: 'value is not a valid dict', type: 'type_error.dict' },
  array: { msg: 'value is not a valid list', type: 'type_error.list' },
};

/** zod's issues in pydantic's words. */
function fieldErrors(where: 'query' | 'body', issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({
    loc: [where, ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))],
    ...describe(issue),
  }));
}

function describe(issue: z.core.$ZodIssue): Omit<FieldError, 'loc'> {
  switch (issue.code) {
    case 'custom':
      return { msg: issue.message, type: String(issue.params?.type ?? 'value_error') };
    case 'invalid_type':
      if (issue.input === undefined) return { msg: 'field required', type: 'value_error.missing' };
      return TYPE_ERRORS[issue.expected] ?? { msg: issue.message, type: 'type_error' };
    case 'invalid_value': {
      const permitted = issue.values.map((value) => `'${String(value)}'`).join(', ');
      const msg = `value is not a valid enumeration member; permitted: ${permitted}`;
      return { msg, type: 'type_error.enum' };
    }
    default:
      return { msg: issue.message, type: 'value_error' };
  }
}
