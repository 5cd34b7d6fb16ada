// Hostile input on the pool: every bad call gets a clear, typed error at the call that made
// it (or, for what only a worker can find out, as the task's rejection), and the pool keeps
// working with all its threads. The cases every executor shares come from
// tooling/executor-tests; the ones below are the pool's own (references only, results that
// cross threads, shared slots, workers).
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidTaskError } from '@spindle/core';
import type { TaskCancelledError } from '@spindle/core';
import { describeHostileInput, hostileRef as ref, rejection, thrownBy } from '@spindle/executor-tests/describe-hostile-input';
import { PoolExecutor } from '../dist/index.js';
import type { PoolOptions } from '../dist/index.js';

/** The pool still works, on all its threads. */
async function stillWorks(pool: PoolExecutor): Promise<void> {
  const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.spawn(ref('echo'), [i])));
  expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(pool.stats.threads).toBe(2);
}

describeHostileInput('pool', {
  make: () => new PoolExecutor({ threads: 2 }),
  construct: (options) => new PoolExecutor(options as PoolOptions),
  stillWorks,
  absurdOptions: [
    [{ threads: 0 }, 'threads'],
    [{ threads: -1 }, 'threads'],
    [{ threads: 1e9 }, 'threads'],
    [{ threads: Number.NaN }, 'threads'],
    [{ threads: Infinity }, 'threads'],
    [{ threads: 1.5 }, 'threads'],
    [{ threads: '2' }, 'threads'],
    [{ minThreads: 4, maxThreads: 2 }, 'minThreads'],
    [{ maxThreads: 0 }, 'maxThreads'],
    [{ idleTimeout: -1 }, 'idleTimeout'],
    [{ maxQueue: -1 }, 'maxQueue'],
    [{ maxQueue: Number.NaN }, 'maxQueue'],
    [{ onFull: 'explode' }, 'onFull'],
    [{ resourceLimits: 5 }, 'resourceLimits'],
    [{ execArgv: '--inspect' }, 'execArgv'],
    [{ env: 'PATH=/' }, 'env'],
    [{ dequeCapacity: 3 }, 'dequeCapacity'],
    [{ dequeCapacity: 0 }, 'dequeCapacity'],
    [{ slots: -1 }, 'slots'],
    [{ slotBytes: 1e12 }, 'slotBytes'],
    [{ label: 5 }, 'label'],
  ],
});

describe('pool under hostile input (its own cases)', () => {
  const pool = new PoolExecutor({ threads: 2 });
  afterAll(() => pool.close());

  it('closures are refused with InvalidTaskError (not-a-body): the pool runs task references only', async () => {
    const error = thrownBy(() => pool.spawn(() => 1));
    expect((error as InvalidTaskError).code).toBe('not-a-body');
    await stillWorks(pool);
  });

  it('a non-cloneable result rejects the task with InvalidTaskError (not-cloneable, argumentIndex -1)', async () => {
    const error = await rejection(pool.spawn(ref('returnsClosure')));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('not-cloneable');
    expect((error as InvalidTaskError).argumentIndex).toBe(-1);
    await stillWorks(pool);
  });

  it('arguments far larger than a slot (1 MiB string, 100k-element array, 32 of 4 KiB at once) still run, intact', async () => {
    const big = 'y'.repeat(1 << 20);
    expect(await pool.spawn(ref('echo'), [big])).toBe(big);
    const array = Array.from({ length: 100_000 }, (_, i) => i);
    expect(await pool.spawn(ref('echo'), [array])).toEqual(array);
    // Many at once, so some queue behind others and move between workers.
    const many = await Promise.all(Array.from({ length: 32 }, (_, i) => pool.spawn(ref('echo'), [`${i}:${'z'.repeat(4096)}`])));
    expect(many.map((s) => String(s).split(':')[0])).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    await stillWorks(pool);
  });

  it('an AbortSignal already aborted: the task never reaches a worker', async () => {
    const controller = new AbortController();
    const reason = new Error('aborted before spawn');
    controller.abort(reason);
    const before = pool.stats.executed;
    const error = await rejection(pool.spawn(ref('echo'), [1], { signal: controller.signal }));
    expect((error as TaskCancelledError).cause).toBe(reason);
    expect(pool.stats.executed).toBe(before);
    await stillWorks(pool);
  });
});
