import { sendError } from '../http/exchange.js';
import type { ErrorAnswer, Exchange } from '../http/exchange.js';

type FalErrorType =
  | 'authorization_error'
  | 'validation_error'
  | 'not_found'
  | 'rate_limited'
  | 'server_error'
  | 'not_implemented';

const BY_STATUS: Record<number, [FalErrorType, string]> = {
  400: ['validation_error', 'The request parameters are invalid'],
  401: ['authorization_error', 'A valid API key is required'],
  403: ['authorization_error', 'This key may not access the resource'],
  404: ['not_found', 'Nothing exists at this path'],
  422: ['validation_error', 'The request could not be processed'],
  429: ['rate_limited', 'Too many requests, retry later'],
  501: ['not_implemented', 'Not supported'],
};

/** fal's `{"error": {"type", "message"}}` envelope; 429 carries the retry hints when given. */
export function falError(
  status: number,
  message?: string,
  retryAfterSeconds?: number,
): ErrorAnswer {
  const [type, fallback] = BY_STATUS[status] ?? ['server_error', 'The server failed to answer'];
  const headers =
    status === 429 && retryAfterSeconds !== undefined
      ? { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-reset': String(retryAfterSeconds) }
      : {};
  return { status, body: { error: { type, message: message ?? fallback } }, headers };
}

export function sendValidationError(ex: Exchange, param: string, problem: string): void {
  sendError(ex, falError(400, `Invalid parameter '${param}': ${problem}`));
}
