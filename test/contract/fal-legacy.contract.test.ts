import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator, FalLogLineInput } from '../../src/emulator/index.js';
import { legacyLogs } from '../emulator/fal-legacy-support.js';
import type { LegacyLine } from '../emulator/fal-legacy-support.js';
import { DAY, NOW, startTestEmulator } from '../emulator/support.js';
import type { Params } from '../emulator/support.js';

interface Exchange {
  query: Record<string, string>;
  body: unknown;
  status: number;
  answer?: unknown;
}

/** The vendor page's examples (see the file's `about`). */
const page = JSON.parse(
  readFileSync(new URL('specs/fal-logs-legacy.examples.json', import.meta.url), 'utf8'),
) as {
  documented: { query: Record<string, 'integer' | 'string' | 'boolean'>; levels: string[] };
  exchanges: Record<string, Exchange>;
};
const exchanges = Object.entries(page.exchanges);
const exampleLines = page.exchanges.listWithLabelFilter!.answer as LegacyLine[];
const exampleLine = exampleLines[0]!;

/** Labels the page's example lacks that a line carries when it has them. */
const OPTIONAL_LABELS = ['fal_request_id', 'fal_endpoint', 'traceback'];
const NAIVE_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;

/** Where the emulator's line differs in shape from the page's example line; empty when none. */
function shapeProblems(line: LegacyLine): string[] {
  const problems: string[] = [];
  const keys = (value: object) => Object.keys(value).sort().join(',');
  if (typeof line !== 'object' || line === null) return ['not an object'];
  if (keys(line) !== keys(exampleLine)) problems.push(`fields ${keys(line)}`);
  for (const [field, value] of Object.entries(exampleLine)) {
    const actual = (line as unknown as Record<string, unknown>)[field];
    if (typeof actual !== typeof value) problems.push(`${field} is ${typeof actual}`);
  }
  if (!NAIVE_MICROS.test(String(line.timestamp))) problems.push(`timestamp ${line.timestamp}`);
  const labels: Record<string, unknown> = line.labels ?? {};
  for (const key of Object.keys(exampleLine.labels)) {
    if (typeof labels[key] !== 'string') problems.push(`label ${key} missing`);
  }
  for (const key of Object.keys(labels)) {
    if (!(key in exampleLine.labels) && !OPTIONAL_LABELS.includes(key))
      problems.push(`label ${key} undocumented`);
  }
  return problems;
}

/** What the page's example shows of how a line's fields relate to its labels. */
function relationProblems(line: LegacyLine): string[] {
  const { labels } = line;
  return [
    labels.app === line.app ? '' : 'labels.app is not app',
    labels.app_id === line.revision ? '' : 'labels.app_id is not the revision',
    labels.level === line.level ? '' : 'labels.level is not level',
    labels.message === line.message ? '' : 'labels.message is not message',
    labels.logged_at === `${line.timestamp}+00:00` ? '' : 'labels.logged_at is not the timestamp',
  ].filter(Boolean);
}

const newestFirst = (lines: readonly LegacyLine[]) =>
  lines.every((line, i) => i === 0 || lines[i - 1]!.timestamp >= line.timestamp);

/** The page's example line as the v1 API stores and names it. */
function storedAsV1(line: LegacyLine): FalLogLineInput {
  const { app, app_id, level: _level, message: _message, ...rest } = line.labels;
  return {
    timestamp: `${line.timestamp}Z`,
    level: line.level,
    message: line.message,
    app: line.app,
    revision: line.revision,
    labels: { ...rest, fal_app_name: app!, fal_app_id: app_id!, logged_at: `${line.timestamp}Z` },
  };
}

let emulator: Emulator;

beforeAll(async () => {
  // The clock just after the page's example lines, so that they are the newest of their app.
  emulator = await startTestEmulator({ now: () => Date.parse('2025-09-19T12:20:00Z') });
  emulator.fal.appendLines('demo', [...exampleLines].reverse().map(storedAsV1));
});
afterEach(() => emulator.clearFaults());
afterAll(() => emulator.close());

describe("the page's examples", () => {
  it('show a bare array, newest first, naive timestamps, app_id holding the revision', () => {
    expect(Array.isArray(exampleLines)).toBe(true);
    expect(newestFirst(exampleLines)).toBe(true);
    for (const line of exampleLines) {
      expect(shapeProblems(line)).toEqual([]);
      expect(relationProblems(line)).toEqual([]);
    }
  });
});

describe('the emulator replays every exchange of the page', () => {
  it.each(exchanges)('%s', async (_, exchange) => {
    const answer = await legacyLogs(emulator, exchange.query, exchange.body);
    expect(answer.status).toBe(exchange.status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    if (exchange.answer !== undefined) expect(answer.body).toEqual(exchange.answer);
    if (exchange.status === 200) expect(Array.isArray(answer.body)).toBe(true);
  });
});

describe("the emulator's lines have the example's shape", () => {
  it.each<[string, Params, unknown]>([
    ['the newest lines', { limit: 1000 }, {}],
    ['error lines with tracebacks', { level: 'ERROR', traceback: 'true', limit: 1000 }, {}],
    [
      'an older window',
      { since: new Date(NOW - 2 * DAY).toISOString(), until: new Date(NOW).toISOString() },
      { extra_filters: [{ key: 'source', value: 'gateway' }] },
    ],
    ['one job', { job_id: '41512b2d-d821-4d62-a98b-9472c9d43941' }, undefined],
  ])('%s', async (_, params, body) => {
    const answer = await legacyLogs(emulator, params, body);
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBeGreaterThan(0);
    expect(newestFirst(answer.body)).toBe(true);
    for (const line of answer.body) {
      expect(shapeProblems(line), line.timestamp).toEqual([]);
      expect(relationProblems(line), line.timestamp).toEqual([]);
    }
  });

  it('the check is discriminating: a malformedBody fault fails it', async () => {
    emulator.setFault('logs.legacy', { malformedBody: true, times: 1 });
    const answer = await legacyLogs(emulator);
    expect(answer.status).toBe(200);
    expect(answer.body.flatMap(shapeProblems)).not.toEqual([]);
  });
});

describe('the emulator accepts every documented parameter', () => {
  const VALUES = { integer: '5', string: 'x', boolean: 'true' };

  it.each(Object.entries(page.documented.query))('%s (%s)', async (name, type) => {
    const value = name === 'since' || name === 'until' ? '2025-09-19T12:00:00Z' : VALUES[type];
    const answer = await legacyLogs(emulator, { [name]: name === 'level' ? 'INFO' : value }, {});
    expect(answer.status).toBe(200);
  });

  it.each(page.documented.levels)('level=%s', async (level) => {
    expect((await legacyLogs(emulator, { level }, {})).status).toBe(200);
  });
});
