// onFull 'wait': a caller waiting in whenQueueBelowMax() must wake when the queue drains,
// also when it drains without any message from a worker to the main thread:
//   1. cancelled tasks: a worker takes the cancelled slots from the inject queue and frees them;
//   2. tasks that park: a worker takes them, they await something, nothing finishes.
// In both, no task finishes until the test lets one go, so only the pool's own watch for
// space can wake the waiter; a pool without it leaves this test waiting until it times out.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';

const fixtures = new URL('./load-fixtures.mjs', import.meta.url);
const holdThenPark = taskRef<(ctx: TaskContext, word: SharedArrayBuffer) => string>(fixtures, 'holdThenPark');
const work = taskRef<(ctx: TaskContext, n: number, spins: number) => number>(fixtures, 'work');
const parked = taskRef<(ctx: TaskContext) => Promise<string>>(fixtures, 'parked');
const releaseParked = taskRef<(ctx: TaskContext) => string>(fixtures, 'releaseParked');

/** Resolves once `view[index]` is no longer `value`. */
async function changed(view: Int32Array, index: number, value: number): Promise<void> {
  while (Atomics.load(view, index) === value) {
    const waiting = Atomics.waitAsync(view, index, value);
    if (waiting.async) await waiting.value;
  }
}

it("onFull 'wait': whenQueueBelowMax() wakes when cancelled tasks leave the queue", async () => {
  const pool = new PoolExecutor({ threads: 1, maxQueue: 2, onFull: 'wait' });
  const word = new SharedArrayBuffer(12);
  const view = new Int32Array(word);
  // The only worker runs this and is held by it.
  const held = pool.spawn(holdThenPark, [word]);
  await changed(view, 1, 0);
  // Two tasks reach the inject queue (the flush runs on the next turn) and are cancelled there.
  const queued = [pool.spawn(work, [1, 0]), pool.spawn(work, [2, 0])];
  await nextTurn();
  for (const task of queued) task.cancel(new Error('not needed'));
  for (const task of queued) await expect(task).rejects.toBeInstanceOf(TaskCancelledError);
  expect(pool.stats.queued).toBe(2);
  const space = pool.whenQueueBelowMax();
  // Let the worker go: its task parks (no message), and the worker takes the two cancelled
  // slots from the inject queue and frees them. Nothing finishes until `held` is let go below.
  Atomics.store(view, 0, 1);
  Atomics.notify(view, 0);
  await space;
  expect(pool.stats.queued).toBe(0);
  expect(held.state).not.toBe('fulfilled');
  Atomics.store(view, 2, 1);
  Atomics.notify(view, 2);
  expect(await held).toBe('done');
  await pool.close();
});

it("onFull 'wait': whenQueueBelowMax() wakes when a worker takes the queued tasks and they park", async () => {
  const pool = new PoolExecutor({ threads: 1, maxQueue: 2, onFull: 'wait' });
  const word = new SharedArrayBuffer(12);
  const view = new Int32Array(word);
  const held = pool.spawn(holdThenPark, [word]);
  await changed(view, 1, 0);
  // Two tasks that park wait in the inject queue while the worker is held.
  const queued = [pool.spawn(parked), pool.spawn(parked)];
  await nextTurn();
  expect(pool.stats.queued).toBe(2);
  const space = pool.whenQueueBelowMax();
  // Let go: the held task parks, the worker takes both queued tasks and they park too; the
  // queue is empty and nothing has finished, so no message has gone to the main thread.
  Atomics.store(view, 0, 1);
  Atomics.notify(view, 0);
  await space;
  expect(pool.stats.queued).toBe(0);
  expect(queued.map((task) => task.state)).not.toContain('fulfilled');
  expect(await pool.spawn(releaseParked)).toBe('releasing');
  Atomics.store(view, 2, 1);
  Atomics.notify(view, 2);
  expect(await Promise.all([held, ...queued])).toEqual(['done', 'released', 'released']);
  await pool.close();
});
