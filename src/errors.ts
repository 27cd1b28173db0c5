export type UpstreamSource = 'fal' | 'dify';

export type UpstreamErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE';

export interface UpstreamErrorDetails {
  code: UpstreamErrorCode;
  source: UpstreamSource;
  upstreamStatus?: number | undefined;
  upstreamRequestId?: string | undefined;
  /** Seconds the upstream asked us to wait before trying again. */
  retryAfter?: number | undefined;
  /**
   * The setting whose bound on what is read from the upstream the answer exceeded (e.g.
   * `UPSTREAM_MAX_BODY_BYTES`); the same call would exceed it again.
   */
  limit?: string | undefined;
}

/** A failed upstream call, already classified; the schema layer turns it into a GraphQL error. */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly details: UpstreamErrorDetails;

  constructor(message: string, details: UpstreamErrorDetails, options?: ErrorOptions) {
    super(message, options);
    this.details = details;
  }
}

export function codeForStatus(status: number): UpstreamErrorCode {
  if (status === 400 || status === 422) return 'BAD_USER_INPUT';
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 502 || status === 503) return 'UPSTREAM_UNAVAILABLE';
  if (status === 504) return 'UPSTREAM_TIMEOUT';
  return 'UPSTREAM_ERROR';
}

/** A cursor the gateway did not issue, or issued for other arguments. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}
