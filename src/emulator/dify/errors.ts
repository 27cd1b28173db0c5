import type { ErrorAnswer } from '../http/exchange.js';

const BY_STATUS: Record<number, [code: string, message: string]> = {
  400: ['invalid_param', 'A parameter is not valid.'],
  401: ['unauthorized', 'The access token is not valid.'],
  403: ['forbidden', 'This app is disabled or no longer exists.'],
  404: ['not_found', 'The requested URL was not found on this server.'],
  405: ['method_not_allowed', 'The method is not allowed for the requested URL.'],
  429: ['too_many_requests', 'Too many requests, slow down.'],
  502: ['bad_gateway', 'The upstream answered with an invalid response.'],
  503: ['service_unavailable', 'The service is temporarily unavailable.'],
};

/** Dify's `{"code", "message", "status"}` envelope. */
export function difyError(
  status: number,
  message?: string,
  retryAfterSeconds?: number,
): ErrorAnswer {
  const [code, fallback] = BY_STATUS[status] ?? [
    'internal_server_error',
    'The server hit an internal error.',
  ];
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="api"';
  if (status === 429 && retryAfterSeconds !== undefined)
    headers['retry-after'] = String(retryAfterSeconds);
  return { status, body: { code, message: message ?? fallback, status }, headers };
}
