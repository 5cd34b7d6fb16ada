import { describe, expect } from 'vitest';
import type { TaskState } from '@spindle/core';
import { Slot, raise, reach, read } from '../board.js';
import type { Suite } from '../harness.js';
import { outcomeOf, rejectionOf, valueOf } from '../outcome.js';

const states: readonly TaskState[] = ['pending', 'running', 'suspended', 'fulfilled', 'rejected', 'cancelled'];

/** The handle: a real thenable with Promise semantics, a stable id, a name, a readable state. */
export function describeHandleSemantics(suite: Suite): void {
  const mode = suite.preferred;
  describe('the task handle', () => {
    suite.test('then() returns a native promise and chains like one', async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'generatorValue', [20]);
      const chained = handle.then((value) => (value as number) + 1);
      expect(chained).toBeInstanceOf(Promise);
      expect(await chained.then((value) => value * 2)).toBe(42);
      expect(await handle.then()).toBe(20);
      expect(await handle.then(undefined, () => 'not called')).toBe(20);
    });

    suite.test('catch() and finally() behave as on a promise, for fulfilment and rejection', async () => {
      const ex = suite.executor();
      const ok = suite.spawn(ex, mode, 'plainValue', ['ok']);
      const bad = suite.spawn(ex, mode, 'generatorThrow', ['bad']);
      const calls: string[] = [];
      // Subscribe at once: a rejection nobody listens to is unhandled, as with any promise.
      const caughtOk = ok.catch(() => 'not called');
      const caughtBad = bad.catch((error: unknown) => `recovered from ${(error as Error).message}`);
      const finallyOk = ok.finally(() => calls.push('ok'));
      const finallyBad = outcomeOf(bad.finally(() => calls.push('bad')));
      for (const chained of [caughtOk, caughtBad, finallyOk]) expect(chained).toBeInstanceOf(Promise);
      expect(await caughtOk).toBe('ok');
      expect(await caughtBad).toBe('recovered from bad');
      expect(await finallyOk).toBe('ok');
      const afterFinally = await finallyBad;
      expect(afterFinally.status).toBe('rejected');
      expect((afterFinally as { reason: Error }).reason.message).toBe('bad');
      expect(calls.sort()).toEqual(['bad', 'ok']);
    });

    suite.test('it is assimilated as a thenable: await, Promise.resolve, resolving a promise with it, async return', async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'asyncValue', ['assimilated']);
      expect(await handle).toBe('assimilated');
      expect(await Promise.resolve(handle)).toBe('assimilated');
      expect(await new Promise((resolve) => { resolve(handle); })).toBe('assimilated');
      const viaAsync = async (): Promise<unknown> => suite.spawn(ex, mode, 'plainValue', ['returned']);
      expect(await viaAsync()).toBe('returned');
      const failing = suite.spawn(ex, mode, 'plainThrow', ['assimilated failure']);
      const viaResolve = await outcomeOf(Promise.resolve(failing));
      expect(viaResolve.status).toBe('rejected');
      expect((viaResolve as { reason: Error }).reason.message).toBe('assimilated failure');
    });

    suite.test('Promise.all, allSettled and race accept handles', async () => {
      const ex = suite.executor();
      const handles = [
        suite.spawn(ex, mode, 'plainValue', [1]),
        suite.spawn(ex, mode, 'generatorValue', [2]),
        suite.spawn(ex, mode, 'asyncValue', [3]),
      ];
      expect(await Promise.all(handles)).toEqual([1, 2, 3]);
      const settled = await Promise.allSettled([suite.spawn(ex, mode, 'plainValue', ['fine']), suite.spawn(ex, mode, 'plainThrow', ['broken'])]);
      expect(settled[0]).toEqual({ status: 'fulfilled', value: 'fine' });
      expect(settled[1].status).toBe('rejected');
      const board = suite.board();
      const never = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
      expect(await Promise.race([never, suite.spawn(ex, mode, 'plainValue', ['first'])])).toBe('first');
      raise(board, Slot.release);
      expect(await never).toBe('released');
    });

    suite.test('every subscriber sees the same outcome, however often and however late it subscribes', async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'generatorValue', ['shared']);
      const early = [handle.then((v) => v), handle.then((v) => v)];
      expect(await Promise.all(early)).toEqual(['shared', 'shared']);
      expect(await handle).toBe('shared');
      const failing = suite.spawn(ex, mode, 'generatorThrow', ['shared failure']);
      const first = await rejectionOf(failing);
      const second = await rejectionOf(failing);
      expect(second).toBe(first);
    });

    suite.test('the id is a stable integer, unique per task, and the body sees the same id and name', async () => {
      const ex = suite.executor();
      const handles = Array.from({ length: 50 }, (_, i) => suite.spawn(ex, mode, 'describeSelf', [], { name: `task ${i}` }));
      const ids = handles.map((handle) => handle.id);
      for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      const selves = await Promise.all(handles);
      handles.forEach((handle, i) => {
        expect(handle.id).toBe(ids[i]);
        expect(handle.name).toBe(`task ${i}`);
        expect(selves[i]).toEqual({ id: handle.id, name: `task ${i}`, aborted: false });
      });
      const unnamed = suite.spawn(ex, mode, 'describeSelf', []);
      expect(unnamed.name).toBeUndefined();
      expect(await unnamed).toEqual({ id: unnamed.id, name: null, aborted: false });
    });

    suite.test('the state is readable throughout and ends in the state matching the outcome', async () => {
      const ex = suite.executor();
      const board = suite.board();
      const parked = suite.spawn(ex, mode, 'parkUntilReleased', [board]);
      expect(states).toContain(parked.state);
      expect(['fulfilled', 'rejected', 'cancelled']).not.toContain(parked.state);
      await reach(board, Slot.started);
      // On another thread the body may run before this thread hears that it started.
      expect(suite.capabilities.parallel ? ['pending', 'running', 'suspended'] : ['running', 'suspended']).toContain(parked.state);
      raise(board, Slot.release);
      expect(await parked).toBe('released');
      expect(parked.state).toBe('fulfilled');
      const failed = suite.spawn(ex, mode, 'plainThrow', ['state']);
      await rejectionOf(failed);
      expect(failed.state).toBe('rejected');
    });

    if (!suite.capabilities.parallel) {
      suite.test('spawn returns before the body runs, with the task pending', async () => {
        const ex = suite.executor();
        const board = suite.board();
        const handle = suite.spawn(ex, mode, 'markRan', [board]);
        expect(read(board, Slot.started), 'the body ran inside spawn').toBe(0);
        expect(handle.state).toBe('pending');
        expect(await valueOf(handle)).toBe('ran');
        expect(read(board, Slot.started)).toBe(1);
      });
    }
  });
}
