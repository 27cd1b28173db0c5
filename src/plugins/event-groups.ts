import type { ExecutionResult } from 'graphql';
import type { Followable, ReplayFollower } from '../context.js';

/** Where a member's frames go: its event stream (see `EventStreamWriter`). */
export interface FrameWriter {
  /** Writes `frame` at once. */
  write(frame: Buffer): void;
  /** How many frames it holds beyond what its socket takes. */
  readonly backlog: number;
}

/** The `next` frame of a result, encoded once however many members are written it. */
export type FrameOf = (result: ExecutionResult) => Buffer | Promise<Buffer>;

/** One execution of the subscription's document for one event. */
export type RunEvent = (event: unknown) => Promise<ExecutionResult>;

interface Delivery {
  event: unknown;
  recipients: GroupMember[];
  /** Set once the run settles: the shared frame, or null when each recipient runs the event itself. */
  frame?: Buffer | null;
}

/** The end of an iterator with nothing more to hand out. */
export const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** An iterator's `Symbol.asyncIterator`, made once rather than once per iterator. */
function itself<T>(this: T): T {
  return this;
}

/** An event a member runs itself rather than being written its group's frame. */
class OwnEvent {
  constructor(readonly event: unknown) {}
}

/**
 * The subscriptions of one shared topic that agree on the document, variables and credentials
 * (the sharing key): each event the topic brings is run once for all of them, and its frame is
 * written, in one synchronous loop, to each member that took the event. A result with errors is
 * never shared: each of its recipients runs the event itself (through its subscription's
 * hooks, so that the error contract applies as to any result).
 *
 * Invariant: `deliveries` are in the order the topic brought the events, and frames go out in
 * that order, so every member sees its events once and in order.
 */
export class EventGroup {
  private readonly deliveries: Delivery[] = [];
  private members = 0;

  constructor(
    private readonly frameOf: FrameOf,
    private readonly emptied: () => void,
  ) {}

  /**
   * A member for `writer`. `runShared` runs an event for the group when it is the first member
   * offered it, and what a replay hands the member first (see `GroupMember.first`); `runOwn`
   * runs an event for it alone.
   */
  join(runShared: RunEvent, runOwn: RunEvent, writer: FrameWriter): GroupMember {
    this.members += 1;
    return new GroupMember(this, runShared, runOwn, writer);
  }

  left() {
    this.members -= 1;
    if (this.members === 0) this.emptied();
  }

  /** `member` took `event`: the topic offers an event to all its subscribers before the next. */
  offer(event: unknown, member: GroupMember) {
    let delivery = this.deliveries.at(-1);
    if (delivery?.event !== event) {
      const created: Delivery = { event, recipients: [] };
      this.deliveries.push(created);
      void member
        .runShared(event)
        .then((result) => (result.errors ? null : this.frameOf(result)))
        .catch(() => null)
        .then((frame) => {
          created.frame = frame;
          this.flush();
        });
      delivery = created;
    }
    delivery?.recipients.push(member);
  }

  private flush() {
    while (this.deliveries[0]?.frame !== undefined) {
      const { event, recipients, frame } = this.deliveries.shift()!;
      for (const member of recipients) member.receive(frame!, event);
    }
  }
}

/**
 * One subscription of a group. Frames of shared results are written to its `writer` as the
 * group settles them; what it runs itself (a result with errors, the last event of a failed
 * tail, what its own source brings once it fell behind, what a replay brings before it has
 * caught up) comes out of `results()`, which its event stream reads, in order with the frames:
 * while such a result is on its way out, the frames after it wait in `queue`.
 */
export class GroupMember implements ReplayFollower<unknown> {
  /** What comes before anything else (see `first`); undefined once it is over. */
  private prefix: AsyncIterator<unknown> | undefined;
  /** In order: frames to write, and events this member runs itself. */
  private readonly queue: Array<Buffer | OwnEvent> = [];
  /** Events taken whose group run has not settled yet. */
  private inFlight = 0;
  /** A result of this member's own was handed to its event stream and is not written yet. */
  private outstanding = false;
  private ended = false;
  private last: OwnEvent | undefined;
  private own: AsyncIterator<unknown> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private leave: (() => void) | undefined;

  constructor(
    private readonly group: EventGroup,
    readonly runShared: RunEvent,
    private readonly runOwn: RunEvent,
    private readonly writer: FrameWriter,
  ) {}

  /** Follows `source`'s events from now on. */
  follow(source: Followable<unknown>) {
    this.leave = source.follow(this);
  }

  first(values: AsyncIterable<unknown>) {
    this.prefix = values[Symbol.asyncIterator]();
    if (this.stopped) void this.prefix.return?.();
    this.wakeUp();
  }

  next(event: unknown): number {
    if (this.stopped) return 0;
    this.inFlight += 1;
    this.group.offer(event, this);
    return this.queue.length + this.writer.backlog;
  }

  end(last?: unknown) {
    this.ended = true;
    if (last !== undefined) this.last = new OwnEvent(last);
    this.wakeUp();
  }

  alone(values: AsyncIterable<unknown>) {
    this.own = values[Symbol.asyncIterator]();
    if (this.stopped) void this.own.return?.();
    this.wakeUp();
  }

  /** The group settled an event this member took: its shared frame, or null to run it itself. */
  receive(frame: Buffer | null, event: unknown) {
    this.inFlight -= 1;
    if (this.stopped) return;
    // Most frames find nothing before them: written at once, the queue never grows.
    if (frame && this.queue.length === 0 && !this.outstanding && !this.prefix) {
      this.writer.write(frame);
    } else this.queue.push(frame ?? new OwnEvent(event));
    this.drain();
  }

  /** The event stream wrote the result `results()` last handed it. */
  written() {
    this.outstanding = false;
    this.drain();
  }

  /** What this member runs itself, in order with its frames; returning it ends the subscription. */
  results(): AsyncIterableIterator<ExecutionResult> {
    return {
      [Symbol.asyncIterator]: itself,
      next: () => this.nextOwn(),
      return: () => Promise.resolve(this.stop()),
    };
  }

  private drain() {
    while (!this.outstanding && !this.prefix && this.queue[0] instanceof Buffer) {
      this.writer.write(this.queue.shift() as Buffer);
    }
    if (this.ownTurn()) this.wakeUp();
  }

  /** Whether `results()` has something to hand out (or is over) before any further frame. */
  private ownTurn(): boolean {
    if (this.outstanding) return false;
    if (this.prefix) return true;
    if (this.queue.length > 0) return this.queue[0] instanceof OwnEvent;
    return this.inFlight === 0 && (this.own !== undefined || this.ended);
  }

  /**
   * The next result this member runs itself, once it is its turn. Not an async function: a
   * member waits for its turn most of its life, and a suspended async function holds far more
   * than the one promise and resolver it waits with here.
   */
  private nextOwn(): Promise<IteratorResult<ExecutionResult, undefined>> {
    return this.ownNow() ?? new Promise((resolve) => this.waitForTurn(resolve));
  }

  private waitForTurn(
    resolve: (next: Promise<IteratorResult<ExecutionResult, undefined>>) => void,
  ) {
    this.wake = () => {
      const next = this.ownNow();
      if (next) resolve(next);
      else this.waitForTurn(resolve);
    };
  }

  /** The next result of its own when it may be read now; undefined while it must wait. */
  private ownNow(): Promise<IteratorResult<ExecutionResult, undefined>> | undefined {
    if (this.stopped) return Promise.resolve(DONE);
    if (this.prefix) {
      return this.prefix.next().then<IteratorResult<ExecutionResult, undefined>>((next) => {
        if (this.stopped) return DONE;
        // Run as the group runs: replays switching on the same event share its run and frame.
        if (!next.done) return this.ownResult(next.value, this.runShared);
        this.prefix = undefined;
        this.drain();
        return this.nextOwn();
      });
    }
    const head = this.queue[0];
    if (head instanceof OwnEvent && !this.outstanding) {
      this.queue.shift();
      return this.ownResult(head.event);
    }
    if (this.queue.length > 0 || this.inFlight > 0) return undefined;
    if (this.own) {
      return this.own
        .next()
        .then<IteratorResult<ExecutionResult, undefined>>((next) =>
          next.done ? this.stop() : this.ownResult(next.value),
        );
    }
    if (!this.ended) return undefined;
    const { last } = this;
    this.last = undefined;
    return last ? this.ownResult(last.event) : Promise.resolve(this.stop());
  }

  private async ownResult(
    event: unknown,
    run = this.runOwn,
  ): Promise<IteratorYieldResult<ExecutionResult>> {
    this.outstanding = true;
    return { done: false, value: await run(event) };
  }

  private wakeUp() {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private stop(): IteratorReturnResult<undefined> {
    if (this.stopped) return DONE;
    this.stopped = true;
    this.queue.length = 0;
    this.leave?.();
    void this.prefix?.return?.();
    void this.own?.return?.();
    this.wakeUp();
    this.group.left();
    return DONE;
  }
}

/** A subscription whose event stream the gateway writes, detached from its chain of plugins. */
export interface Joined {
  /** Its group's member, when it joined a group. */
  member?: GroupMember;
  /**
   * What its event stream reads from now on, in place of the subscription's chain: its member's
   * own results (`GroupMember.results`), or else its results, as the chain would have passed
   * them on.
   */
  results: AsyncIterable<ExecutionResult>;
}

/**
 * A subscription that may be read without its chain (and may join a group) once its event stream
 * is known.
 */
export interface Joinable {
  /** Detaches it from its chain, joining its group if it has one, writing to `writer`. */
  join(writer: FrameWriter): Joined;
}

/**
 * The groups of one gateway by sharing key, and the subscriptions that may be detached from their
 * chain and join one, by their request (their event stream is made after the subscription). A
 * sharing key names one topic: it covers the credentials and the variables the topic's filter
 * comes from.
 */
export class EventGroups {
  private readonly groups = new Map<string, EventGroup>();
  private readonly joinable = new WeakMap<object, Joinable>();

  constructor(private readonly frameOf: FrameOf) {}

  /** The group of `key`, made when it has none. */
  group(key: string): EventGroup {
    let group = this.groups.get(key);
    if (!group) {
      const created = new EventGroup(this.frameOf, () => {
        if (this.groups.get(key) === created) this.groups.delete(key);
      });
      this.groups.set(key, created);
      group = created;
    }
    return group;
  }

  /** `request`'s subscription may be detached (and may join a group). */
  offer(request: object, joinable: Joinable) {
    this.joinable.set(request, joinable);
  }

  /** Detaches `request`'s subscription, writing to `writer`, when it may be (see `Joinable`). */
  join(request: object, writer: FrameWriter): Joined | undefined {
    const joinable = this.joinable.get(request);
    this.joinable.delete(request);
    return joinable?.join(writer);
  }
}
