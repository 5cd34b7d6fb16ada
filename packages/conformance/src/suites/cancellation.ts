import { describe, expect } from 'vitest';
import { isSettledState } from '@spindle/core';
import type { StateMachine, TaskContext } from '@spindle/core';
import { Slot, raise, reach, read } from '../board.js';
import { expectCancellation } from '../expectations.js';
import type { BodyMode, Suite } from '../harness.js';
import { outcomeOf, rejectionOf, valueOf } from '../outcome.js';

function describeMode(suite: Suite, mode: BodyMode): void {
  const byReference = mode === 'reference';
  describe(mode === 'closure' ? 'closures' : 'task references', () => {
    suite.test('cancel() before the task starts: it rejects with TaskCancelledError, cause = reason' + (suite.capabilities.parallel ? '' : ', and the body never runs'), async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('changed my mind');
      const handle = suite.spawn(ex, mode, 'markRan', [board]);
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      // Give a wrongly scheduled body every chance to run before looking.
      expect(await valueOf(suite.spawn(ex, mode, 'countSteps', [20]))).toBe(20);
      if (!suite.capabilities.parallel) expect(read(board, Slot.started), 'the cancelled body ran').toBe(0);
    });

    const allQueued = suite.capabilities.parallel ? '' : '; on one thread none of them starts';
    suite.test(`cancel() of queued tasks: the body of a task that settled as cancelled never starts${allQueued}`, async () => {
      const ex = suite.executor();
      const count = 64;
      // [0] bodies started, [1] bodies started after the test saw their task settle, [2 + i] task i settled.
      const log = suite.stepLog(count + 1);
      const reason = new Error('cancelled while queued');
      const handles = Array.from({ length: count }, (_, i) => suite.spawn(ex, mode, 'recordStart', [log, i]));
      // Last first: on a parallel executor the last spawned are the likeliest to be still queued.
      for (let i = count - 1; i >= 0; i--) {
        const handle = handles[i];
        if (handle === undefined) continue;
        handle.cancel(reason);
        // Marked as soon as the test can know the task settled: a body that reads the mark
        // began after its task had settled, which no executor may let happen, however its
        // cancellation races with its workers.
        const seen = (): void => {
          Atomics.store(log, 2 + i, 1);
        };
        if (isSettledState(handle.state)) seen();
        else handle.then(seen, seen);
      }
      const outcomes = await Promise.all(handles.map((handle) => outcomeOf(handle)));
      // Whatever the executor still holds runs before a drain ends.
      expect(await valueOf(suite.spawn(ex, mode, 'countSteps', [20]))).toBe(20);
      await ex.close();
      expect(read(log, 1), 'bodies that started after their task had settled as cancelled').toBe(0);
      outcomes.forEach((outcome, i) => {
        const handle = handles[i];
        if (handle === undefined) return;
        // A body that ran before its cancel() (on another thread) may have fulfilled its task.
        if (outcome.status === 'fulfilled') expect(outcome.value, 'a task that fulfilled returned its own index').toBe(i);
        else expectCancellation(outcome.reason, handle, reason);
      });
      const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      expect(read(log, 0), 'every task that fulfilled ran its body').toBeGreaterThanOrEqual(fulfilled);
      if (!suite.capabilities.parallel) expect(read(log, 0), 'bodies of tasks cancelled before the executor ran anything').toBe(0);
    });

    suite.test('an already aborted signal: the task is cancelled with the signal reason and the body never runs', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('aborted before spawn');
      const handle = suite.spawn(ex, mode, 'markRan', [board], { signal: AbortSignal.abort(reason) });
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(await valueOf(suite.spawn(ex, mode, 'countSteps', [20]))).toBe(20);
      expect(read(board, Slot.started), 'the body of a task spawned with an aborted signal ran').toBe(0);
    });

    suite.test('a signal that aborts later cancels the task at its yield point; finally runs first', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const controller = new AbortController();
      const reason = new Error('aborted later');
      const handle = suite.spawn(ex, mode, 'parkUntilReleased', [board], { signal: controller.signal });
      await reach(board, Slot.started);
      controller.abort(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(read(board, Slot.cleanup), 'finally ran before the handle rejected').toBe(1);
    });

    suite.test('cancel() of a task parked at a yield point: finally runs, then it rejects with the reason as cause', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = { why: 'a reason need not be an Error' };
      const handle = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
      await reach(board, Slot.started);
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(read(board, Slot.cleanup)).toBe(1);
    });

    suite.test('cancel() of a task that keeps taking steps stops it at its next yield; finally runs', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('stop spinning');
      const handle = suite.spawn(ex, mode, 'spinUntilStopped', [board]);
      await reach(board, Slot.started);
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(read(board, Slot.cleanup)).toBe(1);
      expect(read(board, Slot.stop), 'the task stopped only because the test told it to').toBe(0);
    });

    suite.test('cancel() of an async body aborts its signal, lets it finish its cleanup, and rejects with the reason', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('async cancel');
      const handle = suite.spawn(ex, mode, 'asyncParkUntilAborted', [board]);
      await reach(board, Slot.started);
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(read(board, Slot.cleanup)).toBe(1);
    });

    suite.test('cancel() of an async body taking turns with ctx.yield(): it settles only after its async cleanup', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('stop taking turns');
      const handle = suite.spawn(ex, mode, 'asyncYieldUntilCancelled', [board]);
      await reach(board, Slot.started);
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(read(board, Slot.cleanup), 'the cleanup had ended when the task settled').toBe(1);
    });

    suite.test('cancel() of a parent cancels its running children; every finally runs before the parent settles', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const reason = new Error('cancel the family');
      const parent = suite.spawn(ex, mode, 'parentOfParkedChildren', [board, 3, byReference]);
      await reach(board, Slot.started, 3);
      parent.cancel(reason);
      expectCancellation(await rejectionOf(parent), parent, reason);
      expect(read(board, Slot.cleanup), 'finally blocks of the children').toBe(3);
      expect(read(board, Slot.parentCleanup), 'finally block of the parent').toBe(1);
    });

    suite.test('cancel() after the task settled does nothing; the first reason wins', async () => {
      const ex = suite.executor();
      const done = suite.spawn(ex, mode, 'plainValue', ['kept']);
      expect(await done).toBe('kept');
      done.cancel(new Error('too late'));
      expect(done.state).toBe('fulfilled');
      expect(await done).toBe('kept');
      const board = suite.board();
      const twice = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
      await reach(board, Slot.started);
      const first = new Error('first');
      twice.cancel(first);
      twice.cancel(new Error('second'));
      expectCancellation(await rejectionOf(twice), twice, first);
    });

    suite.test('cancelling one task leaves the others running, and the executor keeps working', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const doomed = suite.spawn(ex, mode, 'parkUntilReleased', [board, 'doomed']);
      const kept = suite.spawn(ex, mode, 'parkUntilReleased', [board, 'kept']);
      await reach(board, Slot.started, 2);
      const reason = new Error('only this one');
      doomed.cancel(reason);
      expectCancellation(await rejectionOf(doomed), doomed, reason);
      raise(board, Slot.release);
      expect(await valueOf(kept)).toBe('kept');
      expect(await valueOf(suite.spawn(ex, mode, 'generatorValue', ['still working']))).toBe('still working');
    });
  });
}

function describeClosuresOnly(suite: Suite): void {
  describe('closures only', () => {
    suite.test("the body's ctx.signal aborts with the reason when its task is cancelled", async () => {
      const ex = suite.executor();
      const reason = new Error('seen by the body');
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const seen: unknown[] = [];
      const handle = ex.spawn(function* (ctx: TaskContext) {
        ctx.signal.addEventListener('abort', () => seen.push(ctx.signal.reason));
        started();
        try {
          yield new Promise(() => undefined);
        } finally {
          seen.push(ctx.signal.aborted);
        }
      });
      await running;
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(seen).toEqual([reason, true]);
    });

    suite.test("a cancelled state machine's return() runs as its cleanup", async () => {
      const ex = suite.executor();
      const calls: string[] = [];
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const machine: StateMachine<string> = {
        result: 'never',
        next(): PromiseLike<unknown> {
          calls.push('next');
          started();
          return new Promise(() => undefined);
        },
        return(): void {
          calls.push('return');
        },
      };
      const handle = ex.spawn(machine);
      await running;
      const reason = new Error('stop the machine');
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
      expect(calls).toEqual(['next', 'return']);
    });

    suite.test('a state machine without return() is cancelled while it waits', async () => {
      const ex = suite.executor();
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const handle = ex.spawn({
        result: 'never',
        next(): PromiseLike<unknown> {
          started();
          return new Promise(() => undefined);
        },
      });
      await running;
      const reason = new Error('no cleanup needed');
      handle.cancel(reason);
      expectCancellation(await rejectionOf(handle), handle, reason);
    });
  });
}

/** Cancellation: before start, at a yield point, of a parent with children, by signal; cleanup runs; the reason arrives as `cause`. */
export function describeCancellation(suite: Suite): void {
  describe('cancellation', () => {
    for (const mode of suite.modes) describeMode(suite, mode);
    if (suite.capabilities.closures) describeClosuresOnly(suite);
  });
}
