// A task cancelled while it waits in shared memory (in the inject queue, posted to a worker
// that has not claimed it, or in a worker's deque) never runs its body: the cancel takes
// its slot out of the queue before any worker can claim it. Each test runs on one worker,
// held or busy while the tasks wait, so that none can be claimed before it is cancelled;
// the tasks would report each run, and a task spawned last on the same worker tells when
// every report that could come has come.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskCancelledError, taskRef } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';
import { Runs, range, rejection } from './runs.js';

const fixtures = new URL('./faults-fixtures.mjs', import.meta.url);
const ref = (name: string) => taskRef(fixtures, name) as never;
const last = -1;

/** Resolves once `view[index]` is no longer `value`. */
async function changed(view: Int32Array, index: number, value: number): Promise<void> {
  while (Atomics.load(view, index) === value) {
    const waiting = Atomics.waitAsync(view, index, value);
    if (waiting.async) await waiting.value;
  }
}

describe('a task cancelled while it waits in shared memory', () => {
  let runs: Runs;
  let pool: PoolExecutor;
  const word = new SharedArrayBuffer(8);
  const view = new Int32Array(word);

  beforeEach(() => {
    runs = new Runs();
    pool = new PoolExecutor({ threads: 1 });
    view.fill(0);
  });

  afterEach(async () => {
    // A failed test may leave the worker held.
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    await pool.close({ mode: 'cancel' });
    runs.close();
  });

  /** Holds the only worker; resolves once it is held (with the holding task in an object: a handle is a thenable). */
  async function holdWorker(): Promise<{ readonly held: TaskHandle<unknown> }> {
    const held: TaskHandle<unknown> = pool.spawn(ref('hold'), [word] as never);
    await changed(view, 1, 0);
    return { held };
  }

  /** Lets the worker go, then waits until a task spawned after all the others has run and reported. */
  async function releaseAndDrain(held: TaskHandle<unknown>): Promise<void> {
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    expect(await held).toBe('held');
    expect(await pool.spawn(ref('reported'), [last] as never)).toBe(last);
    await runs.heardFrom([last]);
  }

  it('in the inject queue: it settles as cancelled at once, and its body never runs', async () => {
    const { held } = await holdWorker();
    const ids = range(0, 20);
    const queued = ids.map((id) => pool.spawn(ref('reported'), [id] as never));
    // The tasks move into the inject queue on the next turn.
    await nextTurn();
    for (const task of queued) task.cancel('not needed');
    // Taken out of the queue by the cancel itself: settled before anything else happens.
    expect(queued.map((task) => task.state)).toEqual(ids.map(() => 'cancelled'));
    for (const task of queued) expect(await rejection(task)).toBeInstanceOf(TaskCancelledError);
    await releaseAndDrain(held);
    expect([...runs.counts.keys()]).toEqual([last]);
  });

  it('posted to a worker that has not claimed it (its arguments hold shared memory): it settles as cancelled at once, and its body never runs', async () => {
    const { held } = await holdWorker();
    const counter = new SharedArrayBuffer(4);
    const ids = range(100, 20);
    const posted = ids.map((id) => pool.spawn(ref('pinned'), [id, counter] as never));
    await nextTurn();
    for (const task of posted) task.cancel('not needed');
    expect(posted.map((task) => task.state)).toEqual(ids.map(() => 'cancelled'));
    for (const task of posted) expect(await rejection(task)).toBeInstanceOf(TaskCancelledError);
    await releaseAndDrain(held);
    expect(Atomics.load(new Int32Array(counter), 0)).toBe(0);
    expect([...runs.counts.keys()]).toEqual([last]);
  });

  it("in its parent's deque, cancelled by its parent: the parent's joins see TaskCancelledError and no child runs", async () => {
    expect(await pool.spawn(ref('cancelQueuedChildren'), [200, 50] as never)).toBe(50);
    expect(await pool.spawn(ref('reported'), [last] as never)).toBe(last);
    await runs.heardFrom([last]);
    expect([...runs.counts.keys()]).toEqual([last]);
  });
});
