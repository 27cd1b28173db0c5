import { describe, expect, it } from 'vitest';
import { StreamSlots } from '../../src/live/stream-slots.js';

const never = new AbortController().signal;

describe('StreamSlots', () => {
  it('grants up to its capacity at once, then hands a given-back slot to the longest waiter', async () => {
    const slots = new StreamSlots(2);
    const first = await slots.take(0, never);
    const second = await slots.take(0, never);
    expect(first && second).toBeTypeOf('function');

    const granted: string[] = [];
    const early = slots.take(5_000, never).then((slot) => (granted.push('early'), slot));
    const late = slots.take(5_000, never).then((slot) => (granted.push('late'), slot));
    first!();
    first!(); // Giving a slot back twice frees it once.
    const earlySlot = await early;
    expect(granted).toEqual(['early']);

    second!();
    expect(await late).toBeTypeOf('function');
    expect(granted).toEqual(['early', 'late']);
    expect(earlySlot).toBeTypeOf('function');
  });

  it('gives up after its wait or when aborted, and a waiter that gave up takes nothing', async () => {
    const slots = new StreamSlots(1);
    const held = await slots.take(0, never);
    expect(await slots.take(20, never)).toBeUndefined();

    const abort = new AbortController();
    const aborted = slots.take(5_000, abort.signal);
    abort.abort();
    expect(await aborted).toBeUndefined();
    expect(await slots.take(0, abort.signal)).toBeUndefined();

    held!();
    const again = await slots.take(0, never);
    expect(again).toBeTypeOf('function');
    expect(await slots.take(0, never)).toBeUndefined();
  });
});
