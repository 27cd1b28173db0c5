import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type FalLogLine } from '../../src/emulator/index.js';
import { parseInstant } from '../../src/time.js';
import {
  fingerprintOfGateway,
  fingerprintOfWire,
  micros,
  type GatewayLine,
} from '../support/fal-lines.js';
import { storedLinesOf, upstreamRequests } from '../support/fal-requests.js';
import {
  killGatewayProcesses,
  startGatewayProcess,
  stopGatewayProcess,
} from '../support/gateway-process.js';
import { appendLiveLines } from '../support/live-lines.js';
import { until } from '../support/sse-client.js';
import { startStack, type Stack } from '../support/stack.js';
import {
  copyExample,
  removeExampleCopies,
  run,
  startScript,
  type RunningScript,
} from './example-app.js';

const INSTALL_MS = 10 * 60_000;
/**
 * History generated up to an hour ago: requests in flight at the anchor log lines after it,
 * which would otherwise appear while a test runs. Only the lines a test appends are new.
 */
const EMULATOR = { seed: 7, scale: 0.25, anchor: Date.now() - 3_600_000 };
const running: RunningScript[] = [];
afterEach(() => running.splice(0).forEach((script) => script.kill()));
afterAll(removeExampleCopies);

/** A clean install as the example's README asks: `npm ci`, then the example's own steps. */
async function install(name: string, steps: string[][]): Promise<string> {
  const app = await copyExample(name);
  await run(app, 'npm', ['ci', '--no-audit', '--no-fund']);
  for (const step of steps) await run(app, 'npm', step);
  return app;
}

function start(app: string, env: Record<string, string>): RunningScript {
  const script = startScript(app, env);
  running.push(script);
  return script;
}

/** The output's lines from a heading to the next blank line, the heading excluded. */
function section(lines: readonly string[], heading: RegExp): string[] {
  const from = lines.findIndex((line) => heading.test(line));
  expect(from, `no section ${heading}`).toBeGreaterThanOrEqual(0);
  const to = lines.indexOf('', from);
  return lines.slice(from + 1, to === -1 ? undefined : to);
}

const iso = (timestamp: string) => parseInstant(timestamp)!.iso;

describe('examples/apollo-client, from a clean install against the gateway and emulators', () => {
  let stack: Stack;
  let app: string;
  beforeAll(async () => {
    stack = await startStack({ emulator: EMULATOR });
  });
  afterAll(() => stack.close());

  it(
    'installs from its lockfile, generates typed documents and type-checks under NodeNext',
    async () => {
      app = await install('apollo-client', [
        ['run', 'codegen'],
        ['run', 'typecheck'],
      ]);
    },
    INSTALL_MS,
  );

  it('pages falLogs with fetchMore, reads requests with their logs and workflow logs, and follows the live tail', async () => {
    const newest = stack.emulator.fal.lines('demo').slice(0, 15);
    const script = start(app, { GATEWAY_URL: stack.url, TAIL_LINES: '3' });
    await until(() => stack.emulator.openStreams() === 1, 60_000, 'the example’s live tail');
    const sent = await appendLiveLines(stack.emulator, 3, 'apollo example');
    const { code, stderr } = await script.exited;
    expect(code, stderr).toBe(0);
    const output = script.lines;

    expect(
      section(output, /^falLogs, newest first \(15 lines in 3 pages\):$/).map(withoutLevel),
    ).toEqual(newest.map(printedLine));

    const endpointId = 'acme/flux-studio';
    const requests = (await upstreamRequests(stack, { endpoint_id: endpointId })).slice(0, 5);
    const requestIdOrLogLine = (line: string) =>
      line.startsWith('    ') ? line : line.trim().split(' ')[0];
    expect(
      section(output, new RegExp(`^falRequests of ${endpointId}:$`)).map(requestIdOrLogLine),
    ).toEqual(
      requests.flatMap((request) => [
        request.request_id,
        ...storedLinesOf(stack, request.request_id)
          .slice(0, 3)
          .map((line) => `    ${line.message}`),
      ]),
    );

    const runs = stack.emulator.dify.logs('demo');
    const createdAtAndRunId = (line: string) => line.trim().split(' ').slice(0, 2).join(' ');
    expect(
      section(
        output,
        new RegExp(`^workflowLogs \\(${runs.length} runs in all\\), newest first:$`),
      ).map(createdAtAndRunId),
    ).toEqual(
      runs
        .slice(0, 5)
        .map(
          (row) =>
            `${new Date(row.created_at * 1000).toISOString()} ${row.workflow_run?.id ?? 'no'}`,
        ),
    );

    expect(section(output, /^falLogs live tail \(3 lines\):$/).map(withoutLevel)).toEqual(
      sent.map(printedLine),
    );
  });
});

describe('examples/graphql-sse, from a clean install: a tail that resumes with filter.since', () => {
  let emulator: Emulator;
  let app: string;
  beforeAll(async () => {
    emulator = await startEmulator(EMULATOR);
  });
  afterEach(killGatewayProcesses);
  afterAll(() => emulator.close());

  it(
    'installs from its lockfile and type-checks under NodeNext',
    async () => {
      app = await install('graphql-sse', [['run', 'typecheck']]);
    },
    INSTALL_MS,
  );

  it('loses and repeats no line across a gateway crash and a graceful restart', async () => {
    let gateway = await startGatewayProcess(emulator, 0);
    const port = Number(new URL(gateway.url).port);
    const since = iso(emulator.fal.lines('demo')[20]!.timestamp);
    const history = linesSince(emulator, since).length;
    const tail = start(app, {
      GATEWAY_URL: gateway.url,
      TAIL_SINCE: since,
      TAIL_LINES: String(history + 15),
    });
    const delivered = (count: number, what: string) =>
      until(() => tail.lines.length >= count, 60_000, what);

    await delivered(history, 'the history since TAIL_SINCE');
    await appendLiveLines(emulator, 3, 'live before the crash');
    await delivered(history + 3, 'the live lines');

    await stopGatewayProcess(gateway.process, 'SIGKILL');
    await appendLiveLines(emulator, 3, 'logged while the gateway was down');
    gateway = await startGatewayProcess(emulator, port);
    await delivered(history + 6, 'the lines logged while the gateway was down');
    await appendLiveLines(emulator, 3, 'live after the crash');
    await delivered(history + 9, 'the live lines after the crash');

    await stopGatewayProcess(gateway.process, 'SIGTERM');
    await appendLiveLines(emulator, 3, 'logged while the gateway restarted');
    gateway = await startGatewayProcess(emulator, port);
    await delivered(history + 12, 'the lines logged while the gateway restarted');
    await appendLiveLines(emulator, 3, 'live after the restart');

    // It stops by itself after TAIL_LINES lines; one lost would keep it waiting.
    await delivered(history + 15, 'every line').catch(() => tail.kill());
    const { code, stderr } = await tail.exited;
    const received = tail.lines.map((line) => JSON.parse(line) as GatewayLine);
    expect(received.map(fingerprintOfGateway)).toEqual(
      linesSince(emulator, since).map(fingerprintOfWire),
    );
    expect(code, stderr).toBe(0);
  });
});

/** The stored lines from `since` on, oldest first as a tail delivers them. */
function linesSince(emulator: Emulator, since: string): FalLogLine[] {
  const from = parseInstant(since)!.micros;
  return emulator.fal
    .lines('demo')
    .filter((line) => micros(line) >= from)
    .reverse();
}

/** A stored line as the example prints it (`  <timestamp> <level> <app>: <message>`), no level. */
const printedLine = (line: FalLogLine) => `  ${iso(line.timestamp)} ${line.app}: ${line.message}`;
const withoutLevel = (printed: string) => printed.replace(/^( {2}\S+) \S+/, '$1');
