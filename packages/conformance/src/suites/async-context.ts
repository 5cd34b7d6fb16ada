import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect } from 'vitest';
import type { Executor, StateMachine, TaskContext, TaskHandle } from '@spindle/core';
import type { Suite } from '../harness.js';
import { valueOf } from '../outcome.js';

interface Gate {
  readonly promise: Promise<void>;
  readonly open: () => void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

type Kind = 'generator' | 'async' | 'state-machine';

/**
 * A task that records its store, parks on `wait`, records again after it is woken, takes
 * one more step and records once more.
 */
function sleeper(ex: Executor, storage: AsyncLocalStorage<string>, kind: Kind, wait: Gate): TaskHandle<(string | undefined)[]> {
  const seen: (string | undefined)[] = [];
  switch (kind) {
    case 'generator':
      return ex.spawn(function* () {
        seen.push(storage.getStore());
        yield wait.promise;
        seen.push(storage.getStore());
        yield;
        seen.push(storage.getStore());
        return seen;
      });
    case 'async':
      return ex.spawn(async (ctx: TaskContext) => {
        seen.push(storage.getStore());
        await wait.promise;
        seen.push(storage.getStore());
        await ctx.yield();
        seen.push(storage.getStore());
        return seen;
      });
    case 'state-machine': {
      let step = 0;
      const machine: StateMachine<(string | undefined)[]> = {
        result: seen,
        next: () => {
          seen.push(storage.getStore());
          step++;
          return step === 1 ? wait.promise : step === 2 ? false : true;
        },
      };
      return ex.spawn(machine);
    }
  }
}

/** A task that records its store, opens `wake` from inside its own context, and records again. */
function waker(ex: Executor, storage: AsyncLocalStorage<string>, wake: Gate): TaskHandle<(string | undefined)[]> {
  return ex.spawn(function* () {
    const seen = [storage.getStore()];
    yield;
    wake.open();
    seen.push(storage.getStore());
    yield;
    seen.push(storage.getStore());
    return seen;
  });
}

/** AsyncLocalStorage: every step of a task runs in the context it was spawned in. */
export function describeAsyncContext(suite: Suite): void {
  if (!suite.capabilities.closures) return;
  describe('AsyncLocalStorage', () => {
    for (const kind of ['generator', 'async', 'state-machine'] as const) {
      suite.test(`a ${kind} task woken by code running in another task's context still sees its own store`, async () => {
        const ex = suite.executor();
        const storage = new AsyncLocalStorage<string>();
        const wake = gate();
        const a = storage.run('A', () => sleeper(ex, storage, kind, wake));
        const b = storage.run('B', () => waker(ex, storage, wake));
        const [seenByA, seenByB] = await Promise.all([valueOf(a), valueOf(b)]);
        expect(seenByA).toEqual(['A', 'A', 'A']);
        expect(seenByB).toEqual(['B', 'B', 'B']);
      });
    }

    suite.test('a task woken from outside any store, or from a different store, keeps its own', async () => {
      const ex = suite.executor();
      const storage = new AsyncLocalStorage<string>();
      const first = gate();
      const second = gate();
      const a = storage.run('A', () => sleeper(ex, storage, 'generator', first));
      const c = storage.run('C', () => sleeper(ex, storage, 'async', second));
      storage.exit(() => {
        setImmediate(() => {
          first.open();
        });
      });
      storage.run('elsewhere', () => {
        setImmediate(() => {
          second.open();
        });
      });
      expect(await valueOf(a)).toEqual(['A', 'A', 'A']);
      expect(await valueOf(c)).toEqual(['C', 'C', 'C']);
    });

    suite.test('children inherit the store of the task that spawned them; tasks spawned outside any store see none', async () => {
      const ex = suite.executor();
      const storage = new AsyncLocalStorage<string>();
      const child = function* (): Generator<undefined, (string | undefined)[]> {
        const seen = [storage.getStore()];
        yield;
        seen.push(storage.getStore());
        return seen;
      };
      const parent = storage.run('parent', () =>
        ex.spawn(function* (ctx: TaskContext): Generator<unknown, (string | undefined)[], (string | undefined)[]> {
          const handle = ctx.spawn(child);
          const fromChild = yield ctx.join(handle);
          return [storage.getStore(), ...fromChild];
        }),
      );
      const outside = ex.spawn(child);
      expect(await valueOf(parent)).toEqual(['parent', 'parent', 'parent']);
      expect(await valueOf(outside)).toEqual([undefined, undefined]);
    });
  });
}
