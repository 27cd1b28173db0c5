import type { Config } from '../../config.js';
import { UpstreamHttp } from '../http.js';
import {
  falErrorEnvelopeSchema,
  falLogHistoryPageSchema,
  type FalLogFilterParams,
  type FalLogHistoryPage,
  type FalLogHistoryParams,
} from './types.js';

export class FalClient {
  private readonly http: UpstreamHttp;

  constructor(baseUrl: string, settings: Config['upstream']) {
    this.http = new UpstreamHttp('fal', baseUrl, settings, (body) => {
      const parsed = falErrorEnvelopeSchema.safeParse(body);
      return parsed.success
        ? { message: parsed.data.error.message, requestId: parsed.data.error.request_id }
        : {};
    });
  }

  logsHistory(
    authorization: string,
    params: FalLogHistoryParams,
    signal?: AbortSignal,
  ): Promise<FalLogHistoryPage> {
    return this.http.json(
      {
        method: 'POST',
        path: '/serverless/logs/history',
        query: {
          limit: params.limit,
          start: params.start,
          end: params.end,
          ...filterQuery(params),
        },
        body: params.labels ?? [],
        authorization,
        signal,
      },
      falLogHistoryPageSchema,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

function filterQuery(filter: FalLogFilterParams) {
  return {
    app_id: filter.appIds,
    revision: filter.revision,
    run_source: filter.runSource,
    traceback: filter.traceback,
    search: filter.search,
    level: filter.level,
    job_id: filter.jobId,
    request_id: filter.requestId,
  };
}
