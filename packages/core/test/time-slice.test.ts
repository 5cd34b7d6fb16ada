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
