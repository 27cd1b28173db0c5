import type { Config } from '../../config.js';
import { UpstreamError } from '../errors.js';
import { UpstreamHttp } from '../http.js';
import {
  difyErrorEnvelopeSchema,
  difyWorkflowLogsPageSchema,
  difyWorkflowRunDetailSchema,
  type DifyWorkflowLogsPage,
  type DifyWorkflowLogsParams,
  type DifyWorkflowRunDetail,
} from './types.js';

/** Dify's answer to a `created_by_account` email that matches no account: 400 "Account not found". */
export function isUnknownAccountError(error: unknown): boolean {
  return (
    error instanceof UpstreamError &&
    error.details.source === 'dify' &&
    error.details.upstreamStatus === 400 &&
    /\baccount not found\b/i.test(error.message)
  );
}

export class DifyClient {
  private readonly http: UpstreamHttp;

  constructor(baseUrl: string, settings: Config['upstream']) {
    this.http = new UpstreamHttp('dify', baseUrl, settings, (body) => {
      const parsed = difyErrorEnvelopeSchema.safeParse(body);
      return parsed.success ? { message: parsed.data.message } : {};
    });
  }

  workflowLogs(
    authorization: string,
    params: DifyWorkflowLogsParams,
    signal?: AbortSignal,
  ): Promise<DifyWorkflowLogsPage> {
    return this.http.json(
      {
        method: 'GET',
        path: '/workflows/logs',
        query: {
          page: params.page,
          limit: params.limit,
          keyword: params.keyword,
          status: params.status,
          created_at__before: params.createdAtBefore,
          created_at__after: params.createdAtAfter,
          created_by_end_user_session_id: params.endUserSessionId,
          created_by_account: params.accountEmail,
        },
        authorization,
        signal,
      },
      difyWorkflowLogsPageSchema,
    );
  }

  /** `runId` must already be validated by the caller; it is encoded as one path segment. */
  workflowRun(
    authorization: string,
    runId: string,
    signal?: AbortSignal,
  ): Promise<DifyWorkflowRunDetail> {
    return this.http.json(
      {
        method: 'GET',
        path: `/workflows/run/${encodeURIComponent(runId)}`,
        authorization,
        signal,
      },
      difyWorkflowRunDetailSchema,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
