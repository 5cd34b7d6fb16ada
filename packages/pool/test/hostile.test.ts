// Hostile input on the pool: every bad call gets a clear, typed error at the call that made
// it (or, for what only a worker can find out, as the task's rejection), and the pool keeps
// working with all its threads.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, InvalidTaskError, TaskCancelledError, taskRef } from '@spindle/core';
import { PoolExecutor } from '../src/index.js';

const fixtures = pathToFileURL(createRequire(import.meta.url).resolve('@spindle/executor-tests/hostile-fixtures.mjs'));
const ref = (name: string) => taskRef(fixtures, name);

async function rejection(handle: PromiseLike<unknown>): Promise<unknown> {
  return handle.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (reason: unknown) => reason,
  );
}

function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('pool under hostile input', () => {
  const pool = new PoolExecutor({ threads: 2 });
  afterAll(() => pool.close());

  /** The pool still works, on all its threads. */
  async function stillWorks(): Promise<void> {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => pool.spawn(ref('echo') as never, [i] as never)));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pool.stats.threads).toBe(2);
  }

  it('closures are refused with InvalidTaskError (not-a-body): the pool runs task references only', async () => {
    const error = thrownBy(() => pool.spawn(() => 1));
    expect((error as InvalidTaskError).code).toBe('not-a-body');
    await stillWorks();
  });

  it('non-cloneable arguments: InvalidTaskError (not-cloneable) from spawn, naming the argument', async () => {
    const cases: unknown[][] = [[1, { method: () => 0 }], [() => 1], [Symbol('s')], [new WeakMap()]];
    for (const args of cases) {
      const error = thrownBy(() => pool.spawn(ref('echo') as never, args as never));
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('not-cloneable');
      expect((error as InvalidTaskError).argumentIndex).toBe(args.length - 1);
    }
    await stillWorks();
  });

  it('a non-cloneable result rejects the task with InvalidTaskError (not-cloneable, argumentIndex -1)', async () => {
    const error = await rejection(pool.spawn(ref('returnsClosure') as never));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('not-cloneable');
    expect((error as InvalidTaskError).argumentIndex).toBe(-1);
    await stillWorks();
  });

  it('arguments far larger than a slot (64 MiB buffer, 1 MiB string, 100k-element array) still run, intact', async () => {
    expect(await pool.spawn(ref('sizeOf') as never, [new Uint8Array(64 << 20)] as never)).toBe(64 << 20);
    const big = 'y'.repeat(1 << 20);
    expect(await pool.spawn(ref('echo') as never, [big] as never)).toBe(big);
    const array = Array.from({ length: 100_000 }, (_, i) => i);
    expect(await pool.spawn(ref('echo') as never, [array] as never)).toEqual(array);
    // Many at once, so some queue behind others and move between workers.
    const many = await Promise.all(Array.from({ length: 32 }, (_, i) => pool.spawn(ref('echo') as never, [`${i}:${'z'.repeat(4096)}`] as never)));
    expect(many.map((s) => String(s).split(':')[0])).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    await stillWorks();
  });

  it('a reference to a missing module, a missing export or a non-function export: InvalidTaskError (unknown-reference)', async () => {
    for (const bad of [taskRef('file:///nowhere/missing-module.mjs', 'body'), ref('noSuchExport'), ref('notAFunction')]) {
      const error = await rejection(pool.spawn(bad as never));
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('unknown-reference');
    }
    await stillWorks();
  });

  it('bodies that throw a string, undefined or a frozen object reject with that value (cloned)', async () => {
    expect(await rejection(pool.spawn(ref('throwsNonError') as never, ['string'] as never))).toBe('a thrown string');
    expect(await rejection(pool.spawn(ref('throwsNonError') as never, ['undefined'] as never))).toBeUndefined();
    expect(await rejection(pool.spawn(ref('throwsNonError') as never, ['frozen'] as never))).toEqual({ code: 42, frozen: true });
    await stillWorks();
  });

  it('a thenable that calls back twice counts once; one that throws from then() rejects the task with that error', async () => {
    for (const name of ['yieldsThenable', 'awaitsThenable', 'returnsThenable']) {
      expect(await pool.spawn(ref(name) as never, ['twice'] as never)).toBe('first');
      const error = await rejection(pool.spawn(ref(name) as never, ['throws'] as never));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('then threw');
    }
    await stillWorks();
  });

  it('an AbortSignal already aborted: cancelled with its reason as cause; the task never reaches a worker', async () => {
    const controller = new AbortController();
    const reason = new Error('aborted before spawn');
    controller.abort(reason);
    const before = pool.stats.executed;
    const error = await rejection(pool.spawn(ref('echo') as never, [1] as never, { signal: controller.signal }));
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect((error as TaskCancelledError).cause).toBe(reason);
    expect(pool.stats.executed).toBe(before);
    await stillWorks();
  });

  it('bad spawn options and arguments: InvalidTaskError from spawn', async () => {
    const cases: (readonly [() => unknown, string])[] = [
      [() => pool.spawn(42 as never), 'not-a-body'],
      [() => pool.spawn(ref('echo') as never, 'not an array' as never), 'invalid-options'],
      [() => pool.spawn(ref('echo') as never, [1] as never, { signal: {} as AbortSignal }), 'invalid-options'],
      [() => pool.spawn(ref('echo') as never, [1] as never, { name: 7 as unknown as string }), 'invalid-options'],
    ];
    for (const [call, code] of cases) {
      const error = thrownBy(call);
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe(code);
    }
    await stillWorks();
  });

  it('absurd pool options: InvalidOptionsError naming the option, before any worker starts', () => {
    const cases: (readonly [Record<string, unknown>, string])[] = [
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
    ];
    for (const [options, option] of cases) {
      const error = thrownBy(() => new PoolExecutor(options));
      expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe(option);
    }
    expect(thrownBy(() => new PoolExecutor('many' as never))).toBeInstanceOf(InvalidOptionsError);
    expect((thrownBy(() => pool.close({ mode: 'explode' } as never)) as InvalidOptionsError).option).toBe('mode');
  });

  it('a closed pool refuses work with ExecutorClosedError', async () => {
    const closed = new PoolExecutor({ threads: 1 });
    expect(await closed.spawn(ref('echo') as never, ['before'] as never)).toBe('before');
    await closed.close();
    expect(thrownBy(() => closed.spawn(ref('echo') as never, [1] as never))).toBeInstanceOf(ExecutorClosedError);
    await closed.close({ mode: 'cancel' });
  });
});
