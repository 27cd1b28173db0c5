import type { ExecutionResult } from 'graphql';
import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { SharedTails, type TailSource } from '../../src/live/shared-tails.js';
import { EventGroups, type FrameWriter, type GroupMember } from '../../src/plugins/event-groups.js';

/** A line of the shared source: an object, as the tails' events are (groups tell them apart by identity). */
interface Line {
  n: number;
  /** The group's run of this line fails (a field resolver's error). */
  bad?: boolean;
}

const MAX_BACKLOG = 3;
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A source the test feeds by hand. */
function manualSource() {
  const state = { opened: 0, stopped: false, push: (_line: Line) => {} };
  const open: TailSource<Line> = (signal) =>
    new Repeater<Line>((push, stop) => {
      state.opened += 1;
      state.push = (line) => void push(line);
      signal.addEventListener('abort', () => {
        state.stopped = true;
        void stop();
      });
    });
  return { state, open };
}

/** A member's event stream: what reached its socket, in order, and how full it claims to be. */
class FakeSocket implements FrameWriter {
  readonly written: string[] = [];
  backlog = 0;
  stalled = false;
  completed = false;
  write(frame: Buffer) {
    this.written.push(frame.toString());
    if (this.stalled) this.backlog += 1;
  }
}

/** The gateway's side for one sharing key: runs counted, frames encoded once per result. */
function gateway() {
  const runs = { shared: 0, own: 0, encoded: 0 };
  const groups = new EventGroups((result) => {
    runs.encoded += 1;
    return Buffer.from(JSON.stringify(result.data));
  });
  const runShared = (event: unknown): Promise<ExecutionResult> => {
    runs.shared += 1;
    const line = event as Line;
    return Promise.resolve(line.bad ? { data: null, errors: [] } : { data: { n: line.n } });
  };
  const runOwn = (event: unknown): Promise<ExecutionResult> => {
    runs.own += 1;
    return Promise.resolve({ data: { own: (event as Line).n } });
  };
  return { runs, groups, runShared, runOwn };
}

/** Reads what a member runs itself as its chain of plugins and event stream would. */
async function drive(member: GroupMember, socket: FakeSocket) {
  for await (const result of member.results()) {
    socket.write(Buffer.from(JSON.stringify(result.data)));
    member.written();
  }
  socket.completed = true;
}

describe('EventGroup fan-out', () => {
  const setUp = () => {
    const tails = new SharedTails<Line>({
      maxBacklog: MAX_BACKLOG,
      failure: () => ({ n: -1 }),
    });
    const source = manualSource();
    const handed = new Map<FakeSocket, Line[]>();
    const side = gateway();
    const subscribe = (
      options: { key?: string; alone?: (after: Line | undefined) => AsyncIterable<Line> } = {},
    ) => {
      const socket = new FakeSocket();
      const mine: Line[] = [];
      handed.set(socket, mine);
      const leaving = new AbortController();
      const tail = tails.join({
        key: 'topic',
        open: source.open,
        take: (line) => {
          mine.push(line);
          return true;
        },
        goOnAlone: () => options.alone?.(mine.at(-1)) ?? new Repeater<Line>((_p, stop) => stop()),
        signal: leaving.signal,
        lifecycle: { started: () => undefined, ended: () => undefined },
      });
      const member = side.groups
        .group(options.key ?? 'document')
        .join(side.runShared, side.runOwn, socket);
      member.follow(tail);
      const driven = drive(member, socket);
      return { socket, member, driven, leave: () => member.results().return!() };
    };
    return { source, subscribe, side };
  };

  it('runs and encodes each line once for the group and writes it to every member once, in order', async () => {
    const { source, subscribe, side } = setUp();
    const members = [subscribe(), subscribe(), subscribe()];
    await flush();
    expect(source.state.opened).toBe(1);
    for (let n = 1; n <= 5; n += 1) source.state.push({ n });
    await flush();
    for (const { socket } of members) {
      expect(socket.written).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}']);
    }
    expect(side.runs).toEqual({ shared: 5, own: 0, encoded: 5 });
  });

  it('gives two documents on one topic two groups: one run per line each', async () => {
    const { source, subscribe, side } = setUp();
    const [a, b, c] = [
      subscribe({ key: 'one' }),
      subscribe({ key: 'one' }),
      subscribe({ key: 'two' }),
    ];
    await flush();
    for (let n = 1; n <= 3; n += 1) source.state.push({ n });
    await flush();
    for (const { socket } of [a, b, c]) expect(socket.written).toHaveLength(3);
    expect(side.runs.shared).toBe(6);
    expect(source.state.opened).toBe(1);
  });

  it('moves a stalled member to a source of its own, losing nothing, while the others go on', async () => {
    const { source, subscribe } = setUp();
    // Its own source goes on right after the last line it was handed, up to line 8.
    const alone = (after: Line | undefined) =>
      new Repeater<Line>(async (push, stop) => {
        for (let n = (after?.n ?? 0) + 1; n <= 8; n += 1) await push({ n });
        stop();
      });
    const fast = subscribe();
    const slow = subscribe({ alone });
    slow.socket.stalled = true;
    await flush();
    for (let n = 1; n <= 8; n += 1) {
      source.state.push({ n });
      await flush();
    }
    const lines = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `{"n":${from + i}}`);
    expect(fast.socket.written).toEqual(lines(1, 8));
    // Written the group's frames up to the line it took holding MAX_BACKLOG unsent, then its
    // own runs of the rest.
    const shared = MAX_BACKLOG + 1;
    expect(slow.socket.written.slice(0, shared)).toEqual(lines(1, shared));
    expect(slow.socket.written.slice(shared)).toEqual(
      Array.from({ length: 8 - shared }, (_, i) => `{"own":${shared + 1 + i}}`),
    );
    await slow.driven;
    expect(slow.socket.completed).toBe(true);
    expect(source.state.stopped).toBe(false);
  });

  it('lets a member leave mid-stream; the others go on, and the source stops after the last', async () => {
    const { source, subscribe } = setUp();
    const [staying, leaving] = [subscribe(), subscribe()];
    await flush();
    source.state.push({ n: 1 });
    await flush();
    await leaving.leave();
    await leaving.driven;
    source.state.push({ n: 2 });
    await flush();
    expect(staying.socket.written).toEqual(['{"n":1}', '{"n":2}']);
    expect(leaving.socket.written).toEqual(['{"n":1}']);
    expect(source.state.stopped).toBe(false);
    await staying.leave();
    await flush();
    expect(source.state.stopped).toBe(true);
  });

  it('runs what a replay hands it first as the group runs its lines, so that replays switching on one line share its run', async () => {
    const { side } = setUp();
    const socket = new FakeSocket();
    const member = side.groups.group('document').join(side.runShared, side.runOwn, socket);
    const driven = drive(member, socket);
    member.first(
      new Repeater<Line>(async (push, stop) => {
        await push({ n: 1 });
        await push({ n: 2 });
        stop();
      }),
    );
    await flush();
    member.end();
    await driven;
    expect(socket.written).toEqual(['{"n":1}', '{"n":2}']);
    expect(side.runs).toMatchObject({ shared: 2, own: 0 });
  });

  it('never shares a result with errors: each member runs that line itself, in order with the rest', async () => {
    const { source, subscribe, side } = setUp();
    const members = [subscribe(), subscribe()];
    await flush();
    source.state.push({ n: 1 });
    source.state.push({ n: 2, bad: true });
    source.state.push({ n: 3 });
    await flush();
    await flush();
    for (const { socket } of members) {
      expect(socket.written).toEqual(['{"n":1}', '{"own":2}', '{"n":3}']);
    }
    expect(side.runs).toEqual({ shared: 3, own: 2, encoded: 2 });
  });
});
