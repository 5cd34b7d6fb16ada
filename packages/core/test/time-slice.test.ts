import { describe, expect, it } from 'vitest';
import { TimeSlice } from '../src/kit/time-slice.js';

function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

describe('TimeSlice', () => {
  it('counts one slice per turn of the event loop, however often it is entered', async () => {
    const slice = new TimeSlice(5);
    expect(slice.turns).toBe(0);
    slice.enter();
    slice.enter();
    await Promise.resolve();
    slice.enter();
    expect(slice.turns).toBe(1);
    // The slice ends with an immediate queued when it began (before this one).
    await nextTurn();
    slice.enter();
    expect(slice.turns).toBe(2);
  });
});

describe('TimeSlice.claim and tick', () => {
  it('open a slice on the first claim, look at the clock at every 64th step, and stay spent until the event loop turns', async () => {
    // A budget of zero is spent at the first look at the clock: the 64th step.
    const slice = new TimeSlice(0);
    let granted = 0;
    while (slice.claim()) granted++;
    expect(granted).toBe(63);
    expect(slice.expired).toBe(1);
    expect(slice.claim()).toBe(false);
    expect(slice.tick()).toBe(false);
    expect(slice.microtaskAllowed).toBe(false);
    expect(slice.expired).toBe(1);
    await nextTurn();
    expect(slice.claim()).toBe(true);
    expect(slice.turns).toBe(2);
  });

  it('counts ticks and claims alike within one slice', () => {
    const slice = new TimeSlice(0);
    slice.enter();
    let granted = 0;
    for (let i = 0; i < 32; i++) if (slice.tick()) granted++;
    while (slice.claim()) granted++;
    expect(granted).toBe(63);
    expect(slice.turns).toBe(1);
  });

  it('grants every step while the budget lasts', () => {
    const slice = new TimeSlice(60_000);
    let granted = 0;
    for (let i = 0; i < 10_000; i++) if (i % 2 === 0 ? slice.claim() : slice.tick()) granted++;
    expect(granted).toBe(10_000);
    expect(slice.expired).toBe(0);
  });
});
