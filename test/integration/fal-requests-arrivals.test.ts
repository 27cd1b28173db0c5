import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FalRequestRecord } from '../../src/emulator/index.js';
import { startStack, type Stack } from '../support/stack.js';
import { appIdOf, ids, repeated, walkRequests } from '../support/fal-requests.js';

const HOUR = 3_600_000;

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(() => stack.close());

const stored = () => stack.emulator.fal.requests('demo');
const allApps = () => stack.emulator.fal.apps('demo').map((app) => app.id);

function finished(record: FalRequestRecord, endedAt: number): FalRequestRecord {
  return {
    ...record,
    ended_at: new Date(endedAt).toISOString(),
    status_code: 200,
    duration: (endedAt - Date.parse(record.sent_at)) / 1000,
    json_output: { images: [] },
    billable_units: 1,
  };
}

function newRequest(template: FalRequestRecord, sentAt: number, endedAt?: number) {
  const pending: FalRequestRecord = {
    ...template,
    request_id: randomUUID(),
    sent_at: new Date(sentAt).toISOString(),
    started_at: new Date(sentAt).toISOString(),
    ended_at: null,
    status_code: null,
    duration: null,
  };
  return endedAt === undefined ? pending : finished(pending, endedAt);
}

describe('walking falRequests while requests arrive and finish', () => {
  it.each([1, 3, 7, 40])(
    'hands out every request present at the start exactly once with first=%i',
    async (first) => {
      const since = new Date(Date.now() - 20 * HOUR).toISOString();
      const present = stored().filter((row) => Date.parse(row.sent_at) >= Date.parse(since));
      const pendingAtStart = present.filter((row) => row.ended_at === null);
      expect(pendingAtStart.length).toBeGreaterThanOrEqual(3);
      const template = present.find((row) => row.ended_at !== null)!;
      const arrived: string[] = [];
      const late: string[] = [];

      const { requests } = await walkRequests(
        stack,
        { endpointIds: allApps(), filter: { since } },
        first,
        (page, handedOut) => {
          const now = Date.now();
          // Pending requests finish and move from the head to their place among finished ones:
          // one already handed out, and on the first page the last one not handed out yet.
          const stillPending = stored().filter((row) => row.ended_at === null);
          const finishing = [
            stillPending.find((row) => ids(handedOut).includes(row.request_id)),
            page === 1
              ? stillPending.findLast((row) => !ids(handedOut).includes(row.request_id))
              : undefined,
          ];
          for (const row of finishing) {
            if (row) stack.emulator.fal.upsertRequest('demo', finished(row, now));
          }
          // New requests arrive after the pinned end, pending and finished.
          const fresh = [newRequest(template, now + 1), newRequest(template, now + 1, now + 2)];
          for (const row of fresh) stack.emulator.fal.upsertRequest('demo', row);
          arrived.push(...fresh.map((row) => row.request_id));
          if (page === 2) {
            // A late row inside the window that sorts above the walk's position.
            const row = newRequest(template, Date.parse(since) + HOUR, now);
            stack.emulator.fal.upsertRequest('demo', row);
            late.push(row.request_id);
          }
        },
      );

      const walked = ids(requests);
      expect(repeated(walked)).toEqual([]);
      expect(walked.filter((id) => arrived.includes(id))).toEqual([]);
      const expected = new Set(present.map((row) => row.request_id));
      expect(new Set(walked.filter((id) => !late.includes(id)))).toEqual(expected);
    },
  );

  it('skips no request when one handed out while pending finishes before the next page', async () => {
    const endpointIds = allApps();
    const pendingAtStart = stored().filter((row) => row.ended_at === null);
    expect(pendingAtStart.length).toBeGreaterThanOrEqual(3);
    const { requests } = await walkRequests(stack, { endpointIds }, 1, (_page, handedOut) => {
      const last = handedOut.at(-1)!;
      const row = stored().find((r) => r.request_id === last.requestId && r.ended_at === null);
      if (row) stack.emulator.fal.upsertRequest('demo', finished(row, Date.now()));
    });
    const walked = ids(requests);
    expect(repeated(walked)).toEqual([]);
    for (const row of pendingAtStart) expect(walked).toContain(row.request_id);
    expect(walked.slice(0, pendingAtStart.length).sort()).toEqual(
      pendingAtStart.map((row) => row.request_id).sort(),
    );
  });

  it('keeps its place when late rows land above the position while walking by duration', async () => {
    const app = allApps()[0]!;
    const rows = stored().filter((row) => appIdOf(row.endpoint_id) === app);
    const template = rows.find((row) => row.ended_at !== null)!;
    const since = new Date(Date.now() - 20 * HOUR).toISOString();
    const present = rows.filter((row) => Date.parse(row.sent_at) >= Date.parse(since));
    const late: string[] = [];
    const { requests } = await walkRequests(
      stack,
      { endpointIds: [app], filter: { since }, orderBy: 'DURATION' },
      5,
      () => {
        // A very long request recorded late: it sorts first among the finished ones.
        const sent = Date.parse(since) + HOUR;
        const row = newRequest(template, sent, sent + 10 * HOUR);
        stack.emulator.fal.upsertRequest('demo', row);
        late.push(row.request_id);
      },
    );
    const walked = ids(requests);
    expect(repeated(walked)).toEqual([]);
    expect(walked.filter((id) => late.includes(id))).toEqual([]);
    expect(walked).toEqual(expect.arrayContaining(present.map((row) => row.request_id)));
    expect(walked).toHaveLength(present.length);
  });
});
