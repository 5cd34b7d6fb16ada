// A cancelled task stuck in one synchronous step never reaches a yield, so cancellation
// cannot reach it; after `cancelTimeout` the pool terminates its worker, the task settles
// as cancelled, every other task still completes once, and the pool keeps its threads.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, TaskCancelledError, taskRef } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';
import { Runs, range, rejection } from './runs.js';

const fixtures = new URL('./faults-fixtures.mjs', import.meta.url);
const ref = (name: string) => taskRef(fixtures, name);
const threads = 2;

describe('cancelling a task stuck in one step', () => {
  it('a root task in an endless synchronous loop: cancel settles it as cancelled by terminating its worker; 200 others run once', async () => {
    const runs = new Runs();
    const pool = new PoolExecutor({ threads, cancelTimeout: 100 });
    try {
      const stuck = pool.spawn(ref('spin') as never, [-1] as never);
      await runs.heardFrom([-1]);
      const ids = range(0, 200);
      const others = ids.map((id) => pool.spawn(ref('reported') as never, [id] as never));
      stuck.cancel('enough');
      const error = await rejection(stuck);
      expect(error).toBeInstanceOf(TaskCancelledError);
      expect((error as TaskCancelledError).cause).toBe('enough');
      expect(stuck.state).toBe('cancelled');
      expect(await Promise.all(others)).toEqual(ids);
      await runs.heardFrom(ids);
      expect(runs.twice).toEqual([]);
      expect(pool.stats).toMatchObject({ threads, terminated: 1, crashes: 0 });
      const more = range(200, 16);
      expect(await Promise.all(more.map((id) => pool.spawn(ref('reported') as never, [id] as never)))).toEqual(more);
    } finally {
      await pool.close();
      runs.close();
    }
  });

  it('a child stuck on another worker: cancelling its parent settles both, the parent as cancelled', async () => {
    const runs = new Runs();
    const pool = new PoolExecutor({ threads, cancelTimeout: 100 });
    try {
      const parent = pool.spawn(ref('spinChild') as never, [-2] as never);
      await runs.heardFrom([-2]);
      parent.cancel();
      expect(await rejection(parent)).toBeInstanceOf(TaskCancelledError);
      expect(pool.stats).toMatchObject({ threads, terminated: 1, live: 0 });
      const ids = range(0, 16);
      expect(await Promise.all(ids.map((id) => pool.spawn(ref('reported') as never, [id] as never)))).toEqual(ids);
    } finally {
      await pool.close();
      runs.close();
    }
  });

  it('a child stuck on the worker of its parent (kept there, with no slot of its own): cancelling the parent settles both, the parent as cancelled', async () => {
    const runs = new Runs();
    // One worker: the child, of primitive arguments, stays on its parent's worker unserialised.
    const pool = new PoolExecutor({ threads: 1, cancelTimeout: 100 });
    try {
      const parent = pool.spawn(ref('spinChild') as never, [-3] as never);
      await runs.heardFrom([-3]);
      parent.cancel();
      expect(await rejection(parent)).toBeInstanceOf(TaskCancelledError);
      expect(pool.stats).toMatchObject({ threads: 1, terminated: 1, live: 0 });
      const ids = range(0, 16);
      expect(await Promise.all(ids.map((id) => pool.spawn(ref('reported') as never, [id] as never)))).toEqual(ids);
    } finally {
      await pool.close();
      runs.close();
    }
  });

  it("close({ mode: 'cancel' }) with a task stuck in one step resolves, and the task settles as cancelled", async () => {
    const runs = new Runs();
    const pool = new PoolExecutor({ threads, cancelTimeout: 100 });
    const stuck = pool.spawn(ref('spin') as never, [-3] as never);
    await runs.heardFrom([-3]);
    await pool.close({ mode: 'cancel' });
    expect(stuck.state).toBe('cancelled');
    runs.close();
  });

  it('a long step of a task nobody cancelled is left alone, however long it takes', async () => {
    const pool = new PoolExecutor({ threads, cancelTimeout: 20 });
    try {
      expect(await Promise.all([pool.spawn(ref('longStep') as never, [300] as never), pool.spawn(ref('longStep') as never, [300] as never)])).toEqual([300, 300]);
      expect(pool.stats).toMatchObject({ terminated: 0, crashes: 0 });
    } finally {
      await pool.close();
    }
  });

  it.each([0, -5, 1.5, Number.NaN, '100', null])('cancelTimeout %s is refused with InvalidOptionsError naming the option', (value) => {
    let error: unknown;
    try {
      new PoolExecutor({ cancelTimeout: value as number });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).option).toBe('cancelTimeout');
  });
});
