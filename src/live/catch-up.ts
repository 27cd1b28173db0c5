import { Repeater } from 'graphql-yoga';
import { reached, type Resumable } from './hub.js';

/** A subscriber that replays from a past moment, and the shared tail it may go on with. */
export interface CatchUpRequest<Event, Position> {
  /** The subscriber's own source, from the moment it asked for. */
  own(signal: AbortSignal): AsyncIterable<Event>;
  /** A subscription to the shared tail of the same topic, taking every event from that moment. */
  join(signal: AbortSignal): AsyncIterable<Event>;
  resumable: Pick<Resumable<Event, Position>, 'advance' | 'unseen'>;
  /** Whether an event ends the tail (a failure): a shared tail that brings one is not joined. */
  ends(event: Event): boolean;
  /**
   * Whether the own source, at `position`, may hand over to the shared tail that brought
   * `brought` (oldest first), once it has reached the first of them. Without it, it may.
   */
  covered?(position: Position, brought: readonly Event[]): boolean;
  /**
   * Events the shared tail may bring before the own source has reached the first of them; past
   * that, the subscription to it is dropped and a fresh one taken.
   */
  maxBrought: number;
  /** The subscriber going away. */
  signal: AbortSignal;
  /** Told when the subscription starts and when it has ended, whatever ended it. */
  lifecycle: { started(): void; ended(): void };
}

/**
 * A replay that goes on with the shared tail once it has caught up with it. The own source
 * hands its events out, while a subscription to the shared tail collects what that tail brings
 * (`brought`). Once the own source has handed out (or gone past) the first event brought, the
 * own source stops, and the shared tail goes on from there, less what the own source handed
 * out already (`unseen`): no gap and no repeat, as when a shared tail's subscriber rejoins it.
 * A replay then costs an upstream source only until it has caught up.
 *
 * A source whose position alone does not tell whether the shared tail covers what comes next
 * (a feed's poller, which follows runs the shared one may not) says so with `covered`.
 *
 * The own source ends the subscription when it ends before the switch (its failure, or the end
 * of the window); the shared tail ends it after. A shared tail that ends or fails before the
 * switch is left, and the own source goes on alone.
 *
 * Invariant: events are pushed in order: the own source's until the switch, then what the
 * shared tail brought before it, then the shared tail's as they come.
 */
export function catchUp<Event, Position>(request: CatchUpRequest<Event, Position>) {
  const { resumable, lifecycle } = request;
  return new Repeater<Event>(async (push, stop) => {
    lifecycle.started();
    const done = new AbortController();
    const leave = () => void stop();
    request.signal.addEventListener('abort', leave, { once: true });
    if (request.signal.aborted) leave();
    void stop.then(() => done.abort());

    let position: Position | undefined;
    let unseen: ((event: Event) => Event | undefined) | undefined;
    let brought: Event[] = [];
    let switched = false;
    /** Settles once what the shared tail brought before the switch has been handed out. */
    let broughtOut: Promise<void> = Promise.resolve();
    let joinOver = false;
    const ownStop = new AbortController();
    done.signal.addEventListener('abort', () => ownStop.abort(), { once: true });

    const handOut = (event: Event): Promise<unknown> | undefined => {
      const fresh = unseen ? unseen(event) : event;
      if (fresh === undefined) return undefined;
      position = resumable.advance(position, fresh);
      return push(fresh);
    };
    /** Switches to the shared tail once the own source has reached what it brought first. */
    const switchWhenCaughtUp = () => {
      if (switched || joinOver || !reached(resumable, position, brought[0])) return;
      if (request.covered && !request.covered(position!, brought)) return;
      switched = true;
      ownStop.abort();
      unseen = resumable.unseen(position!);
      const pending = brought.splice(0);
      broughtOut = (async () => {
        for (const event of pending) await handOut(event);
      })();
    };

    const ownRun = async () => {
      for await (const event of request.own(ownStop.signal)) {
        if (switched) return;
        await handOut(event);
        switchWhenCaughtUp();
      }
      if (!switched) void stop();
    };
    const joinRun = async () => {
      while (!done.signal.aborted && !joinOver) {
        const attempt = new AbortController();
        const onDone = () => attempt.abort();
        done.signal.addEventListener('abort', onDone, { once: true });
        let overflowed = false;
        try {
          for await (const event of request.join(attempt.signal)) {
            if (switched) {
              await broughtOut;
              await handOut(event);
            } else if (request.ends(event)) {
              break;
            } else if (brought.push(event) > request.maxBrought) {
              overflowed = true;
              break;
            } else {
              switchWhenCaughtUp();
            }
          }
        } catch (error) {
          // Before the switch, a shared tail that throws is left like one that fails.
          if (switched) throw error;
        } finally {
          attempt.abort();
          done.signal.removeEventListener('abort', onDone);
        }
        if (switched) {
          await broughtOut;
          void stop();
          return;
        }
        brought = [];
        if (!overflowed) joinOver = true;
      }
    };

    try {
      await Promise.all([ownRun(), joinRun(), stop]);
    } finally {
      request.signal.removeEventListener('abort', leave);
      done.abort();
      lifecycle.ended();
    }
  });
}
