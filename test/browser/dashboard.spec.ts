import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { serveDashboard, type DashboardServer } from '../../src/demo-dashboard.js';
import { DEMO_KEYS, type FalLogLine } from '../../src/emulator/index.js';
import { parseInstant } from '../../src/time.js';
import { CHROMIUM, CHROMIUM_FLAGS, hasChromium } from '../support/chromium.js';
import { storedLinesOf } from '../support/fal-requests.js';
import { appendLiveLines } from '../support/live-lines.js';
import { until } from '../support/sse-client.js';
import { startStack, type Stack } from '../support/stack.js';

/** Screenshots of each view, kept by CI as test artifacts (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));
/** History up to five minutes ago and no live trickle: new events are the ones a test makes. */
const EMULATOR = { seed: 7, anchor: Date.now() - 5 * 60_000 };
const WRONG_FAL_KEY = 'wrong-fal-key:wrong-secret';
/** How long the page may take to show what it should, on a busy machine. */
const POLL = { timeout: 15_000 };

interface Row {
  at: string | null;
  source: string | null;
  text: string;
  current: boolean;
}

/** The rows of one of the dashboard's lists, as a person reads them. */
const rowsOf = (page: Page, list: string): Promise<Row[]> =>
  page.locator(`ol[aria-label="${list}"] > li.event`).evaluateAll((items) =>
    items.map((item) => ({
      at: item.querySelector('time')?.getAttribute('datetime') ?? null,
      source: item.getAttribute('data-source'),
      text: item.querySelector('.message, .summary')?.textContent ?? '',
      current: item.getAttribute('aria-current') === 'true',
    })),
  );
const textsOf = async (page: Page, list: string) =>
  (await rowsOf(page, list)).map(({ text }) => text);
/** What the elements a selector finds say, at once (no waiting for one to appear). */
const textOf = async (page: Page, selector: string) =>
  (await page.locator(selector).allInnerTexts()).join('\n');
/** The page's message about one upstream (`fal` or `dify`). */
const noticeFor = (page: Page, upstream: string) =>
  textOf(page, `[role=alert][data-upstream=${upstream}]`);
/** Types keys under Keys, as a person would, and uses them. */
async function enterKeys(page: Page, keys: { fal: string; dify: string }) {
  await page.getByRole('button', { name: 'Keys' }).click();
  await page.getByLabel('fal key').fill(keys.fal);
  await page.getByLabel('Dify app key').fill(keys.dify);
  await page.getByRole('button', { name: 'Use these' }).click();
}
const iso = (timestamp: string) => parseInstant(timestamp)!.iso;
const messages = (lines: readonly { message: string }[]) => lines.map(({ message }) => message);

describe.skipIf(!hasChromium('dashboard browser test'))(
  'examples/dashboard in headless Chromium, served as the demo serves it',
  () => {
    let stack: Stack;
    let dashboard: DashboardServer;
    let browser: Browser;
    const contexts: BrowserContext[] = [];
    /** Requests that carried a key anywhere but the gateway, or a key in their URL. */
    const leaks: string[] = [];

    beforeAll(async () => {
      const served = await serveDashboard('127.0.0.1', 0);
      if (!served)
        throw new Error('Build the dashboard first: npm run build -w examples/dashboard');
      dashboard = served;
      stack = await startStack({
        emulator: EMULATOR,
        env: {
          CORS_ORIGINS: dashboard.origins.join(','),
          DIFY_POLL_INTERVAL_MS: '500',
          FAL_REQUESTS_POLL_INTERVAL_MS: '500',
        },
      });
      dashboard.configure({
        gatewayUrl: stack.url,
        falKey: DEMO_KEYS.fal,
        difyKey: DEMO_KEYS.dify,
        apps: stack.emulator.fal.apps('demo').map((app) => app.id),
      });
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
      await mkdir(ARTIFACTS, { recursive: true });
    });
    afterEach(async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
      expect(leaks).toEqual([]);
    });
    afterAll(async () => {
      await browser?.close();
      await stack?.close();
      await dashboard?.close();
    });

    /** A fresh tab (its own session storage) on one of the dashboard's addresses. */
    async function visit(path: string): Promise<Page> {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      const gateway = new URL(stack.url).origin;
      await page.route(
        (url) => url.hostname !== '127.0.0.1' && url.hostname !== 'localhost',
        // Everything the page needs comes from the dashboard's server and the gateway.
        (route) => {
          leaks.push(`off loopback: ${route.request().url()}`);
          return route.abort();
        },
      );
      page.on('request', (request) => {
        const headers = request.headers();
        const carriesKey = headers['x-fal-authorization'] ?? headers['x-dify-authorization'];
        if (carriesKey && new URL(request.url()).origin !== gateway) leaks.push(request.url());
        if (
          [DEMO_KEYS.fal, DEMO_KEYS.dify, WRONG_FAL_KEY].some((key) => request.url().includes(key))
        )
          leaks.push(request.url());
      });
      await page.goto(`${dashboard.url}#${path}`);
      return page;
    }

    const screenshot = (page: Page, name: string) =>
      page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

    /** A finished request of the demo's flux app with at least `lines` stored log lines. */
    function requestWithLines(lines: number) {
      const request = stack.emulator.fal
        .requests('demo')
        .find(
          (each) =>
            each.endpoint_id === 'acme/flux-studio' &&
            each.ended_at !== null &&
            storedLinesOf(stack, each.request_id).length >= lines,
        )!;
      const path = `/request?${new URLSearchParams({ endpoint: request.endpoint_id, id: request.request_id })}`;
      return { request, path };
    }

    it('Live: the list grows as the emulators log, oldest at the top, each event with its source badge', async () => {
      const page = await visit('/live');
      await until(() => stack.emulator.openStreams() === 1, 20_000, 'the live fal stream');
      const lines = await appendLiveLines(stack.emulator, 3, 'dashboard live');
      const [row] = stack.emulator.dify.insertRuns('demo', 1);

      const runId = row!.workflow_run!.id;
      const showsRun = async () =>
        (await rowsOf(page, 'Live timeline')).some(
          ({ source, text }) => source === 'DIFY_WORKFLOWS' && text.includes(runId),
        );
      await expect.poll(showsRun, POLL).toBe(true);
      const rows = await rowsOf(page, 'Live timeline');
      expect(rows.filter(({ source }) => source === 'FAL_LOGS')).toEqual(
        lines.map((line) => ({
          at: iso(line.timestamp),
          source: 'FAL_LOGS',
          text: line.message,
          current: false,
        })),
      );
      expect(await textOf(page, '[role=status]')).toBe(`Live · ${rows.length} events`);
      await screenshot(page, 'live');
    });

    it('Live: pausing and resuming loses and repeats no line', async () => {
      const page = await visit('/live?sources=FAL_LOGS&q=dashboard-pause');
      await until(() => stack.emulator.openStreams() === 1, 20_000, 'the live fal stream');
      const before = await appendLiveLines(stack.emulator, 3, 'dashboard-pause before');
      await expect.poll(() => textsOf(page, 'Live timeline'), POLL).toEqual(messages(before));

      await page.getByRole('button', { name: 'Pause' }).click();
      await until(() => stack.emulator.openStreams() === 0, 5_000, 'the tail to stop');
      await appendLiveLines(stack.emulator, 3, 'dashboard-pause during');
      await expect.poll(() => textOf(page, '[role=status]'), POLL).toBe('Paused · 3 events');

      await page.getByRole('button', { name: 'Resume' }).click();
      await until(() => stack.emulator.openStreams() === 1, 20_000, 'the resumed fal stream');
      await appendLiveLines(stack.emulator, 3, 'dashboard-pause after');

      const logged = stack.emulator.fal
        .lines('demo')
        .filter(({ message }) => message.startsWith('dashboard-pause'))
        .toReversed();
      expect(logged).toHaveLength(9);
      await expect.poll(() => textsOf(page, 'Live timeline'), POLL).toEqual(messages(logged));
      await page.waitForTimeout(500);
      expect(await textsOf(page, 'Live timeline')).toEqual(messages(logged));
    });

    it('History: scrolling loads older events, newest first, without a repeat; the histogram counts the loaded lines', async () => {
      const page = await visit('/history?sources=FAL_LOGS&window=1h');
      const loaded = async () => (await rowsOf(page, 'History')).length;
      await expect.poll(loaded, POLL).toBe(50);
      for (const count of [100, 150]) {
        await page.locator('ol[aria-label="History"] > li.empty').scrollIntoViewIfNeeded();
        await expect.poll(loaded, POLL).toBe(count);
      }

      const stored = stack.emulator.fal.lines('demo').slice(0, 150);
      const rows = await rowsOf(page, 'History');
      expect(rows.map(({ at, text }) => [at, text])).toEqual(
        stored.map((line) => [iso(line.timestamp), line.message]),
      );
      const bars = await page
        .locator('.histogram g')
        .evaluateAll((groups) =>
          groups.map((group) => [
            group.querySelector('.axis')?.textContent,
            Number(group.querySelector('.count')?.textContent),
          ]),
        );
      const levels = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'STDOUT', 'STDERR'];
      const levelOf = (line: FalLogLine) =>
        levels.includes(line.level.toUpperCase()) ? line.level.toUpperCase() : 'INFO';
      expect(bars).toEqual(
        levels.map((level) => [level, stored.filter((line) => levelOf(line) === level).length]),
      );
      await screenshot(page, 'history');
    });

    it('a fal request (a deep link) shows its input, output and logs oldest first', async () => {
      const { request, path } = requestWithLines(4);
      const page = await visit(path);
      await expect
        .poll(() => textsOf(page, 'Request logs'), POLL)
        .toEqual(messages(storedLinesOf(stack, request.request_id).toReversed()));
      const payloads = await page.locator('.json pre').allInnerTexts();
      expect(payloads.map((text) => JSON.parse(text) as unknown)).toEqual([
        request.json_input,
        request.json_output,
      ]);
      await screenshot(page, 'request');
    });

    it("a log line opens in its context: its runner's neighbouring lines, oldest first", async () => {
      const { request, path } = requestWithLines(4);
      const page = await visit(path);
      const requestLines = storedLinesOf(stack, request.request_id).toReversed();
      await expect.poll(() => textsOf(page, 'Request logs'), POLL).toEqual(messages(requestLines));
      await page.locator('ol[aria-label="Request logs"] > li.event').nth(2).click();

      const runner = stack.emulator.fal
        .lines('demo')
        .filter((line) => line.labels.fal_job_id === request.runner_id);
      const index = runner.findIndex(
        (line) =>
          iso(line.timestamp) === requestLines[2]!.timestamp &&
          line.message === requestLines[2]!.message,
      );
      const around = runner.slice(Math.max(0, index - 10), index + 11).toReversed();
      await expect
        .poll(() => rowsOf(page, 'Line in context'), POLL)
        .toEqual(
          around.map((line) => ({
            at: iso(line.timestamp),
            source: null,
            text: line.message,
            current: line === runner[index],
          })),
        );
      expect(page.url()).toContain('#/line?');
      await screenshot(page, 'line-context');
    });

    it('a Dify run (a deep link) shows its status, inputs and outputs', async () => {
      const finished = stack.emulator.dify
        .logs('demo')
        .find((row) => row.workflow_run?.status === 'succeeded')!.workflow_run!;
      const detail = stack.emulator.dify.run('demo', finished.id)!;
      const page = await visit(`/run/${finished.id}`);
      await expect.poll(() => textOf(page, '.facts'), POLL).toContain('SUCCEEDED');
      const payloads = await page.locator('.json pre').allInnerTexts();
      expect(payloads.map((text) => JSON.parse(text) as unknown)).toEqual([
        JSON.parse(detail.inputs),
        detail.outputs,
      ]);
      await screenshot(page, 'run');
    });

    it('a refused fal key and a missing Dify key are each said plainly, on the page that needed them', async () => {
      const { path } = requestWithLines(1);
      const run = stack.emulator.dify.logs('demo')[0]!.workflow_run!;
      const page = await visit(path);
      await enterKeys(page, { fal: WRONG_FAL_KEY, dify: '' });
      await expect
        .poll(() => noticeFor(page, 'fal'), POLL)
        .toMatch(/^fal refused the key \(UNAUTHENTICATED\): check it under Keys\. fal: /);
      expect(await textOf(page, 'header')).toContain('fal key set');
      await screenshot(page, 'refused-key');

      await page.goto(`${dashboard.url}#/run/${run.id}`);
      await expect
        .poll(() => noticeFor(page, 'dify'), POLL)
        .toMatch(/^No Dify key: add one under Keys\. /);
    });

    it('History with a refused fal key and no Dify key: a message per source, not a blank page', async () => {
      const page = await visit('/history');
      await enterKeys(page, { fal: WRONG_FAL_KEY, dify: '' });
      await expect
        .poll(() => noticeFor(page, 'fal'), POLL)
        .toMatch(/^fal refused the key \(UNAUTHENTICATED\)/);
      await expect
        .poll(() => noticeFor(page, 'dify'), POLL)
        .toMatch(/^No Dify key: add one under Keys\. Dify runs are left out: /);
    });
  },
);
