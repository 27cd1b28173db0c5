import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_KEYS } from '../../src/emulator/index.js';
import { CHROMIUM, CHROMIUM_FLAGS, hasChromium } from '../support/chromium.js';
import { until } from '../support/sse-client.js';
import { startStack, type Stack } from '../support/stack.js';

const GRAPHIQL_HEADERS = {
  'X-Fal-Authorization': `Key ${DEMO_KEYS.fal}`,
  'X-Dify-Authorization': `Bearer ${DEMO_KEYS.dify}`,
};

describe.skipIf(!hasChromium('GraphiQL browser test'))('GraphiQL in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const unservedRequests: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ gateway: { graphiqlHeaders: GRAPHIQL_HEADERS } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.route(
      (url) => url.origin !== new URL(stack.url).origin,
      // GraphiQL must work offline: the gateway serves everything it needs.
      (route) => {
        unservedRequests.push(route.request().url());
        return route.abort();
      },
    );
    await page.goto(`${stack.url}/graphql`);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  /** The response pane's text; the editor lays out spaces as no-break spaces. */
  const responseText = async () =>
    (await page.locator('.graphiql-response').innerText()).replaceAll('\u00a0', ' ');
  const runButton = () => page.locator('.graphiql-execute-button');
  /**
   * A mouse click on a tab does not switch to it in headless Chromium (the tab strip is a
   * drag-to-reorder list); Enter on the focused tab, as a keyboard user would, does. GraphiQL
   * takes a moment to pick up the new tab's operation: run at once, it sends the previous tab's
   * operation name ("Cannot infer operation").
   */
  async function openTab(operationName: string) {
    await page.locator('.graphiql-tab-button', { hasText: operationName }).press('Enter');
    await expect.poll(() => page.locator('.graphiql-tab-active').innerText()).toBe(operationName);
    await page.waitForTimeout(500);
  }

  it('opens on the paging query, with the other example queries, then the live tail and the live timeline, and the demo keys in the headers', async () => {
    await expect
      .poll(() => page.locator('.graphiql-tab-button').allInnerTexts(), { timeout: 15_000 })
      .toEqual([
        'FalLogsPage',
        'FalRequestsWithLogs',
        'FalErrorsInContext',
        'FalLogsOldestFirst',
        'Timeline',
        'WorkflowLogsWithRuns',
        'TailFalLogs',
        'TimelineLive',
      ]);
    await page.getByText('Headers', { exact: true }).click();
    await expect
      .poll(() => page.locator('.graphiql-editor-tool').innerText())
      .toContain(DEMO_KEYS.fal);
    expect(unservedRequests).toEqual([]);
  });

  it('runs the falLogs example and shows the newest stored lines', async () => {
    const now = Date.now();
    const newest = stack.emulator.fal
      .lines('demo')
      .find((line) => Date.parse(line.timestamp) <= now)!;
    await openTab('FalLogsPage');
    const answered = page.waitForResponse(
      (reply) =>
        reply.url().startsWith(`${stack.url}/graphql`) && reply.request().method() === 'POST',
    );
    await runButton().click();

    const body = (await (await answered).json()) as {
      data: { falLogs: { edges: Array<{ node: { timestamp: string; message: string } }> } };
    };
    expect(body.data.falLogs.edges).toHaveLength(50);
    expect(body.data.falLogs.edges[0]!.node.message).toBe(newest.message);
    await expect
      .poll(() => responseText())
      .toContain(`"timestamp": "${new Date(newest.timestamp).toISOString()}"`);
  });

  it('runs the live tail tab and shows each line as it is logged', async () => {
    await openTab('TailFalLogs');
    await runButton().click();
    await until(() => stack.emulator.openStreams() === 1, 10_000, 'the upstream stream');

    for (const message of [
      'first line from the browser test',
      'second line from the browser test',
    ]) {
      stack.emulator.fal.appendLines('demo', [{ timestamp: new Date().toISOString(), message }]);
      await expect.poll(() => responseText()).toContain(`"message": "${message}"`);
    }

    await runButton().click();
    await until(() => stack.emulator.openStreams() === 0, 2_000, 'the tail to stop');
  });
});
