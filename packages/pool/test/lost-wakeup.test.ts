// The lost wake-up probe: one tiny task into an idle pool, await it, wait a random gap of
// 0 to 2 ms, again. The gaps catch the worker at every point of going to sleep, so a
// worker whose last look before parking misses a queue (while the producer misses it
// parking) leaves a task stuck, typically within a few hundred rounds. One worker: nobody
// else can take the task then (with more, a parked peer is woken instead and hides it).
// Each round has a generous deadline; the test fails with the round that got stuck.
import { expect, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';
import { within } from './runs.js';

const inc = taskRef<(ctx: TaskContext, n: number) => number>(new URL('./stress-fixtures.mjs', import.meta.url), 'inc');

const rounds = 10_000;
const budgetMs = 20_000;
/** Far beyond any round trip of a tiny task, even on a loaded machine; a stuck task never makes it. */
const roundDeadlineMs = 10_000;
/** A probe of fewer rounds says little; even a slow machine runs far more within the budget. */
const fewestRounds = 200;

/**
 * Holds the main thread for `ms` (sub-millisecond gaps need a clock, not a timer); the
 * worker runs on.
 */
function gap(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

it(`lost wake-up probe: up to ${rounds} rounds of one tiny task, each after a random gap of 0-2 ms; every one settles`, async () => {
  const pool = new PoolExecutor({ threads: 1 });
  const start = performance.now();
  let done = 0;
  try {
    while (done < rounds && performance.now() - start < budgetMs) {
      const outcome = await within(pool.spawn(inc, [done]), roundDeadlineMs);
      expect(outcome, `round ${done}: the task did not settle within ${roundDeadlineMs} ms`).toBe(done + 1);
      done++;
      // Denser near 0: the worker goes to sleep within a few hundred µs of its last result.
      gap(2 * Math.random() ** 3);
    }
  } finally {
    await pool.close({ mode: 'cancel' });
  }
  expect(done).toBeGreaterThanOrEqual(fewestRounds);
});

// The same probe for the way back: outcomes of main-thread tasks reach the main thread
// through its mailbox and one pending `Atomics.waitAsync` (see ResultsWatch). Two or three
// tasks at a time on two workers: their outcomes arrive while the main thread handles an
// earlier one and waits anew, and a post that falls between its look at the mailbox and
// its wait would leave a task unsettled.
it(`lost wake-up probe, outcomes: up to ${rounds} rounds of 2-3 tiny tasks on 2 workers, each round after a random gap of 0-2 ms; every one settles`, async () => {
  const pool = new PoolExecutor({ threads: 2 });
  const start = performance.now();
  let done = 0;
  try {
    while (done < rounds && performance.now() - start < budgetMs) {
      const width = 2 + (done % 2);
      const handles = Array.from({ length: width }, (_, i) => pool.spawn(inc, [done * 3 + i]));
      const outcomes = await within(Promise.all(handles), roundDeadlineMs);
      expect(outcomes, `round ${done}: a task did not settle within ${roundDeadlineMs} ms`).toEqual(handles.map((_, i) => done * 3 + i + 1));
      done++;
      gap(2 * Math.random() ** 3);
    }
  } finally {
    await pool.close({ mode: 'cancel' });
  }
  expect(done).toBeGreaterThanOrEqual(fewestRounds);
});
