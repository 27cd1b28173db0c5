import type { Config } from '../../config.js';
import { UpstreamError } from '../../errors.js';
import { UpstreamHttp, type CallOptions, type UpstreamObserver } from '../http.js';
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

  constructor(baseUrl: string, settings: Config['upstream'], observer?: UpstreamObserver) {
    const readErrorEnvelope = (body: unknown) => {
      const parsed = difyErrorEnvelopeSchema.safeParse(body);
      return parsed.success ? { message: parsed.data.message } : {};
    };
    this.http = new UpstreamHttp('dify', baseUrl, settings, readErrorEnvelope, observer);
  }

  workflowLogs(
    authorization: string,
    params: DifyWorkflowLogsParams,
    call: CallOptions = {},
  ): Promise<DifyWorkflowLogsPage> {
    return this.http.json(
      {
        method: 'GET',
        route: 'workflows.logs',
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
        ...call,
      },
      difyWorkflowLogsPageSchema,
    );
  }

  /** `runId` must already be validated by the caller; it is encoded as one path segment. */
  workflowRun(
    authorization: string,
    runId: string,
    call: CallOptions = {},
  ): Promise<DifyWorkflowRunDetail> {
    return this.http.json(
      {
        method: 'GET',
        route: 'workflows.run',
        path: `/workflows/run/${encodeURIComponent(runId)}`,
        authorization,
        ...call,
      },
      difyWorkflowRunDetailSchema,
    );
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
