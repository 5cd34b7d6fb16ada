import { describe, expect, it } from 'vitest';
import { SharedState, WorkerWord } from '../src/shared/shared-state.js';
import { WorkerCounters } from '../src/main/worker-counters.js';

// A worker counts in 32-bit words with Atomics.add, as the worker runtime does; the stats
// must report totals past the words' wrap.
describe('WorkerCounters', () => {
  const add = (state: SharedState, worker: number, which: number, n: number): void => {
    Atomics.add(state.control, state.word(worker, which), n);
  };

  it('reports totals past 2^31 and 2^32, read as often as the sampler reads them', () => {
    const state = SharedState.create(2, 4, 256, 4);
    const counters = new WorkerCounters(state, 2);
    const step = 1_500_000_000;
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      add(state, 1, WorkerWord.parkedMicros, step);
      expected += step;
      counters.sample();
    }
    // The word itself wrapped (6e9 is past 2^32): alone it says 6e9 - 2^32.
    expect(Atomics.load(state.control, state.word(1, WorkerWord.parkedMicros))).toBe(expected - 2 ** 32);
    expect(counters.read(1, WorkerWord.parkedMicros)).toBe(expected);
    expect(counters.read(0, WorkerWord.parkedMicros)).toBe(0);
  });

  it('keeps each worker and each counter apart', () => {
    const state = SharedState.create(2, 4, 256, 4);
    const counters = new WorkerCounters(state, 2);
    add(state, 0, WorkerWord.executed, 2 ** 31 - 1);
    add(state, 0, WorkerWord.executed, 10);
    add(state, 1, WorkerWord.steals, 7);
    add(state, 0, WorkerWord.parks, 3);
    add(state, 1, WorkerWord.injectTakes, 5);
    expect(counters.read(0, WorkerWord.executed)).toBe(2 ** 31 + 9);
    expect(counters.read(1, WorkerWord.steals)).toBe(7);
    expect(counters.read(0, WorkerWord.parks)).toBe(3);
    expect(counters.read(1, WorkerWord.injectTakes)).toBe(5);
    expect(counters.read(1, WorkerWord.executed)).toBe(0);
    // A second reading with nothing new adds nothing.
    expect(counters.read(0, WorkerWord.executed)).toBe(2 ** 31 + 9);
  });
});
