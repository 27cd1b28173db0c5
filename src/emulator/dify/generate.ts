import { Rng, deriveSeed } from '../random.js';
import { DAY, HOUR, isoFromMs } from '../time.js';
import { INVOICE_EXTRACTOR, SUPPORT_TRIAGE } from './corpus.js';
import type { WorkflowTemplate } from './corpus.js';
import type { DifyRunFactory, DifyTenantData, NewLog, RunRecord } from './store.js';
import type { DifyAccount, DifyEndUser, DifyRunSpec, DifyRunStatus } from './wire.js';

interface DifyProfile {
  workflow: WorkflowTemplate;
  accounts: readonly (readonly [name: string, email: string])[];
  apiSessions: readonly string[];
  browserUsers: number;
  runs: number;
}

const PROFILES: Record<string, DifyProfile> = {
  demo: {
    workflow: SUPPORT_TRIAGE,
    accounts: [
      ['Ada Ramos', 'ada@acme.example'],
      ['Kenji Watanabe', 'kenji@acme.example'],
      ['Lea Schäfer', 'lea@acme.example'],
    ],
    apiSessions: ['crm-sync', 'zendesk-bridge', 'user_4821', 'user_1177', 'user_9034', 'slack-bot'],
    browserUsers: 10,
    runs: 600,
  },
  other: {
    workflow: INVOICE_EXTRACTOR,
    accounts: [['Olga Petrova', 'olga@globex.example']],
    apiSessions: ['erp-import', 'user_77'],
    browserUsers: 2,
    runs: 70,
  },
};

const FALLBACK: DifyProfile = {
  workflow: SUPPORT_TRIAGE,
  accounts: [['Sam Doe', 'sam@tenant.example']],
  apiSessions: ['api-client'],
  browserUsers: 1,
  runs: 30,
};

const TRIGGERS = [
  ['app-run', 80],
  ['debugging', 5],
  ['webhook', 6],
  ['schedule', 6],
  ['plugin', 3],
] as const;

const FINAL_STATUSES: readonly (readonly [DifyRunStatus, number])[] = [
  ['succeeded', 80],
  ['failed', 10],
  ['stopped', 4],
  ['partial-succeeded', 6],
];

/** Rows before this age were written before log rows had a `details` field. */
const DETAILS_SINCE = 2.5 * DAY;

export interface DifyGenerationOptions {
  seed: number;
  tenant: string;
  anchor: number;
  scale: number;
}

/** A tenant's workflow log over the three days before `anchor`, newest rows still running. */
export function generateDify({
  seed,
  tenant,
  anchor,
  scale,
}: DifyGenerationOptions): DifyTenantData {
  const rng = new Rng(deriveSeed(seed, 'dify', tenant));
  const profile = PROFILES[tenant] ?? FALLBACK;
  const accounts = profile.accounts.map(([name, email]) => ({ id: rng.uuid(), name, email }));
  const endUsers: DifyEndUser[] = [
    ...profile.apiSessions.map((session) => apiUser(rng, session)),
    ...Array.from({ length: profile.browserUsers }, () => ({
      id: rng.uuid(),
      type: 'browser' as const,
      is_anonymous: rng.chance(0.6),
      session_id: rng.hex(16),
    })),
  ];
  const factory = runFactory(rng, profile.workflow, accounts, endUsers, anchor);
  const logs: NewLog[] = [];
  const seconds = Math.floor(anchor / 1000);
  const total = Math.max(1, Math.round(profile.runs * scale));
  while (logs.length < total) {
    const createdAt = seconds - rng.int(60, (3 * DAY) / 1000);
    const batch = rng.chance(0.3) ? rng.int(2, 6) : 1;
    for (let i = 0; i < batch && logs.length < total; i++) logs.push(factory.create(createdAt, {}));
  }
  logs.sort((a, b) => a.created_at - b.created_at);
  for (const status of ['paused', 'running', 'running'] as const) {
    logs.push(factory.create(seconds - rng.int(5, 50), { status, orphaned: false }));
  }
  return { accounts, endUsers, logs, factory };
}

function apiUser(rng: Rng, session: string): DifyEndUser {
  return { id: rng.uuid(), type: 'service-api', is_anonymous: false, session_id: session };
}

function runFactory(
  rng: Rng,
  workflow: WorkflowTemplate,
  accounts: readonly DifyAccount[],
  endUsers: DifyEndUser[],
  anchor: number,
): DifyRunFactory {
  const workflowId = rng.uuid();
  const versions = [12 * DAY, 3 * DAY, 20 * HOUR].map((age) => ({
    at: Math.floor((anchor - age) / 1000),
    name: `${isoFromMs(anchor - age)
      .replace('T', ' ')
      .slice(0, 23)}${rng.int(100, 999)}`,
  }));
  const detailsSince = Math.floor((anchor - DETAILS_SINCE) / 1000);

  function creator(spec: DifyRunSpec, trigger: string) {
    if (spec.account_email !== undefined) {
      const account = accounts.find(({ email }) => email === spec.account_email);
      if (!account) throw new Error(`Unknown Dify account '${spec.account_email}'`);
      return { account, endUser: null };
    }
    if (spec.session_id !== undefined) {
      let endUser = endUsers.find(({ session_id }) => session_id === spec.session_id);
      if (!endUser) endUsers.push((endUser = apiUser(rng, spec.session_id)));
      return { account: null, endUser };
    }
    if (trigger === 'debugging' || rng.chance(0.12))
      return { account: rng.pick(accounts), endUser: null };
    return { account: null, endUser: rng.pick(endUsers) };
  }

  function run(createdAt: number, spec: DifyRunSpec, trigger: string): RunRecord {
    const status = spec.status ?? rng.weighted(FINAL_STATUSES);
    const finished = status !== 'running' && status !== 'paused';
    const elapsed = finished
      ? round(rng.float(0.4, 45))
      : status === 'paused'
        ? round(rng.float(1, 20))
        : 0;
    const inputs = spec.inputs ?? workflow.inputs(rng);
    const succeeded = status === 'succeeded' || status === 'partial-succeeded';
    const failedError = status === 'failed' || (status === 'partial-succeeded' && rng.chance(0.5));
    return {
      id: rng.uuid(),
      workflow_id: workflowId,
      version:
        trigger === 'debugging'
          ? 'draft'
          : (versions.findLast(({ at }) => at <= createdAt) ?? versions[0]!).name,
      status,
      error: spec.error !== undefined ? spec.error : failedError ? rng.pick(workflow.errors) : null,
      elapsed_time: elapsed,
      total_tokens: status === 'failed' ? rng.int(0, 400) : rng.int(150, 4200),
      total_steps: rng.int(3, 14),
      created_at: createdAt,
      finished_at: finished ? createdAt + Math.ceil(elapsed) : null,
      exceptions_count: status === 'partial-succeeded' ? rng.int(1, 3) : 0,
      triggered_from: trigger,
      inputs,
      outputs: spec.outputs ?? (succeeded ? workflow.outputs(rng, inputs) : {}),
    };
  }

  return {
    create(createdAt, spec) {
      const trigger = spec.triggered_from ?? rng.weighted(TRIGGERS);
      const { account, endUser } = creator(spec, trigger);
      const orphaned = spec.orphaned ?? rng.chance(0.02);
      return {
        id: rng.uuid(),
        run: orphaned ? null : run(createdAt, spec, trigger),
        created_from: account
          ? 'installed-app'
          : endUser.type === 'browser'
            ? 'web-app'
            : 'service-api',
        account,
        endUser,
        created_at: createdAt,
        details:
          createdAt < detailsSince
            ? undefined
            : ['webhook', 'schedule', 'plugin'].includes(trigger)
              ? { trigger_metadata: { type: `trigger-${trigger}`, node_id: rng.hex(13) } }
              : null,
      };
    },
    finish(target, status, nowSeconds) {
      target.status = status;
      target.finished_at = Math.max(nowSeconds, target.created_at);
      target.elapsed_time = round(target.finished_at - target.created_at + rng.float(0, 1));
      if (status === 'failed' && target.error === null) target.error = rng.pick(workflow.errors);
      if (
        (status === 'succeeded' || status === 'partial-succeeded') &&
        Object.keys(target.outputs).length === 0
      ) {
        target.outputs = workflow.outputs(rng, target.inputs);
      }
    },
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}
