export type DifyRunStatus =
  'running' | 'succeeded' | 'failed' | 'stopped' | 'partial-succeeded' | 'paused';

export interface DifyAccount {
  id: string;
  name: string;
  email: string;
}

export interface DifyEndUser {
  id: string;
  type: 'service-api' | 'browser';
  is_anonymous: boolean;
  session_id: string;
}

/** `workflow_run` of a log row. */
export interface DifyRunSummary {
  id: string;
  version: string;
  status: DifyRunStatus;
  error: string | null;
  elapsed_time: number;
  total_tokens: number;
  total_steps: number;
  created_at: number;
  finished_at: number | null;
  exceptions_count: number;
  triggered_from: string;
}

/** A row of `GET /workflows/logs`. */
export interface DifyLogRow {
  id: string;
  workflow_run: DifyRunSummary | null;
  created_from: string;
  created_by_role: 'end_user' | 'account';
  created_by_account: DifyAccount | null;
  created_by_end_user: DifyEndUser | null;
  created_at: number;
  /** Absent on rows written before the field existed. */
  details?: Record<string, unknown> | null;
}

/** `GET /workflows/run/{id}`; `inputs` is a JSON string. */
export interface DifyRunDetail {
  id: string;
  workflow_id: string;
  status: DifyRunStatus;
  inputs: string;
  outputs: Record<string, unknown>;
  error: string | null;
  total_steps: number;
  total_tokens: number;
  created_at: number;
  finished_at: number | null;
  elapsed_time: number;
}

/** Fields to pin when inserting runs; the rest is generated. */
export interface DifyRunSpec {
  status?: DifyRunStatus;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  error?: string | null;
  /** Unix seconds; default now. */
  created_at?: number;
  triggered_from?: string;
  /** Created by the end user with this session id (made up when unknown). */
  session_id?: string;
  /** Created by this tenant's account. */
  account_email?: string;
  /** A log row whose run is gone (`workflow_run: null`). */
  orphaned?: boolean;
}
