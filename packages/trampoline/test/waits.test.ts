import { describe, expect, it } from 'vitest';
import { TaskCancelledError } from '@spindle/core';
import { deferred, rejectionOf, withExecutor } from './helpers.js';

// The harness remembers the last promise a task saw settle, and wakes a parked task through
// callbacks that belong to one wait: these tests hold it to both.
describe('waits', () => {
  it('answers a second wait on a settled promise with what it settled with, rejection or value', async () => {
    await withExecutor(async (ex) => {
      const failure = new Error('once');
      const rejected = Promise.reject(failure);
      rejected.catch(() => undefined);
      const fulfilled = Promise.resolve(5);
      const seen: unknown[] = [];
      const task = ex.spawn(function* () {
        for (let i = 0; i < 2; i++) {
          try {
            yield rejected;
          } catch (error) {
            seen.push(error);
          }
        }
        // After a remembered rejection, a fulfilled promise is answered as fulfilled.
        seen.push(yield fulfilled, yield fulfilled);
        for (let i = 0; i < 2; i++) {
          try {
            yield rejected;
          } catch (error) {
            seen.push(error);
          }
        }
        return seen.length;
      });
      expect(await task).toBe(6);
      expect(seen).toEqual([failure, failure, 5, 5, failure, failure]);
    });
  });

  it('ignores a late settlement of what a cancelled task was parked on', async () => {
    await withExecutor(async (ex) => {
      const first = deferred<string>();
      const cleanup = deferred<string>();
      const parkedInCleanup = deferred();
      const received: unknown[] = [];
      const started = deferred();
      const task = ex.spawn(function* () {
        try {
          started.resolve();
          received.push(yield first.promise);
        } finally {
          const waiting = cleanup.promise;
          parkedInCleanup.resolve();
          received.push(yield waiting);
        }
      });
      await started.promise;
      task.cancel();
      await parkedInCleanup.promise;
      // The wait the cancellation left settles now: its callback must not resume the
      // task, which is parked again, in its cleanup.
      first.resolve('late');
      await first.promise;
      await new Promise((resolve) => setImmediate(resolve));
      expect(task.state).not.toBe('cancelled');
      expect(received).toEqual([]);
      cleanup.resolve('cleaned');
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(received).toEqual(['cleaned']);
    });
  });

  it('stops a task that cancels itself in a step its wake-up runs, though it then waits on a fresh promise', async () => {
    await withExecutor(async (ex) => {
      const cleaned: string[] = [];
      const task = ex.spawn(function* () {
        try {
          // Two waits: the second wake of a turn is stepped on the harness's short path.
          yield Promise.resolve(1);
          yield Promise.resolve(2);
          // The body steps after `spawn` has returned: `task` is set by then.
          task.cancel();
          yield new Promise<never>(() => undefined);
        } finally {
          cleaned.push('finally');
        }
      });
      // Cancelling, returning the generator and settling take microtasks, not a timer.
      await new Promise((resolve) => setImmediate(resolve));
      expect(task.state).toBe('cancelled');
      expect(cleaned).toEqual(['finally']);
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
    });
  });

  it('resumes a task parked on another task once, with its outcome, however many wait', async () => {
    await withExecutor(async (ex) => {
      const gate = deferred<number>();
      const child = ex.spawn(function* (): Generator<unknown, number, number> {
        return yield gate.promise;
      });
      const results: unknown[] = [];
      const joiners = [0, 1, 2].map((i) =>
        ex.spawn(function* (): Generator<unknown, number, number> {
          const value = yield child;
          results.push(value + i);
          return value + i;
        }),
      );
      gate.resolve(40);
      expect(await Promise.all(joiners)).toEqual([40, 41, 42]);
      expect(results.sort()).toEqual([40, 41, 42]);
    });
  });
});
