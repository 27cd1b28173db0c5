import type { Config } from '../../config.js';
import { UpstreamHttp, type CallOptions, type UpstreamObserver } from '../http.js';
import {
  falAppListSchema,
  falErrorEnvelopeSchema,
  falLogHistoryPageSchema,
  falLogLineSchema,
  falRequestPageSchema,
  type FalAppList,
  type FalAppsParams,
  type FalLogFilterParams,
  type FalLogHistoryPage,
  type FalLogHistoryParams,
  type FalRequestPage,
  type FalRequestsParams,
  type FalLogStreamParams,
  type FalStreamEvent,
} from './types.js';

export class FalClient {
  private readonly http: UpstreamHttp;

  constructor(baseUrl: string, settings: Config['upstream'], observer?: UpstreamObserver) {
    const readErrorEnvelope = (body: unknown) => {
      const parsed = falErrorEnvelopeSchema.safeParse(body);
      return parsed.success
        ? { message: parsed.data.error.message, requestId: parsed.data.error.request_id }
        : {};
    };
    this.http = new UpstreamHttp('fal', baseUrl, settings, readErrorEnvelope, observer);
  }

  logsHistory(
    authorization: string,
    params: FalLogHistoryParams,
    call: CallOptions = {},
  ): Promise<FalLogHistoryPage> {
    return this.http.json(
      {
        method: 'POST',
        route: 'logs.history',
        path: '/serverless/logs/history',
        query: {
          limit: params.limit,
          start: params.start,
          end: params.end,
          ...filterQuery(params),
        },
        body: params.labels ?? [],
        authorization,
        ...call,
      },
      falLogHistoryPageSchema,
    );
  }

  requestsByEndpoint(
    authorization: string,
    params: FalRequestsParams,
    call: CallOptions = {},
  ): Promise<FalRequestPage> {
    return this.http.json(
      {
        method: 'GET',
        route: 'requests.byEndpoint',
        path: '/serverless/requests/by-endpoint',
        query: {
          endpoint_id: params.endpointIds,
          limit: params.limit,
          cursor: pageCursor(params.page),
          start: params.start,
          end: params.end,
          status: params.status,
          request_id: params.requestId,
          expand: params.expand,
          sort_by: params.sortBy,
        },
        authorization,
        ...call,
      },
      falRequestPageSchema,
    );
  }

  /** The apps the key's account owns, in one unpaged list. */
  apps(authorization: string, params: FalAppsParams, call: CallOptions = {}): Promise<FalAppList> {
    return this.http.json(
      {
        method: 'GET',
        route: 'apps.list',
        path: '/serverless/apps',
        query: { environment: params.environment, search: params.search, expand: params.expand },
        authorization,
        ...call,
      },
      falAppListSchema,
    );
  }

  /**
   * The live log stream as events: `open` once the upstream has accepted it, one per log line,
   * `error` for the upstream's error events. Events whose data is empty are keep-alives and are
   * dropped; other data that is not a log line comes out as `unreadable`.
   */
  async *logsStream(
    authorization: string,
    params: FalLogStreamParams,
    idleTimeoutMs: number,
    call: CallOptions = {},
  ): AsyncGenerator<FalStreamEvent> {
    const events = await this.http.openEventStream(
      {
        method: 'POST',
        route: 'logs.stream',
        path: '/serverless/logs/stream',
        query: { start: params.start, end: params.end, ...filterQuery(params) },
        body: params.labels ?? [],
        authorization,
        ...call,
      },
      idleTimeoutMs,
    );
    yield { kind: 'open' };
    for await (const event of events) {
      if (event.event === 'error') {
        yield { kind: 'error', message: event.data };
        continue;
      }
      if (event.data.trim() === '') continue;
      yield lineEvent(event.data);
    }
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/** The by-endpoint page token, which its OpenAPI spec documents as base64 of the page number. */
function pageCursor(page: number): string | undefined {
  return page > 1 ? Buffer.from(String(page)).toString('base64') : undefined;
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

function lineEvent(data: string): FalStreamEvent {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return { kind: 'unreadable', data };
  }
  const parsed = falLogLineSchema.safeParse(payload);
  return parsed.success ? { kind: 'line', line: parsed.data, data } : { kind: 'unreadable', data };
}
