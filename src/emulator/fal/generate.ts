import { Rng, deriveSeed } from '../random.js';
import { DAY, HOUR, MINUTE, SECOND, isoFromMs } from '../time.js';
import {
  audioInput,
  audioOutput,
  cronStep,
  heartbeatStep,
  imageInput,
  imageOutput,
  requestSteps,
  setupSteps,
  textInput,
  textOutput,
  userErrorOutput,
} from './corpus.js';
import type { AppKind, Level, Outcome, Step } from './corpus.js';
import type { FalTenantData } from './store.js';
import type { FalApp, FalAppSettings, FalLogLineInput, FalRequestRecord } from './wire.js';

interface AppTemplate {
  name: string;
  kind: AppKind;
  routes: string[];
  upperCaseLevels: boolean;
  /** Share of the tenant's traffic. */
  traffic: number;
  cron?: boolean;
  /** Default 'private'. */
  authMode?: FalAppSettings['auth_mode'];
}

/** How an app of each kind is typically deployed. */
const KIND_SETTINGS: Record<AppKind, Omit<FalAppSettings, 'auth_mode'>> = {
  image: {
    machine_type: 'GPU-H100',
    keep_alive: 300,
    min_concurrency: 0,
    max_concurrency: 4,
    request_timeout: 600,
    startup_timeout: 900,
    valid_regions: ['us'],
  },
  audio: {
    machine_type: 'GPU-A100',
    keep_alive: 600,
    min_concurrency: 1,
    max_concurrency: 2,
    request_timeout: 1800,
    startup_timeout: 600,
    valid_regions: ['us', 'eu'],
  },
  text: {
    machine_type: 'GPU-H100',
    keep_alive: 120,
    min_concurrency: 1,
    max_concurrency: 8,
    request_timeout: 300,
    startup_timeout: 1200,
    valid_regions: ['us'],
  },
};

interface FalProfile {
  owner: string;
  /** Volume relative to 'demo'. */
  weight: number;
  apps: AppTemplate[];
}

const PROFILES: Record<string, FalProfile> = {
  demo: {
    owner: 'acme',
    weight: 1,
    apps: [
      {
        name: 'flux-studio',
        kind: 'image',
        routes: ['/', '/turbo'],
        upperCaseLevels: true,
        traffic: 4,
        authMode: 'shared',
      },
      { name: 'whisper-live', kind: 'audio', routes: ['/'], upperCaseLevels: false, traffic: 2 },
      {
        name: 'sdxl-lora',
        kind: 'image',
        routes: ['/', '/inpaint'],
        upperCaseLevels: false,
        traffic: 2,
      },
      {
        name: 'llm-router',
        kind: 'text',
        routes: ['/'],
        upperCaseLevels: true,
        traffic: 3,
        cron: true,
      },
    ],
  },
  other: {
    owner: 'globex',
    weight: 0.15,
    apps: [
      {
        name: 'upscaler',
        kind: 'image',
        routes: ['/'],
        upperCaseLevels: false,
        traffic: 2,
        authMode: 'public',
      },
      {
        name: 'voice-notes',
        kind: 'audio',
        routes: ['/', '/batch'],
        upperCaseLevels: true,
        traffic: 1,
      },
    ],
  },
};

function profileOf(tenant: string): FalProfile {
  return (
    PROFILES[tenant] ?? {
      owner: tenant.toLowerCase().replace(/[^a-z0-9-]+/g, '-'),
      weight: 0.1,
      apps: [{ name: 'sandbox', kind: 'text', routes: ['/'], upperCaseLevels: false, traffic: 1 }],
    }
  );
}

export interface Runner {
  jobId: string;
  workerId: string;
  nodeId: string;
}

interface Deployment {
  revision: string;
  at: number;
  until: number;
  runners: Runner[];
}

/** An app with its revisions' deployment times and runners. */
export interface DeployedApp {
  app: FalApp;
  template: AppTemplate;
  /** Oldest first. */
  deployments: Deployment[];
}

export interface GeneratedRequest {
  record: FalRequestRecord;
  /** In emission order. */
  lines: FalLogLineInput[];
}

export interface FalGenerationOptions {
  seed: number;
  tenant: string;
  anchor: number;
  scale: number;
}

/** A tenant's apps, requests and log lines for the 24 h before `anchor`, plus a few older. */
export function generateFal({ seed, tenant, anchor, scale }: FalGenerationOptions): {
  data: FalTenantData;
  deployed: DeployedApp[];
  /** Volume relative to the 'demo' tenant. */
  weight: number;
} {
  const rng = new Rng(deriveSeed(seed, 'fal', tenant));
  const profile = profileOf(tenant);
  const deployed = profile.apps.map((template) => deploy(rng, profile.owner, template, anchor));
  const volume = profile.weight * scale;
  const lines: FalLogLineInput[] = [];
  const requests: FalRequestRecord[] = [];
  for (const app of deployed) lines.push(...runnerLines(rng, app, anchor));
  const recent = Math.round(2000 * volume);
  const older = Math.round(25 * volume);
  for (let i = 0; i < recent + older; i++) {
    const sent =
      i < recent
        ? rng.int(anchor - DAY, anchor - SECOND)
        : rng.int(anchor - 90 * DAY, anchor - DAY);
    const app = rng.weighted(deployed.map((entry) => [entry, entry.template.traffic] as const));
    const request = makeRequest(rng, app, sent, anchor);
    requests.push(request.record);
    lines.push(...request.lines);
  }
  for (const app of deployed) {
    const request = inFlightRequest(rng, app, anchor);
    requests.push(request.record);
    lines.push(...request.lines);
  }
  return {
    data: { owner: profile.owner, apps: deployed.map((entry) => entry.app), requests, lines },
    deployed,
    weight: profile.weight,
  };
}

function deploy(rng: Rng, owner: string, template: AppTemplate, anchor: number): DeployedApp {
  const times = [
    anchor - rng.int(20, 85) * DAY,
    ...(rng.chance(0.6) ? [anchor - rng.int(36, 140) * HOUR] : []),
    anchor - rng.int(2, 12) * HOUR,
  ];
  const deployments = times.map((at, i) => ({
    revision: rng.uuid(),
    at,
    until: times[i + 1] ?? Infinity,
    runners: Array.from({ length: rng.int(1, 3) }, () => ({
      jobId: rng.uuid(),
      workerId: rng.uuid(),
      nodeId: `gpu-${rng.pick(['h100', 'a100', 'l40s'])}-${rng.pick(['ord', 'iad', 'sjc'])}-${String(rng.int(1, 120)).padStart(3, '0')}`,
    })),
  }));
  const id = `${owner}/${template.name}`;
  return {
    template,
    deployments,
    app: {
      id,
      owner,
      name: template.name,
      routes: template.routes,
      endpoints: template.routes.map((route) => (route === '/' ? id : `${id}${route}`)),
      revisions: deployments.map((deployment) => deployment.revision),
      environment: 'main',
      updatedAt: isoFromMs(times.at(-1)!),
      settings: {
        ...KIND_SETTINGS[template.kind],
        valid_regions: [...KIND_SETTINGS[template.kind].valid_regions],
        auth_mode: template.authMode ?? 'private',
      },
    },
  };
}

/** Boot, heartbeat and cron lines of the runners alive in the window. */
function runnerLines(rng: Rng, app: DeployedApp, anchor: number): FalLogLineInput[] {
  const lines: FalLogLineInput[] = [];
  const windowStart = anchor - DAY;
  for (const deployment of app.deployments) {
    const { revision, runners } = deployment;
    for (const runner of runners) {
      const context: LineContext = { app, revision, runner, source: 'grpc-register' };
      if (deployment.at >= windowStart) {
        const image = `registry.fal.ai/${app.app.id}:${revision.slice(0, 8)}`;
        const ready = deployment.at + rng.int(10, 95) * SECOND;
        const steps = setupSteps(rng, image, runner.jobId, runner.nodeId);
        lines.push(...scriptLines(rng, steps, context, deployment.at, ready, anchor));
      }
      const beatsUntil = Math.min(deployment.until, anchor);
      let at = Math.max(deployment.at + 2 * MINUTE, windowStart) + rng.int(0, 10 * MINUTE);
      for (; at < beatsUntil; at += rng.int(6 * MINUTE, 14 * MINUTE)) {
        lines.push(stepLines(heartbeatStep(rng), { ...context, source: 'grpc-run' }, at)[0]!);
      }
    }
    if (app.template.cron && deployment.runners[0]) {
      const context = { app, revision, runner: deployment.runners[0], source: 'cron' };
      const from = Math.max(deployment.at, windowStart);
      for (
        let hour = Math.ceil(from / HOUR) * HOUR;
        hour < Math.min(deployment.until, anchor);
        hour += HOUR
      ) {
        lines.push(...stepLines(cronStep(rng), context, hour + rng.int(0, 900)));
      }
    }
  }
  return lines;
}

const OUTCOMES: readonly (readonly [Outcome | 'undispatched', number])[] = [
  ['ok', 86],
  ['user_error', 7],
  ['error', 5],
  ['undispatched', 2],
];

/**
 * A request sent at `sent` and the lines its runner logs. It is pending (no end, status,
 * duration, output or billing) and its lines stop when it would end at or after `cutoff`.
 */
export function makeRequest(
  rng: Rng,
  app: DeployedApp,
  sent: number,
  cutoff: number,
): GeneratedRequest {
  const { template } = app;
  const route = rng.pick(template.routes);
  const endpoint = app.app.endpoints[template.routes.indexOf(route)] ?? app.app.id;
  const deployment = app.deployments.findLast((entry) => entry.at <= sent) ?? app.deployments[0]!;
  const outcome = rng.weighted(OUTCOMES);
  const input = inputFor(rng, template.kind, route);
  const runner = outcome === 'undispatched' ? undefined : rng.pick(deployment.runners);
  const queued = rng.chance(0.05) ? rng.float(5, 40) : rng.float(0.02, 2.5);
  const started = sent + Math.round(queued * SECOND);
  const ended = started + Math.round(computeSeconds(rng, template.kind, outcome, route) * SECOND);
  const record: FalRequestRecord = {
    request_id: rng.uuid(),
    endpoint_id: endpoint,
    runner_id: runner?.jobId ?? null,
    sent_at: isoFromMs(sent),
    started_at: isoFromMs(started),
    ended_at: isoFromMs(ended),
    status_code: statusFor(rng, outcome),
    duration: Math.round(ended - sent) / SECOND,
    json_input: input,
    json_output: outputFor(rng, template.kind, outcome, input, (ended - started) / SECOND),
    billable_units:
      outcome === 'ok' && rng.chance(0.92)
        ? billableUnits(rng, template.kind)
        : outcome === 'ok'
          ? null
          : 0,
  };
  if (!runner) return { record, lines: [] };
  const steps = requestSteps(rng, {
    kind: template.kind,
    route,
    input,
    outcome: outcome === 'undispatched' ? 'error' : outcome,
    burst: rng.chance(0.04),
  });
  const context: LineContext = {
    app,
    revision: deployment.revision,
    runner,
    source: 'gateway',
    requestId: record.request_id,
    route,
  };
  return {
    record: ended >= cutoff ? asPending(record) : record,
    lines: scriptLines(rng, steps, context, started, ended, cutoff),
  };
}

/** A request sent moments before `anchor` that is still running then. */
function inFlightRequest(rng: Rng, app: DeployedApp, anchor: number): GeneratedRequest {
  for (;;) {
    const request = makeRequest(rng, app, anchor - rng.int(SECOND, 5 * SECOND), anchor);
    if (request.record.ended_at === null) return request;
  }
}

export function asPending(record: FalRequestRecord): FalRequestRecord {
  return {
    ...record,
    ended_at: null,
    status_code: null,
    duration: null,
    json_output: null,
    billable_units: null,
  };
}

function inputFor(rng: Rng, kind: AppKind, route: string): Record<string, unknown> {
  if (kind === 'image') return imageInput(rng, route === '/turbo');
  return kind === 'audio' ? audioInput(rng) : textInput(rng);
}

function outputFor(
  rng: Rng,
  kind: AppKind,
  outcome: Outcome | 'undispatched',
  input: Record<string, unknown>,
  seconds: number,
): unknown {
  if (outcome === 'user_error') return userErrorOutput(kind);
  if (outcome === 'undispatched') return { detail: 'No runner became available in time' };
  if (outcome === 'error') return { detail: 'Internal Server Error' };
  if (kind === 'image') return imageOutput(rng, input as ReturnType<typeof imageInput>, seconds);
  return kind === 'audio' ? audioOutput(rng) : textOutput(rng, String(input.model));
}

function computeSeconds(
  rng: Rng,
  kind: AppKind,
  outcome: Outcome | 'undispatched',
  route: string,
): number {
  if (outcome === 'undispatched') return rng.float(0.01, 0.2);
  if (outcome === 'user_error') return rng.float(0.05, 0.4);
  if (kind === 'image') return route === '/turbo' ? rng.float(0.4, 1.5) : rng.float(1.5, 12);
  return kind === 'audio' ? rng.float(3, 45) : rng.float(0.8, 15);
}

function statusFor(rng: Rng, outcome: Outcome | 'undispatched'): number {
  if (outcome === 'ok') return 200;
  if (outcome === 'user_error') return rng.pick([400, 422, 422]);
  return outcome === 'undispatched' ? 503 : rng.pick([500, 500, 504]);
}

function billableUnits(rng: Rng, kind: AppKind): number {
  const units =
    kind === 'image'
      ? rng.float(0.5, 4)
      : kind === 'audio'
        ? rng.float(0.1, 10)
        : rng.float(0.05, 2);
  return Math.round(units * 1000) / 1000;
}

export interface LineContext {
  app: DeployedApp;
  revision: string;
  runner: Runner;
  source: string;
  requestId?: string;
  route?: string;
}

/** Spreads steps over [from, to]; lines at or after `cutoff` are not logged yet. */
export function scriptLines(
  rng: Rng,
  steps: readonly Step[],
  context: LineContext,
  from: number,
  to: number,
  cutoff: number,
): FalLogLineInput[] {
  const gap = (to - from) / Math.max(1, steps.length - 1);
  return steps.flatMap((step, i) => {
    const at = i === steps.length - 1 ? to : Math.round(from + gap * (i + rng.float(0, 0.3)));
    return at < cutoff ? stepLines(step, context, at) : [];
  });
}

function stepLines(step: Step, context: LineContext, at: number): FalLogLineInput[] {
  const messages = 'burst' in step ? step.burst : [step.message];
  const traceback = 'traceback' in step ? { traceback: step.traceback } : {};
  return messages.map((message) => ({ ...line(context, at, step.level, message), ...traceback }));
}

function line(context: LineContext, at: number, level: Level, message: string): FalLogLineInput {
  const { app, runner } = context;
  const timestamp = isoFromMs(at);
  return {
    timestamp,
    level: casing(level, app.template.upperCaseLevels),
    message,
    app: app.app.name,
    revision: context.revision,
    labels: {
      ...(context.requestId === undefined ? {} : { fal_request_id: context.requestId }),
      ...(context.route === undefined ? {} : { fal_endpoint: context.route }),
      fal_job_id: runner.jobId,
      fal_worker_id: runner.workerId,
      fal_node_id: runner.nodeId,
      fal_app_name: app.app.name,
      fal_app_id: context.revision,
      fal_env: 'prod',
      source: context.source,
      logged_at: timestamp,
    },
  };
}

function casing(level: Level, upper: boolean): string {
  if (level === 'stdout' || level === 'stderr') return level.toUpperCase();
  return upper && level !== 'notice' ? level.toUpperCase() : level;
}
