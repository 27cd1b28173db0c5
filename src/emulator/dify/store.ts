import { randomUUID } from 'node:crypto';
import { pythonJsonDumps } from './python-json.js';
import type {
  DifyAccount,
  DifyEndUser,
  DifyLogRow,
  DifyRunDetail,
  DifyRunSpec,
  DifyRunStatus,
  DifyRunSummary,
} from './wire.js';

export interface RunRecord extends DifyRunSummary {
  workflow_id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
}

export interface LogRecord {
  seq: number;
  id: string;
  run: RunRecord | null;
  created_from: string;
  account: DifyAccount | null;
  endUser: DifyEndUser | null;
  created_at: number;
  /** undefined: the row has no `details` field at all. */
  details: Record<string, unknown> | null | undefined;
}

export type NewLog = Omit<LogRecord, 'seq'>;

/** Makes a tenant's runs: the generator's, later inserts and live ones alike. */
export interface DifyRunFactory {
  create(createdAt: number, spec: DifyRunSpec): NewLog;
  finish(run: RunRecord, status: DifyRunStatus, nowSeconds: number): void;
}

export interface DifyTenantData {
  accounts: DifyAccount[];
  endUsers: DifyEndUser[];
  /** Oldest first; rows sharing a second keep this as their insertion order. */
  logs: NewLog[];
  factory: DifyRunFactory;
}

interface Tenant extends Omit<DifyTenantData, 'logs'> {
  /** Newest first: created_at descending, then insertion sequence descending. */
  records: LogRecord[];
}

export class DifyStore {
  #tenants = new Map<string, Tenant>();
  #seq = 0;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  addTenant(name: string, { logs, ...data }: DifyTenantData): void {
    const records = logs.map((log) => ({ ...log, seq: ++this.#seq })).sort(newestFirst);
    this.#tenants.set(name, { ...data, records });
  }

  /** Log rows as `GET /workflows/logs` sends them, newest first. */
  logs(tenant: string): DifyLogRow[] {
    return this.#tenant(tenant).records.map(logRow);
  }

  /** Records newest first; the query route reads this directly. */
  records(tenant: string): readonly LogRecord[] {
    return this.#tenant(tenant).records;
  }

  /** Run details as `GET /workflows/run/{id}` sends them, newest first. */
  runs(tenant: string): DifyRunDetail[] {
    return this.#tenant(tenant).records.flatMap(({ run }) => (run ? [runDetail(run)] : []));
  }

  run(tenant: string, id: string): DifyRunDetail | undefined {
    const record = this.#tenant(tenant).records.find(({ run }) => run?.id === id);
    return record?.run ? runDetail(record.run) : undefined;
  }

  accounts(tenant: string): readonly DifyAccount[] {
    return this.#tenant(tenant).accounts;
  }

  endUsers(tenant: string): readonly DifyEndUser[] {
    return this.#tenant(tenant).endUsers;
  }

  /** Inserts runs as if just created (or at their pinned created_at) and returns their rows. */
  insertRuns(tenant: string, runs: number | readonly DifyRunSpec[]): DifyLogRow[] {
    const target = this.#tenant(tenant);
    const specs =
      typeof runs === 'number' ? Array.from({ length: runs }, (): DifyRunSpec => ({})) : runs;
    const now = Math.floor(this.#now() / 1000);
    return specs.map((spec) => {
      const created = target.factory.create(spec.created_at ?? now, spec);
      // Dify never hands an id out twice; a restarted emulator's seeded generator would.
      const record = {
        ...created,
        id: randomUUID(),
        run: created.run && { ...created.run, id: randomUUID() },
        seq: ++this.#seq,
      };
      const index = target.records.findIndex((other) => newestFirst(record, other) < 0);
      target.records.splice(index < 0 ? target.records.length : index, 0, record);
      return logRow(record);
    });
  }

  /** Finishes a running or paused run now. */
  finishRun(tenant: string, runId: string, status: DifyRunStatus = 'succeeded'): DifyRunDetail {
    const { records, factory } = this.#tenant(tenant);
    const run = records.find((record) => record.run?.id === runId)?.run;
    if (!run) throw new Error(`Unknown Dify run '${runId}'`);
    factory.finish(run, status, Math.floor(this.#now() / 1000));
    return runDetail(run);
  }

  /** Pauses a running run, or sets a paused one running again; a final status finishes it. */
  setRunStatus(tenant: string, runId: string, status: DifyRunStatus): DifyRunDetail {
    if (status !== 'running' && status !== 'paused') return this.finishRun(tenant, runId, status);
    const run = this.#tenant(tenant).records.find((record) => record.run?.id === runId)?.run;
    if (!run) throw new Error(`Unknown Dify run '${runId}'`);
    run.status = status;
    run.elapsed_time = Math.max(0, Math.floor(this.#now() / 1000) - run.created_at);
    return runDetail(run);
  }

  #tenant(name: string): Tenant {
    const tenant = this.#tenants.get(name);
    if (!tenant) throw new Error(`Unknown Dify tenant '${name}'`);
    return tenant;
  }
}

function newestFirst(a: LogRecord, b: LogRecord): number {
  return b.created_at - a.created_at || b.seq - a.seq;
}

export function logRow(record: LogRecord): DifyLogRow {
  const row: DifyLogRow = {
    id: record.id,
    workflow_run: record.run && summary(record.run),
    created_from: record.created_from,
    created_by_role: record.account ? 'account' : 'end_user',
    created_by_account: record.account && { ...record.account },
    created_by_end_user: record.endUser && { ...record.endUser },
    created_at: record.created_at,
  };
  if (record.details !== undefined) row.details = record.details;
  return row;
}

function summary(run: RunRecord): DifyRunSummary {
  return {
    id: run.id,
    version: run.version,
    status: run.status,
    error: run.error,
    elapsed_time: run.elapsed_time,
    total_tokens: run.total_tokens,
    total_steps: run.total_steps,
    created_at: run.created_at,
    finished_at: run.finished_at,
    exceptions_count: run.exceptions_count,
    triggered_from: run.triggered_from,
  };
}

function runDetail(run: RunRecord): DifyRunDetail {
  return {
    id: run.id,
    workflow_id: run.workflow_id,
    status: run.status,
    inputs: pythonJsonDumps(run.inputs),
    outputs: run.outputs,
    error: run.error,
    total_steps: run.total_steps,
    total_tokens: run.total_tokens,
    created_at: run.created_at,
    finished_at: run.finished_at,
    elapsed_time: run.elapsed_time,
  };
}
