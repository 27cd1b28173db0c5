import { STATUS_CODES } from 'node:http';
import type { ErrorAnswer } from '../http/exchange.js';

/** One entry of a FastAPI 422 answer, as pydantic (v1) reports a value it could not read. */
export interface FieldError {
  /** Where the value sits: `['query', 'since']`, `['body', 'extra_filters', 0, 'key']`. */
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * FastAPI's `{"detail": ...}` envelope: the given text, or the status's reason phrase as
 * Starlette sends it; 429 carries Retry-After when given.
 */
export function fastApiError(
  status: number,
  message?: string,
  retryAfterSeconds?: number,
): ErrorAnswer {
  const headers =
    status === 429 && retryAfterSeconds !== undefined
      ? { 'retry-after': String(retryAfterSeconds) }
      : {};
  const detail = message ?? STATUS_CODES[status] ?? 'Error';
  return { status, body: { detail }, headers };
}

/** FastAPI's 422 for request values that fail validation, every failure listed. */
export function fastApiValidationError(errors: readonly FieldError[]): ErrorAnswer {
  return { status: 422, body: { detail: errors }, headers: {} };
}
