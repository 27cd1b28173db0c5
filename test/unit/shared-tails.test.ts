import { Repeater } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { SharedTails, type Subscription, type TailSource } from '../../src/live/shared-tails.js';

type Value = number | string;

/** A source the test feeds by hand; records how often it was opened and whether it was stopped. */
function manualSource() {
  const state = { opened: 0, stopped: false, push: (_value: Value) => {}, fail: (_e: Error) => {} };
  const open = (signal: AbortSignal) =>
    new Repeater<Value>((push, stop) => {
      state.opened += 1;
      state.push = (value) => void push(value);
      state.fail = (error) => void stop(error);
      signal.addEventListener('abort', () => {
        state.stopped = true;
        void stop();
      });
    });
  return { state, open };
}

const hub = () =>
  new SharedTails<Value>({
    maxBacklog: 3,
    failure: (error) => `failed: ${(error as Error).message}`,
  });

const nowhere = () => new Repeater<Value>((_push, stop) => void stop());

const counter = () => {
  const counts = { started: 0, ended: 0 };
  return {
    counts,
    lifecycle: { started: () => void counts.started++, ended: () => void counts.ended++ },
  };
};

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A subscription to key `k` that takes everything and never needs to go on alone. */
const subscription = (
  open: TailSource<Value>,
  changes: Partial<Subscription<Value>> = {},
): Subscription<Value> => ({
  key: 'k',
  open,
  take: () => true,
  goOnAlone: nowhere,
  signal: new AbortController().signal,
  lifecycle: counter().lifecycle,
  ...changes,
});

async function take(iterator: AsyncIterator<Value>, count: number): Promise<Value[]> {
  const values: Value[] = [];
  for (let i = 0; i < count; i += 1) {
    const next = await iterator.next();
    if (next.done) break;
    values.push(next.value);
  }
  return values;
}

describe('SharedTails', () => {
  it('opens one source for a key, delivers in order to all, and stops it after the last leaves', async () => {
    const tails = hub();
    const { state, open } = manualSource();
    const { counts, lifecycle } = counter();
    const join = () => tails.join(subscription(open, { lifecycle }));
    const [a, b] = [join(), join()];
    const [firstA, firstB] = [a.next(), b.next()];
    await flush();
    expect(state.opened).toBe(1);
    [1, 2, 3].forEach((value) => state.push(value));
    expect([(await firstA).value, ...(await take(a, 2))]).toEqual([1, 2, 3]);
    expect([(await firstB).value, ...(await take(b, 2))]).toEqual([1, 2, 3]);
    await a.return();
    expect(state.stopped).toBe(false);
    await b.return();
    expect(state.stopped).toBe(true);
    expect(counts).toEqual({ started: 2, ended: 2 });
  });

  it('moves a subscriber that falls behind to a source of its own, without holding back the others', async () => {
    const tails = hub();
    const { state, open } = manualSource();
    const handed: Value[] = [];
    let wentAlone = 0;
    const join = (mine: boolean) =>
      tails.join(
        subscription(open, {
          take: (value) => {
            if (mine) handed.push(value);
            return true;
          },
          goOnAlone: () => {
            wentAlone += 1;
            // Its own source goes on right after the last value it was handed.
            const last = Number(handed.at(-1));
            return new Repeater<Value>(async (push, stop) => {
              for (let value = last + 1; value <= 8; value += 1) await push(value);
              stop();
            });
          },
        }),
      );
    const [fast, slow] = [join(false), join(true)];
    const slowFirst = slow.next();
    const fastFirst = fast.next();
    await flush();
    const received: Value[] = [];
    for (let value = 1; value <= 8; value += 1) {
      state.push(value);
      const next = value === 1 ? await fastFirst : await fast.next();
      received.push(next.value as Value);
    }
    expect(received).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(handed).toEqual([1, 2, 3, 4]);
    expect([(await slowFirst).value, ...(await take(slow, 10))]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(wentAlone).toBe(1);
    expect(state.opened).toBe(1);
    expect(state.stopped).toBe(false);
    await fast.return();
    expect(state.stopped).toBe(true);
  });

  it('leaves out what a subscriber does not take, and ends everyone when the source fails', async () => {
    const tails = hub();
    const { state, open } = manualSource();
    const evens = tails.join(subscription(open, { take: (v) => Number(v) % 2 === 0 }));
    const all = tails.join(subscription(open));
    const [evenFirst, allFirst] = [evens.next(), all.next()];
    await flush();
    [1, 2, 3, 4].forEach((value) => state.push(value));
    await flush();
    state.fail(new Error('gone'));
    expect([(await evenFirst).value, ...(await take(evens, 10))]).toEqual([2, 4, 'failed: gone']);
    expect([(await allFirst).value, ...(await take(all, 10))]).toEqual([
      1,
      2,
      3,
      4,
      'failed: gone',
    ]);
  });

  it('ends a subscriber whose signal aborts, and opens a fresh source for the next one', async () => {
    const tails = hub();
    const { state, open } = manualSource();
    const gone = new AbortController();
    const first = tails.join(subscription(open, { signal: gone.signal }));
    const pending = first.next();
    await flush();
    gone.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    await flush();
    expect(state.stopped).toBe(true);
    const second = tails.join(subscription(open));
    const next = second.next();
    await flush();
    expect(state.opened).toBe(2);
    state.push(9);
    expect((await next).value).toBe(9);
    await second.return();
  });
});
