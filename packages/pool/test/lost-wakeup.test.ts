// The lost wake-up probe: one tiny task into an idle pool, await it, wait a random gap of
// 0 to 2 ms, again. The gaps catch the workers at every point of going to sleep, so a
// worker whose last look before parking misses a queue (and a producer that does not see
// it parking) leaves a task stuck within a few hundred rounds. Each round has a generous
// deadline; the test fails with the round that got stuck.
import { expect, it } from 'vitest';
import { taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';

const inc = taskRef<(ctx: TaskContext, n: number) => number>(new URL('./stress-fixtures.mjs', import.meta.url), 'inc');

const rounds = 3_000;
const budgetMs = 20_000;
/** Far beyond any round trip of a tiny task, even on a loaded machine; a stuck task never makes it. */
const roundDeadlineMs = 10_000;
/** A probe of fewer rounds says little; even a slow machine runs far more within the budget. */
const fewestRounds = 200;

/** `handle`'s value, or `stuck` if it has not settled within the deadline. */
async function within<T>(handle: PromiseLike<T>, ms: number): Promise<T | 'stuck'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'stuck'>((resolve) => {
    timer = setTimeout(resolve, ms, 'stuck');
  });
  try {
    return await Promise.race([handle, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Holds the main thread for `ms` (sub-millisecond gaps need a clock, not a timer); the workers run on. */
function gap(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

it(`lost wake-up probe: up to ${rounds} rounds of one tiny task, each after a random gap of 0-2 ms; every one settles`, async () => {
  const pool = new PoolExecutor({ threads: 2 });
  const start = performance.now();
  let done = 0;
  try {
    while (done < rounds && performance.now() - start < budgetMs) {
      const outcome = await within(pool.spawn(inc, [done]), roundDeadlineMs);
      expect(outcome, `round ${done}: the task did not settle within ${roundDeadlineMs} ms`).toBe(done + 1);
      done++;
      gap(Math.random() * 2);
    }
  } finally {
    await pool.close({ mode: 'cancel' });
  }
  expect(done).toBeGreaterThanOrEqual(fewestRounds);
});
