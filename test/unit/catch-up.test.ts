import type { ExecutionResult } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { catchUp, type CatchUpRequest, type CatchUpTail } from '../../src/live/catch-up.js';
import { SharedTails } from '../../src/live/shared-tails.js';
import { EventGroups, type FrameWriter } from '../../src/plugins/event-groups.js';

/**
 * Events are the numbers 1, 2, 3… of one log, or 'failed'; a position is the last number
 * handed out, and a source that started earlier drops what does not come after it.
 */
type Event = number | 'failed';

/** A source the test feeds by hand, as an upstream stream would bring the log. */
interface Fed {
  push(...events: Event[]): void;
  end(): void;
  fail(error: Error): void;
  /** Whether the subscriber stopped it. */
  readonly stopped: boolean;
}

function feedable(opened: Fed[]) {
  return (signal: AbortSignal) =>
    new Repeater<Event>((push, stop) => {
      let stopped = false;
      opened.push({
        push: (...events) => events.forEach((event) => void push(event)),
        end: () => void stop(),
        fail: (error) => void stop(error),
        get stopped() {
          return stopped;
        },
      });
      signal.addEventListener('abort', () => {
        stopped = true;
        void stop();
      });
    });
}

async function* filter(events: AsyncIterable<Event>, keep: (event: Event) => boolean) {
  for await (const event of events) if (keep(event)) yield event;
}

const UNCOUNTED = { started: () => undefined, ended: () => undefined };

/** The client's side: it takes each event as it comes unless `paused`. */
class Client {
  readonly received: Event[] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  get paused() {
    return this.gate !== undefined;
  }

  pause() {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  resume() {
    this.gate = undefined;
    this.open?.();
  }

  /** Waits while paused, before it asks for more. */
  async ready() {
    await this.gate;
  }
}

/** Reads the replay as its iterator, as a subscription's chain of plugins would. */
async function iterate(tail: CatchUpTail<Event>, client: Client) {
  for await (const event of tail) {
    client.received.push(event);
    await client.ready();
  }
}

/**
 * Reads the replay as a member of a group, as the event stream of a subscription on `/graphql`
 * does: the group's frames written as they settle, what the member runs itself read as the
 * socket takes it. A paused client's socket holds what it is written.
 */
async function follow(tail: CatchUpTail<Event>, client: Client) {
  const groups = new EventGroups((result) => Buffer.from(JSON.stringify(result.data)));
  const run = (event: unknown) => Promise.resolve<ExecutionResult>({ data: { event } });
  const socket: FrameWriter & { backlog: number } = {
    backlog: 0,
    write(frame) {
      client.received.push((JSON.parse(frame.toString()) as { event: Event }).event);
      if (client.paused) socket.backlog += 1;
    },
  };
  const member = groups.group('replays from one moment').join(run, run, socket);
  member.follow(tail);
  const results = member.results();
  for (let next = await results.next(); !next.done; next = await results.next()) {
    socket.write(Buffer.from(JSON.stringify(next.value.data)));
    member.written();
    await client.ready();
    socket.backlog = 0;
  }
}

const modes = { iterated: iterate, followed: follow };

describe.each(Object.keys(modes) as Array<keyof typeof modes>)('a replay read %s', (mode) => {
  function replay(changes: Partial<CatchUpRequest<Event, number>> = {}, maxBacklog = 100) {
    const own: Fed[] = [];
    const shared: Fed[] = [];
    const leave = new AbortController();
    const counts = { started: 0, ended: 0 };
    const tails = new SharedTails<Event>({ maxBacklog, failure: () => 'failed' });
    let joined = 0;
    let taken = 0;
    /** A source of its own goes on right after the last event taken from the shared one. */
    const goOnAlone = (signal: AbortSignal) => {
      const after = taken;
      return filter(feedable(shared)(signal), (event) => event === 'failed' || event > after);
    };
    const tail = catchUp<Event, number>({
      own: feedable(own),
      // Each subscription to the shared tail reads a source of its own, so that the test tells
      // them apart; a subscriber that falls behind goes on with a fresh one.
      join: (signal) =>
        tails.join({
          key: `subscription ${(joined += 1)}`,
          open: feedable(shared),
          take: (event) => {
            if (typeof event === 'number') taken = event;
            return true;
          },
          goOnAlone,
          signal,
          lifecycle: UNCOUNTED,
        }),
      resumable: {
        advance: (position, event) => (typeof event === 'number' ? event : position),
        unseen: (position) => (event) =>
          typeof event === 'number' && event <= position ? undefined : event,
      },
      ends: (event) => event === 'failed',
      maxBrought: 3,
      signal: leave.signal,
      lifecycle: { started: () => void counts.started++, ended: () => void counts.ended++ },
      ...changes,
    });
    const client = new Client();
    const ended = modes[mode](tail, client);
    return {
      own,
      shared,
      client,
      received: client.received,
      ended,
      counts,
      leave: () => leave.abort(),
    };
  }

  const settled = () => new Promise((resolve) => setTimeout(resolve, 5));
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('goes on with the shared tail once its own source reaches what the shared tail brought first', async () => {
    const tail = replay();
    await settled();
    tail.own[0]!.push(1, 2, 3);
    tail.shared[0]!.push(4, 5);
    await settled();
    expect(tail.received).toEqual([1, 2, 3]);
    tail.own[0]!.push(4);
    await settled();
    expect(tail.own[0]!.stopped).toBe(true);
    tail.own[0]!.push(5, 6);
    tail.shared[0]!.push(6, 7);
    await settled();
    expect(tail.received).toEqual(range(1, 7));
    expect(tail.shared[0]!.stopped).toBe(false);
    tail.leave();
    await tail.ended;
    expect(tail.shared[0]!.stopped).toBe(true);
    expect(tail.counts).toEqual({ started: 1, ended: 1 });
  });

  it('hands out the shared tail’s copy of the line it switches on, when it has one', async () => {
    // The shared tail's copy of line n reads n + 0.5 here: the same line, told apart.
    const line = (event: Event) => (typeof event === 'number' ? Math.floor(event) : event);
    const tail = replay({
      resumable: {
        advance: (position, event) => (typeof event === 'number' ? Math.floor(event) : position),
        unseen: (position) => (event) =>
          typeof event === 'number' && Math.floor(event) <= position ? undefined : event,
      },
      twin: (own, brought) => brought.find((event) => line(event) === line(own)),
    });
    await settled();
    tail.own[0]!.push(1, 2);
    tail.shared[0]!.push(3.5, 4.5);
    await settled();
    tail.own[0]!.push(3);
    await settled();
    tail.shared[0]!.push(5.5);
    await settled();
    expect(tail.received).toEqual([1, 2, 3.5, 4.5, 5.5]);
    expect(tail.own[0]!.stopped).toBe(true);
    tail.leave();
    await tail.ended;
  });

  it('drops what its own source handed out already when that source is ahead of the shared tail', async () => {
    const tail = replay();
    await settled();
    tail.own[0]!.push(...range(1, 8));
    await settled();
    tail.shared[0]!.push(6, 7, 8, 9);
    await settled();
    tail.shared[0]!.push(10);
    await settled();
    expect(tail.received).toEqual(range(1, 10));
    expect(tail.own[0]!.stopped).toBe(true);
    tail.leave();
    await tail.ended;
  });

  it('stays with its own source while covered says the shared tail does not cover it yet', async () => {
    // Here the shared tail covers a position only once both have passed an even number.
    const tail = replay({
      covered: (position, brought) => position % 2 === 0 && brought.at(-1) !== 7,
      maxBrought: 10,
    });
    await settled();
    tail.shared[0]!.push(3, 4);
    tail.own[0]!.push(1, 2, 3);
    await settled();
    expect(tail.own[0]!.stopped).toBe(false);
    tail.shared[0]!.push(5, 6, 7);
    await settled();
    tail.own[0]!.push(4);
    await settled();
    expect(tail.own[0]!.stopped).toBe(false);
    tail.shared[0]!.push(8);
    await settled();
    expect(tail.own[0]!.stopped).toBe(true);
    tail.own[0]!.push(5);
    tail.shared[0]!.push(9);
    await settled();
    expect(tail.received).toEqual(range(1, 9));
    tail.leave();
    await tail.ended;
  });

  it('takes a fresh subscription to the shared tail when it brings too much before the own source gets there', async () => {
    const tail = replay();
    await settled();
    tail.own[0]!.push(1);
    tail.shared[0]!.push(10, 11, 12, 13);
    await settled();
    expect(tail.shared[0]!.stopped).toBe(true);
    expect(tail.shared).toHaveLength(2);
    tail.shared[1]!.push(14);
    tail.own[0]!.push(...range(2, 14));
    await settled();
    tail.shared[1]!.push(15);
    await settled();
    expect(tail.received).toEqual(range(1, 15));
    expect(tail.own[0]!.stopped).toBe(true);
    tail.leave();
    await tail.ended;
  });

  it('goes on alone when the shared tail fails before it caught up, without its failure', async () => {
    const tail = replay();
    await settled();
    tail.own[0]!.push(1, 2);
    // The failure is the shared tail's last event, whether or not its end has been seen yet.
    tail.shared[0]!.push(5, 'failed');
    await settled();
    tail.own[0]!.push(3, 4, 5, 6);
    await settled();
    expect(tail.received).toEqual(range(1, 6));
    expect(tail.own[0]!.stopped).toBe(false);
    expect(tail.shared).toHaveLength(1);
    tail.leave();
    await tail.ended;
    expect(tail.own[0]!.stopped).toBe(true);
  });

  it('ends with the shared tail’s failure once it goes on with it', async () => {
    const tail = replay();
    await settled();
    tail.shared[0]!.push(2);
    tail.own[0]!.push(1, 2);
    await settled();
    tail.shared[0]!.push(3, 'failed');
    tail.shared[0]!.end();
    await tail.ended;
    expect(tail.received).toEqual([1, 2, 3, 'failed']);
    expect(tail.counts).toEqual({ started: 1, ended: 1 });
  });

  it('ends with its own source, and leaves the shared tail, when the own source ends first', async () => {
    const tail = replay();
    await settled();
    tail.shared[0]!.push(9);
    tail.own[0]!.push(1, 'failed');
    tail.own[0]!.end();
    await tail.ended;
    expect(tail.received).toEqual([1, 'failed']);
    expect(tail.shared[0]!.stopped).toBe(true);
    expect(tail.counts).toEqual({ started: 1, ended: 1 });
  });

  it('keeps its own source while the shared tail brings nothing', async () => {
    const tail = replay();
    await settled();
    tail.own[0]!.push(1, 2, 3);
    await settled();
    expect(tail.received).toEqual([1, 2, 3]);
    expect(tail.own[0]!.stopped).toBe(false);
    tail.leave();
    await tail.ended;
    expect(tail.own[0]!.stopped).toBe(true);
    expect(tail.shared[0]!.stopped).toBe(true);
  });

  it('hands out what the shared tail brought in order, at the client’s pace', async () => {
    const tail = replay({ maxBrought: 100 });
    await settled();
    tail.shared[0]!.push(...range(3, 40));
    tail.own[0]!.push(1, 2, 3);
    tail.shared[0]!.push(41);
    await settled();
    tail.own[0]!.push(4, 5);
    tail.shared[0]!.push(42);
    await settled();
    expect(tail.received).toEqual(range(1, 42));
    tail.leave();
    await tail.ended;
  });

  it('goes on alone when the shared tail throws before it caught up', async () => {
    const tail = replay();
    await settled();
    tail.shared[0]!.fail(new Error('the hub broke'));
    tail.own[0]!.push(1, 2);
    await settled();
    expect(tail.received).toEqual([1, 2]);
    expect(tail.own[0]!.stopped).toBe(false);
    tail.leave();
    await tail.ended;
  });

  it('goes on with a source of its own when it falls behind the shared tail after the switch', async () => {
    const tail = replay({}, 3);
    await settled();
    tail.own[0]!.push(1, 2, 3);
    await settled();
    tail.shared[0]!.push(3, 4);
    await settled();
    expect(tail.own[0]!.stopped).toBe(true);
    tail.client.pause();
    tail.shared[0]!.push(...range(5, 12));
    await settled();
    // The shared tail's subscription let it go on alone, after the last event it took.
    expect(tail.shared).toHaveLength(2);
    expect(tail.shared[0]!.stopped).toBe(true);
    tail.shared[1]!.push(...range(2, 14));
    tail.client.resume();
    await settled();
    tail.client.resume();
    await settled();
    expect(tail.received).toEqual(range(1, 14));
    tail.leave();
    await tail.ended;
    expect(tail.shared[1]!.stopped).toBe(true);
    expect(tail.counts).toEqual({ started: 1, ended: 1 });
  });
});
