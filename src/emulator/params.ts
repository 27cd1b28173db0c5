import { z } from 'zod';
import { parseMicros } from './time.js';
import type { TimestampSyntax } from './time.js';

/**
 * Reads query parameters into a plain object for a zod schema: list parameters collect every
 * value (comma-separated ones split), the others keep the last value.
 */
export function collectParams(
  query: Record<string, string[]>,
  names: readonly string[],
  lists: readonly string[] = [],
): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const name of names) {
    const values = query[name];
    const last = values?.at(-1);
    if (values === undefined || last === undefined) continue;
    params[name] = lists.includes(name)
      ? values.flatMap((value) => value.split(',')).map((value) => value.trim())
      : last;
  }
  return params;
}

/** A parse result; a failure names the offending parameter (a dotted path). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; param: string; problem: string };

export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    param: issue?.path.map(String).join('.') ?? '',
    problem: issue?.message ?? 'invalid value',
  };
}

/** An integer query parameter within [min, max]. */
export function integer(min: number, max: number) {
  return z
    .string()
    .regex(/^[+-]?\d+$/, 'expected an integer')
    .transform(Number)
    .pipe(z.number().min(min).max(max));
}

/** A timestamp query parameter, parsed to epoch microseconds. */
export function timestamp(syntax: TimestampSyntax, expected: string) {
  return z.string().transform((text, ctx) => {
    const micros = parseMicros(text, syntax);
    if (micros === undefined) ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
    return micros ?? 0;
  });
}
