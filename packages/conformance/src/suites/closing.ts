import { describe, expect } from 'vitest';
import { ExecutorClosedError, TaskCancelledError, isSettledState } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { Slot, raise, reach, read } from '../board.js';
import { expectCancellation, thrownBy } from '../expectations.js';
import type { BodyMode, Suite } from '../harness.js';
import { outcomeOf, rejectionOf, valueOf } from '../outcome.js';

function unsettled(handles: readonly TaskHandle<unknown>[]): string[] {
  return handles.filter((handle) => !isSettledState(handle.state)).map((handle) => `task ${handle.id} (${handle.name ?? 'unnamed'}) is still ${handle.state}`);
}

function describeSpawnAfterClose(suite: Suite, mode: BodyMode): void {
  suite.test(`spawn of ${mode === 'closure' ? 'a closure' : 'a task reference'} after close() throws ExecutorClosedError at once, while draining and after`, async () => {
    const ex = suite.executor();
    const board = suite.board();
    const parked = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
    await reach(board, Slot.started);
    const closing = ex.close();
    expect(ex.closed).toBe(true);
    const whileDraining = thrownBy(() => suite.spawn(ex, mode, 'plainValue', ['refused']));
    expect(whileDraining).toBeInstanceOf(ExecutorClosedError);
    expect((whileDraining as ExecutorClosedError).executor).toBe(ex.label);
    raise(board, Slot.release);
    await closing;
    expect(await valueOf(parked)).toBe('released');
    const afterClose = thrownBy(() => suite.spawn(ex, mode, 'plainValue', ['refused']));
    expect(afterClose).toBeInstanceOf(ExecutorClosedError);
  });
}

/** `close()` in drain and cancel modes, `Symbol.asyncDispose`, spawn after close, and nothing accepted lost. */
export function describeClosing(suite: Suite): void {
  const mode = suite.preferred;
  const byReference = mode === 'reference';
  describe('close()', () => {
    suite.test('drain mode stops intake at once, lets every accepted task settle with its own outcome, then resolves', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const handles = [
        suite.spawn(ex, mode, 'plainValue', ['plain'], { name: 'plain' }),
        suite.spawn(ex, mode, 'generatorValue', ['generator'], { name: 'generator' }),
        suite.spawn(ex, mode, 'asyncValue', ['async'], { name: 'async' }),
        suite.spawn(ex, mode, 'parkUntilReleased', [board, 'parked'], { name: 'parked' }),
        suite.spawn(ex, mode, 'fib', [8, byReference], { name: 'fork-join' }),
        suite.spawn(ex, mode, 'generatorThrow', ['drained failure'], { name: 'failing' }),
      ];
      const outcomes = Promise.all(handles.map((handle) => outcomeOf(handle)));
      await reach(board, Slot.started);
      const closing = ex.close();
      expect(ex.closed, 'closed is true as soon as close() is called').toBe(true);
      raise(board, Slot.release);
      await closing;
      expect(unsettled(handles), 'close() resolved while accepted tasks were unsettled').toEqual([]);
      const settled = await outcomes;
      expect(settled.slice(0, 5)).toEqual([
        { status: 'fulfilled', value: 'plain' },
        { status: 'fulfilled', value: 'generator' },
        { status: 'fulfilled', value: 'async' },
        { status: 'fulfilled', value: 'parked' },
        { status: 'fulfilled', value: 21 },
      ]);
      expect(settled[5]?.status).toBe('rejected');
      expect((settled[5] as { reason: Error }).reason.message).toBe('drained failure');
    });

    suite.test('drain mode lets accepted tasks spawn and join children while it drains', async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'fib', [12, byReference]);
      const result = valueOf(handle);
      await ex.close();
      expect(handle.state).toBe('fulfilled');
      expect(await result).toBe(144);
    });

    suite.test('cancel mode cancels every unsettled task with the reason, waits for their cleanup, then resolves', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const untouched = suite.board();
      const handles = [
        suite.spawn(ex, mode, 'parkUntilReleased', [board], { name: 'parked' }),
        suite.spawn(ex, mode, 'spinUntilStopped', [board], { name: 'spinning' }),
        suite.spawn(ex, mode, 'asyncParkUntilAborted', [board], { name: 'async' }),
        suite.spawn(ex, mode, 'parentOfParkedChildren', [board, 2, byReference], { name: 'parent' }),
      ];
      const rejections = Promise.all(handles.map((handle) => rejectionOf(handle)));
      await reach(board, Slot.started, 5);
      // Not started yet when close() is called (on one thread, at least).
      const pending = suite.spawn(ex, mode, 'markRan', [untouched], { name: 'pending' });
      const pendingOutcome = outcomeOf(pending);
      const reason = new Error('shutting down');
      await ex.close({ mode: 'cancel', reason });
      expect(unsettled([...handles, pending]), 'close() resolved while accepted tasks were unsettled').toEqual([]);
      const errors = await rejections;
      handles.forEach((handle, i) => {
        expectCancellation(errors[i], handle, reason);
      });
      expect(read(board, Slot.cleanup), 'finally blocks of parked, spinning, async and two children').toBe(5);
      expect(read(board, Slot.parentCleanup)).toBe(1);
      if (!suite.capabilities.parallel) {
        const outcome = await pendingOutcome;
        expect(outcome.status).toBe('rejected');
        expectCancellation((outcome as { reason: unknown }).reason, pending, reason);
        expect(read(untouched, Slot.started), 'a task cancelled by close() before it started ran').toBe(0);
      } else {
        await pendingOutcome;
      }
    });

    suite.test('cancel mode without a reason still cancels with TaskCancelledError', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const handle = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
      const rejection = rejectionOf(handle);
      await reach(board, Slot.started);
      await ex.close({ mode: 'cancel' });
      expect(await rejection).toBeInstanceOf(TaskCancelledError);
      expect(handle.state).toBe('cancelled');
      expect(read(board, Slot.cleanup)).toBe(1);
    });

    suite.test('close() is idempotent, and closing an idle executor resolves', async () => {
      const ex = suite.executor();
      expect(ex.closed).toBe(false);
      const handle = suite.spawn(ex, mode, 'generatorValue', ['once']);
      const result = valueOf(handle);
      const first = ex.close();
      const second = ex.close();
      await Promise.all([first, second]);
      await ex.close();
      expect(ex.closed).toBe(true);
      expect(await result).toBe('once');
      const idle = suite.executor();
      await idle.close();
      expect(idle.closed).toBe(true);
    });

    suite.test('Symbol.asyncDispose drains like close()', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const handle = suite.spawn(ex, mode, 'parkUntilReleased', [board, 'disposed']);
      const result = valueOf(handle);
      await reach(board, Slot.started);
      const disposing = ex[Symbol.asyncDispose]();
      expect(ex.closed).toBe(true);
      raise(board, Slot.release);
      await disposing;
      expect(handle.state).toBe('fulfilled');
      expect(await result).toBe('disposed');
      expect(thrownBy(() => suite.spawn(ex, mode, 'plainValue', [1]))).toBeInstanceOf(ExecutorClosedError);
    });

    for (const each of suite.modes) describeSpawnAfterClose(suite, each);

    suite.test('nothing accepted is lost: thousands of tasks of every kind, close() right after spawning them', async () => {
      const ex = suite.executor();
      const count = Math.min(3_000, suite.options.tasks);
      const handles: TaskHandle<unknown>[] = [];
      const expected: unknown[] = [];
      for (let i = 0; i < count; i++) {
        switch (i % 5) {
          case 0:
            handles.push(suite.spawn(ex, mode, 'plainValue', [i]));
            expected.push(i);
            break;
          case 1:
            handles.push(suite.spawn(ex, mode, 'oneYield', [i]));
            expected.push(i);
            break;
          case 2:
            handles.push(suite.spawn(ex, mode, 'asyncValue', [i]));
            expected.push(i);
            break;
          case 3:
            handles.push(suite.spawn(ex, mode, 'countSteps', [i % 17]));
            expected.push(i % 17);
            break;
          default:
            handles.push(suite.spawn(ex, mode, 'generatorJoinsChild', [i, byReference]));
            expected.push(i);
        }
      }
      const values = Promise.all(handles.map((handle) => valueOf(handle)));
      await ex.close();
      const lost = unsettled(handles);
      expect(lost.length, `${lost.length} of ${count} accepted tasks were unsettled when close() resolved: ${lost.slice(0, 3).join('; ')}`).toBe(0);
      expect(await values).toEqual(expected);
    });
  });
}
