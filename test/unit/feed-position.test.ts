import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import {
  feedResumable,
  MAX_REMEMBERED_RUNS,
  type FeedPosition,
} from '../../src/live/feed-position.js';
import { tailFailure } from '../../src/live/hub.js';
import type { FeedBatch, FeedEvent } from '../../src/live/poll-loop.js';
import type { RunChange } from '../../src/live/run-change.js';

/** A change as a feed hands it out: `X STARTED running`. */
type Change = { run: string; change: RunChange; status: string };
type State = { polls: number };
type Event = FeedEvent<Change, State>;

const change = (text: string): Change => {
  const [run, kind, status] = text.split(' ') as [string, RunChange, string];
  return { run, change: kind, status };
};
/** A batch of the poll that began `polls` seconds into the test and took 100 ms. */
const batch = (polls: number, ...changes: string[]): FeedBatch<Change, State> => ({
  kind: 'batch',
  changes: changes.map(change),
  resume: { polls },
  polled: { began: polls * 1_000, ended: polls * 1_000 + 100 },
});
const text = ({ run, change, status }: Change) => `${run} ${change} ${status}`;
const texts = (event: Event | undefined) =>
  event?.kind === 'batch' ? event.changes.map(text) : event;

/** A resumable whose pollers hand out `script`'s batches from the state they are opened at. */
function resumableOver(script: readonly FeedBatch<Change, State>[] = []) {
  const opened: State[] = [];
  const resumable = feedResumable<Change, State>(
    (each) => each,
    (_signal, resume) => {
      opened.push(resume);
      return new Repeater<Event>(async (push, stop) => {
        for (const each of script) if (each.resume.polls > resume.polls) await push(each);
        stop();
      });
    },
  );
  return { resumable, opened };
}

const handedOut = (events: readonly Event[]) => {
  const { resumable } = resumableOver();
  return events.reduce<FeedPosition<State> | undefined>(
    (position, event) => resumable.advance(position, event),
    undefined,
  )!;
};

async function drain(events: AsyncIterable<Event>): Promise<Event[]> {
  const all: Event[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe('feed positions', () => {
  it('stand at the state after the last batch handed out; a failure moves nothing', () => {
    const { resumable } = resumableOver();
    expect(resumable.advance(undefined, tailFailure(new Error('down')))).toBeUndefined();
    const position = handedOut([
      batch(1, 'X STARTED running'),
      batch(2),
      batch(3, 'Y FINISHED ok'),
    ]);
    expect(position.resume).toEqual({ polls: 3 });
    expect(resumable.advance(position, tailFailure(new Error('down')))?.resume).toEqual({
      polls: 3,
    });
  });

  it('filter another poller that lags behind: each run starts once, ends once, each status change once, in order', () => {
    const { resumable } = resumableOver();
    // This replica's poller saw X start, pause and run again, and Y start and end.
    const position = handedOut([
      batch(1, 'X STARTED running', 'Y STARTED running'),
      batch(2, 'X UPDATED paused', 'Y FINISHED succeeded'),
      batch(3, 'X UPDATED running'),
    ]);
    const unseen = resumable.unseen(position);
    // The other replica's poller saw Y only once it had ended, X's pause late, then news.
    const lagging = [
      batch(11, 'X STARTED running'),
      batch(12, 'Y FINISHED succeeded', 'X UPDATED paused'),
      batch(13, 'Z STARTED running', 'X UPDATED running'),
      batch(14, 'X UPDATED paused', 'Z FINISHED failed'),
      batch(15, 'X FINISHED succeeded', 'Y STARTED running'),
    ];
    const fresh = lagging.map((each) => unseen(each));
    expect(fresh.map(texts)).toEqual([
      [],
      ['X UPDATED paused'],
      ['Z STARTED running', 'X UPDATED running'],
      ['X UPDATED paused', 'Z FINISHED failed'],
      ['X FINISHED succeeded'],
    ]);
    // What is left of a batch still carries that poller's state, so the position moves on.
    expect(fresh.map((each) => (each?.kind === 'batch' ? each.resume.polls : 0))).toEqual([
      11, 12, 13, 14, 15,
    ]);
  });

  it('tell a batch of which nothing was handed out (the very same event) from one that overlaps', () => {
    const { resumable } = resumableOver();
    const position = handedOut([batch(1, 'X STARTED running')]);
    const news = batch(5, 'Y STARTED running');
    expect(resumable.unseen(position)(news)).toBe(news);
    const overlapping = batch(5, 'X STARTED running', 'Y STARTED running');
    expect(resumable.unseen(position)(overlapping)).not.toBe(overlapping);
    const failure = tailFailure(new Error('down'));
    expect(resumable.unseen(position)(failure)).toBe(failure);
  });

  it('count a batch as reached once a poll that began after it ended was handed out, changes or not', () => {
    const { resumable } = resumableOver();
    const position = handedOut([batch(1, 'X STARTED running'), batch(5, 'Y STARTED running')]);
    // A poller that started afresh took note of what was there at 2 s and found nothing new.
    const afresh = batch(2);
    const reached = resumable.unseen(position)(afresh);
    expect(reached).not.toBe(afresh);
    expect(reached).toEqual(afresh);
    // One that ended within the clocks' skew of the latest poll is not known to be behind it.
    const recent = batch(4, 'Z STARTED running');
    expect(resumable.unseen(position)(recent)).toBe(recent);
  });

  it('do not count a replay’s page as a poll of what is there', () => {
    const { resumable } = resumableOver();
    const page = {
      ...batch(5, 'X FINISHED succeeded'),
      polled: { began: 5_000, ended: 5_100, replayed: true },
    };
    const position = handedOut([page]);
    const afresh = batch(2);
    expect(resumable.unseen(position)(afresh)).toBe(afresh);
    const live = handedOut([page, batch(6, 'Y STARTED running')]);
    expect(resumable.unseen(live)(afresh)).not.toBe(afresh);
  });

  it('go on from the exact state with every change of the poller, a run returning to a status included', async () => {
    const script = [
      batch(1, 'X STARTED running'),
      batch(2, 'X UPDATED paused'),
      batch(3, 'X UPDATED running'),
      batch(4, 'X UPDATED paused'),
      batch(5, 'X FINISHED succeeded'),
    ];
    const { resumable, opened } = resumableOver(script);
    const position = handedOut(script.slice(0, 2));
    const after = await drain(resumable.open(new AbortController().signal, position));
    expect(opened).toEqual([{ polls: 2 }]);
    expect(after.map(texts)).toEqual([
      ['X UPDATED running'],
      ['X UPDATED paused'],
      ['X FINISHED succeeded'],
    ]);
  });

  it('go on from a state behind what was handed out (a lagging poller’s) without a repeat', async () => {
    const script = [
      batch(1, 'X STARTED running'),
      batch(2, 'X FINISHED succeeded', 'Y STARTED running'),
      batch(3, 'Z STARTED running'),
    ];
    const { resumable } = resumableOver(script);
    // Handed: this replica's own poller got ahead; then the lagging stream's batch 1 came, empty.
    const position = handedOut([
      batch(21, 'X STARTED running', 'X FINISHED succeeded', 'Y STARTED running'),
      batch(1),
    ]);
    expect(position.resume).toEqual({ polls: 1 });
    const after = await drain(resumable.open(new AbortController().signal, position));
    expect(after.map(texts)).toEqual([[], ['Z STARTED running']]);
  });

  it('leave the position they filter by as it is', async () => {
    const script = [batch(2, 'Y STARTED running')];
    const { resumable } = resumableOver(script);
    const position = handedOut([batch(1, 'X STARTED running')]);
    resumable.unseen(position)(batch(7, 'Y STARTED running'));
    await drain(resumable.open(new AbortController().signal, position));
    // Y was never handed out to this position's subscribers: a later source may bring it.
    expect(texts(resumable.unseen(position)(batch(9, 'Y STARTED running')))).toEqual([
      'Y STARTED running',
    ]);
    expect(position.resume).toEqual({ polls: 1 });
  });

  it(`remember the last ${MAX_REMEMBERED_RUNS} runs handed out`, () => {
    const { resumable } = resumableOver();
    const runs = Array.from({ length: MAX_REMEMBERED_RUNS + 1 }, (_, i) => `R${i} STARTED running`);
    const position = handedOut([batch(1, ...runs)]);
    const of = (run: string) =>
      texts(resumable.unseen(position)(batch(2, `${run} STARTED running`)));
    expect(of('R0')).toEqual(['R0 STARTED running']);
    expect(of('R1')).toEqual([]);
    expect(of(`R${MAX_REMEMBERED_RUNS}`)).toEqual([]);
  });
});
