import { z } from 'zod';
import { sendError, sendOk } from '../http/exchange.js';
import type { Exchange } from '../http/exchange.js';
import { collectParams, integer, parseWith, timestamp } from '../params.js';
import { ANY_ISO } from '../time.js';
import { difyError } from './errors.js';
import { logRow } from './store.js';
import type { DifyStore, LogRecord } from './store.js';

const KEYWORD_LENGTH = 30;

const params = z.object({
  keyword: z
    .string()
    .transform((keyword) => keyword.slice(0, KEYWORD_LENGTH).toLowerCase())
    .optional(),
  status: z.enum(['succeeded', 'failed', 'stopped']).optional(),
  page: integer(1, 99_999).default(1),
  limit: integer(1, 100).default(20),
  created_at__before: timestamp(ANY_ISO, 'an ISO-8601 datetime').optional(),
  created_at__after: timestamp(ANY_ISO, 'an ISO-8601 datetime').optional(),
  created_by_end_user_session_id: z.string().optional(),
  created_by_account: z.string().optional(),
});

type Query = z.output<typeof params>;

/**
 * `GET /workflows/logs`: newest first (rows of one second by insertion, newest first),
 * offset pages, inclusive created_at bounds.
 */
export function logsRoute(store: DifyStore) {
  return (ex: Exchange, tenant: string): void => {
    const input = collectParams(ex.call.query, Object.keys(params.shape));
    const parsed = parseWith(params, input);
    if (!parsed.ok) {
      const message = [
        '1 validation error for WorkflowLogQuery',
        parsed.param,
        `  ${parsed.problem} [input_value=${JSON.stringify(input[parsed.param])}]`,
      ].join('\n');
      return sendError(ex, difyError(400, message));
    }
    const query = parsed.value;
    const email = query.created_by_account;
    if (email !== undefined && !store.accounts(tenant).some((account) => account.email === email)) {
      return sendError(ex, difyError(400, `Account not found: ${email}`));
    }
    const rows = store.records(tenant).filter(matcher(query));
    const first = (query.page - 1) * query.limit;
    sendOk(ex, {
      page: query.page,
      limit: query.limit,
      total: rows.length,
      has_more: rows.length > query.page * query.limit,
      data: rows.slice(first, first + query.limit).map(logRow),
    });
  };
}

function matcher(query: Query): (record: LogRecord) => boolean {
  return ({ run, endUser, account, created_at }) => {
    const micros = created_at * 1e6;
    return (
      (query.status === undefined || run?.status === query.status) &&
      (query.created_at__before === undefined || micros <= query.created_at__before) &&
      (query.created_at__after === undefined || micros >= query.created_at__after) &&
      (query.created_by_end_user_session_id === undefined ||
        endUser?.session_id === query.created_by_end_user_session_id) &&
      (query.created_by_account === undefined || account?.email === query.created_by_account) &&
      (query.keyword === undefined ||
        [
          run && JSON.stringify(run.inputs),
          run && JSON.stringify(run.outputs),
          endUser?.session_id,
        ].some((text) => text?.toLowerCase().includes(query.keyword ?? '')))
    );
  };
}
