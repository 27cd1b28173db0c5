import type { Config } from '../../config.js';
import {
  UpstreamHttp,
  type CallOptions,
  type ErrorEnvelope,
  type UpstreamObserver,
} from '../http.js';
import {
  falLegacyLogPageSchema,
  fastApiErrorEnvelopeSchema,
  type FalLegacyLogLine,
  type FalLegacyLogsParams,
} from './types.js';

/** fal's legacy logs API (`POST {FAL_LEGACY_API_URL}/logs/`), which some deployments still serve. */
export class FalLegacyClient {
  private readonly http: UpstreamHttp;

  constructor(baseUrl: string, settings: Config['upstream'], observer?: UpstreamObserver) {
    this.http = new UpstreamHttp('fal', baseUrl, settings, readFastApiError, observer);
  }

  /**
   * Up to `limit` lines strictly between `since` and `until`, newest first. There is no cursor:
   * a page of `limit` lines may have more behind it, read by calling again with `until` at the
   * oldest timestamp read. Lines sharing that timestamp can straddle the two pages; a window
   * from 1 µs before it to 1 µs after it reads all of them again (the upstream documents no
   * order among them, so a walk recognises the ones it handed out by their content).
   */
  logs(
    authorization: string,
    params: FalLegacyLogsParams,
    call: CallOptions = {},
  ): Promise<FalLegacyLogLine[]> {
    return this.http.json(
      {
        method: 'POST',
        route: 'logs.legacy',
        path: '/logs/',
        query: {
          limit: params.limit,
          since: params.since?.iso,
          until: params.until?.iso,
          app_id: params.appName,
          revision: params.revision,
          traceback: params.traceback,
          search: params.search,
          level: params.level,
          job_id: params.jobId,
          request_id: params.requestId,
        },
        body: { extra_filters: params.labels ?? [] },
        authorization,
        ...call,
      },
      falLegacyLogPageSchema,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** `{"detail": "text"}`, or a 422's list read as `query.since: invalid datetime format; …`. */
function readFastApiError(body: unknown): ErrorEnvelope {
  const parsed = fastApiErrorEnvelopeSchema.safeParse(body);
  if (!parsed.success) return {};
  const { detail } = parsed.data;
  if (typeof detail === 'string') return { message: detail };
  return { message: detail.map(({ loc, msg }) => `${loc.join('.')}: ${msg}`).join('; ') };
}
