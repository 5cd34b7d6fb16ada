import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { join, operation, spawn } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { deferred, withExecutor } from './helpers.js';

describe('AsyncLocalStorage', () => {
  it('a task woken synchronously by code running in another task resumes in its own context', async () => {
    await withExecutor(async (ex) => {
      const storage = new AsyncLocalStorage<string>();
      // A hand-rolled signal: whoever calls wake() runs A's callback synchronously, in B's context.
      let wake: ((value: string) => void) | undefined;
      const signal = {
        then(onFulfilled: (value: string) => void): void {
          wake = onFulfilled;
        },
      };
      const seen: (string | undefined)[] = [];
      const a = storage.run('A', () =>
        ex.spawn(function* () {
          seen.push(storage.getStore());
          const value: string = yield signal;
          seen.push(storage.getStore(), value);
          yield;
          seen.push(storage.getStore());
        }),
      );
      const b = storage.run('B', () =>
        ex.spawn(function* () {
          while (wake === undefined) yield;
          wake('from B');
          yield;
          return storage.getStore();
        }),
      );
      await Promise.all([a, b]);
      expect(seen).toEqual(['A', 'A', 'from B', 'A']);
      expect(await b).toBe('B');
    });
  });

  it('keeps each task in its own context across yield*, joins and children spawned in other contexts', async () => {
    await withExecutor(async (ex) => {
      const storage = new AsyncLocalStorage<string>();
      const where = operation(function* where(): Generator<Instruction, string | undefined, unknown> {
        yield Promise.resolve();
        return storage.getStore();
      });
      const task = storage.run('parent', () =>
        ex.spawn(function* () {
          const child = storage.run('child', () => ex.spawn(function* () {
            return yield* where();
          }));
          const own = yield* spawn(where());
          const fromChild = yield* join(child);
          const fromOwn = yield* join(own);
          return [yield* where(), fromChild, fromOwn];
        }),
      );
      expect(await task).toEqual(['parent', 'child', 'parent']);
    });
  });

  it('resumes a task whose promise was resolved from outside any context in its own', async () => {
    await withExecutor(async (ex) => {
      const storage = new AsyncLocalStorage<string>();
      const gate = deferred();
      const task = storage.run('mine', () =>
        ex.spawn(function* () {
          yield gate.promise;
          return storage.getStore();
        }),
      );
      storage.run('other', () => {
        gate.resolve();
      });
      expect(await task).toBe('mine');
    });
  });
});
