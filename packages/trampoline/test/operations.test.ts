import { describe, expect, it } from 'vitest';
import type { TaskContext } from '@spindle/core';
import { TrampolineExecutor, operation, taskContext, until } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { deferred, rejectionOf, withExecutor } from './helpers.js';

const double = operation(function* double(n: number): Generator<Instruction, number, unknown> {
  const value = yield* until(Promise.resolve(n));
  return value * 2;
});

/** Recursion through `yield*`, `depth` calls deep; the innermost waits on a promise once. */
const depthOf = operation(function* depthOf(depth: number): Generator<Instruction, number, unknown> {
  if (depth === 0) {
    yield Promise.resolve();
    return 0;
  }
  return 1 + (yield* depthOf(depth - 1));
});

/** Returns at once: a synchronous callee. */
// eslint-disable-next-line require-yield -- finishing without a yield is the point
const plusOne = operation(function* plusOne(n: number): Generator<Instruction, number, unknown> {
  return n + 1;
});

describe('yield a promise or thenable', () => {
  it('parks the task and resumes it with the value', async () => {
    await withExecutor(async (ex) => {
      const gate = deferred<string>();
      const task = ex.spawn(function* () {
        const value: string = yield gate.promise;
        return `got ${value}`;
      });
      expect(task.state).toBe('pending');
      gate.resolve('it');
      expect(await task).toBe('got it');
    });
  });

  it('throws a rejection in at the yield so try/catch works', async () => {
    await withExecutor(async (ex) => {
      const boom = new Error('rejected');
      const task = ex.spawn(function* () {
        try {
          yield Promise.reject(boom);
        } catch (error) {
          return error;
        }
        return 'unreachable';
      });
      expect(await task).toBe(boom);
    });
  });

  it('accepts foreign thenables, even ones that call back twice and synchronously', async () => {
    await withExecutor(async (ex) => {
      const thenable = {
        then(onFulfilled: (value: number) => void, onRejected: (error: unknown) => void): void {
          onFulfilled(1);
          onFulfilled(2);
          onRejected(new Error('ignored'));
        },
      };
      const task = ex.spawn(function* () {
        const a: number = yield thenable;
        const b: number = yield thenable;
        return a + b;
      });
      expect(await task).toBe(2);
    });
  });

  it('resumes with the result of a task handle, and throws its error in', async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* (ctx: TaskContext) {
        const ok: number = yield ctx.spawn(() => 20);
        try {
          yield ctx.join(
            ctx.spawn(() => {
              throw new RangeError('child');
            }),
          );
        } catch (error) {
          return [ok, (error as Error).name];
        }
        return 'unreachable';
      });
      expect(await task).toEqual([20, 'RangeError']);
    });
  });
});

describe('yield* an operation', () => {
  it('is a typed call whose callee may wait', async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        const a = yield* double(1);
        const b = yield* double(a);
        return a + b;
      });
      expect(await task).toBe(6);
    });
  });

  it('runs a yield* chain 100,000 deep without stack overflow', async () => {
    await withExecutor(async (ex) => {
      expect(await ex.run(depthOf(100_000))).toBe(100_000);
    });
  });

  it('runs a synchronous chain of 1,000,000 calls without overflow, in few steps and no microtask per call', async () => {
    await withExecutor(async (ex) => {
      const before = ex.stats.steps;
      const task = ex.spawn(function* () {
        let n = 0;
        for (let i = 0; i < 1_000_000; i++) n = yield* plusOne(n);
        return n;
      });
      expect(await task).toBe(1_000_000);
      // 2,000,000 frame transitions in steps of at most a few thousand: hundreds, not millions.
      expect(ex.stats.steps - before).toBeLessThan(2_000);
    });
  });

  it('runs a synchronous recursion 100,000 deep (no yield at all on the way)', async () => {
    const count = operation(function* count(n: number): Generator<Instruction, number, unknown> {
      return n === 0 ? 0 : 1 + (yield* count(n - 1));
    });
    await withExecutor(async (ex) => {
      expect(await ex.run(count(100_000))).toBe(100_000);
    });
  });

  it('answers a join of a task that has already fulfilled within the step', async () => {
    await withExecutor(async (ex) => {
      const child = ex.spawn(() => 5);
      await child;
      const steps = ex.stats.steps;
      const task = ex.spawn(function* () {
        let sum = 0;
        for (let i = 0; i < 1000; i++) {
          const value: number = yield child;
          sum += value;
        }
        return sum;
      });
      expect(await task).toBe(5000);
      expect(ex.stats.steps - steps).toBe(1);
    });
  });

  it('answers a second wait on a promise it has seen settle without a microtask, rejections too', async () => {
    await withExecutor(async (ex) => {
      const settled = Promise.resolve(7);
      const failed = Promise.reject(new Error('once'));
      failed.catch(() => undefined);
      const task = ex.spawn(function* () {
        const first: number = yield settled; // parks: not seen yet
        let microtaskRan = false;
        queueMicrotask(() => (microtaskRan = true));
        const second: number = yield settled; // seen: answered within the step
        const microtaskRanBetween = microtaskRan;
        const errors: unknown[] = [];
        for (let i = 0; i < 2; i++) {
          try {
            yield failed;
          } catch (error) {
            errors.push(error);
          }
        }
        return { first, second, microtaskRanBetween, sameError: errors[0] === errors[1] };
      });
      expect(await task).toEqual({ first: 7, second: 7, microtaskRanBetween: false, sameError: true });
    });
  });

  it('reaches the task context from any depth with taskContext()', async () => {
    const whoAmI = operation(function* whoAmI(): Generator<Instruction, number, unknown> {
      const ctx = yield* taskContext();
      return ctx.taskId;
    });
    await withExecutor(async (ex) => {
      const task = ex.run(whoAmI());
      expect(await task).toBe(task.id);
    });
  });

  it('lets one operation value be yield*-ed more than once', async () => {
    await withExecutor(async (ex) => {
      const once = until(Promise.resolve(3));
      const task = ex.spawn(function* () {
        return (yield* once) + (yield* once);
      });
      expect(await task).toBe(6);
    });
  });

  it('still runs plain generator functions through native yield* (no operation() needed for shallow calls)', async () => {
    function* plain(n: number): Generator<Instruction, number, unknown> {
      yield Promise.resolve();
      return n;
    }
    await withExecutor(async (ex) => {
      expect(await ex.spawn(function* () {
        return (yield* plain(4)) + (yield* plain(5));
      })).toBe(9);
    });
  });

  it('calls a generator object that is yielded without *', async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        const value: number = yield double(21) as unknown as Generator;
        return value;
      });
      expect(await task).toBe(42);
    });
  });
});

describe('run()', () => {
  it('runs an operation as a root task and refuses what is not one', async () => {
    const ex = new TrampolineExecutor();
    expect(await ex.run(double(4))).toBe(8);
    expect(() => ex.run(42 as never)).toThrow(/operation/);
    await ex.close();
    expect(() => ex.run(double(1))).toThrow(/closed/);
  });

  it('rejects with the error of the operation', async () => {
    await withExecutor(async (ex) => {
      const failing = operation(function* failing(): Generator<Instruction, never, unknown> {
        yield Promise.resolve();
        throw new TypeError('nope');
      });
      expect(await rejectionOf(ex.run(failing()))).toBeInstanceOf(TypeError);
    });
  });
});
