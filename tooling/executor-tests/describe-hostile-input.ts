// Hostile input, written once for every executor: each bad call gets a clear, typed error at
// the call that made it (or, for what only the task can find out, as the task's rejection),
// and the executor keeps running good work. Task references run everywhere; the cases with
// closures run on executors whose capabilities say they take closures. What only one
// executor has (the pool's slots and workers, say) stays in that executor's own test file.
//
// TypeScript that Vitest compiles when a test imports it; `vitest` and the linters come from
// the workspace root.
import { describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, InvalidTaskError, TaskCancelledError, taskRef } from '@spindle/core';
import type { Executor, TaskContext, TaskReference } from '@spindle/core';

/** The task bodies of hostile-fixtures.mjs, by reference. */
export const hostileFixtures = new URL('./hostile-fixtures.mjs', import.meta.url);

/** A reference to a body of hostile-fixtures.mjs (they take and return anything). */
export function hostileRef(name: string): TaskReference {
  return taskRef<(ctx: TaskContext, ...args: unknown[]) => unknown>(hostileFixtures, name);
}

/** What `handle` rejected with; fails if it fulfilled. */
export async function rejection(handle: PromiseLike<unknown>): Promise<unknown> {
  return handle.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (reason: unknown) => reason,
  );
}

/** What `call` threw, synchronously; fails if it returned. */
export function thrownBy(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

export interface HostileInputOptions<E extends Executor> {
  /** A new executor; each test closes the one it made. */
  readonly make: () => E;
  /** The executor's constructor called with anything at all (for the absurd-options case). */
  readonly construct: (options: unknown) => unknown;
  /** Constructor options that must be refused, each with the option `InvalidOptionsError` must name. */
  readonly absurdOptions: readonly (readonly [options: unknown, option: string])[];
  /**
   * Checks after every case that the executor still runs good work. The default runs a
   * reference (and a closure, where closures are taken).
   */
  readonly stillWorks?: (executor: E) => Promise<void>;
}

/** Absurd `sliceMs` values, for the executors that take core's time-slice options. */
export const absurdSliceOptions = [-1, 0, Number.NaN, Infinity, -Infinity, 1e9, '5', null].map((sliceMs) => [{ sliceMs }, 'sliceMs'] as const);

const echo = hostileRef('echo');

async function defaultStillWorks(executor: Executor): Promise<void> {
  expect(await executor.spawn(echo, ['fine'])).toBe('fine');
  if (executor.capabilities.closures) expect(await executor.spawn((_ctx: TaskContext, n: number) => n + 1, [41])).toBe(42);
}

/** Registers the hostile-input tests for one executor. */
export function describeHostileInput<E extends Executor>(name: string, options: HostileInputOptions<E>): void {
  const stillWorks = options.stillWorks ?? defaultStillWorks;

  /** Runs `body` on a new executor, checks that it still works afterwards, and closes it. */
  const withExecutor = (body: (executor: E) => Promise<void> | void) => async (): Promise<void> => {
    const executor = options.make();
    try {
      await body(executor);
      await stillWorks(executor);
    } finally {
      await executor.close();
    }
  };

  describe(`${name} under hostile input (shared cases)`, () => {
    it(
      'non-cloneable arguments to a task reference: InvalidTaskError (not-cloneable) from spawn, naming the argument',
      withExecutor(async (ex) => {
        const cases: unknown[][] = [[1, { method: () => 0 }], [() => 1], [Symbol('s')], [new WeakMap()]];
        for (const args of cases) {
          const error = thrownBy(() => ex.spawn(echo, args));
          expect(error).toBeInstanceOf(InvalidTaskError);
          expect((error as InvalidTaskError).code).toBe('not-cloneable');
          expect((error as InvalidTaskError).argumentIndex).toBe(args.length - 1);
        }
        // Closures take their arguments by reference: anything goes.
        if (ex.capabilities.closures) {
          expect(await ex.spawn((_ctx: TaskContext, o: { method(): number }) => o.method(), [{ method: () => 7 }])).toBe(7);
        }
      }),
    );

    it(
      'a 64 MiB buffer argument passes through intact (and a 16 MiB string to a closure)',
      withExecutor(async (ex) => {
        expect(await ex.spawn(hostileRef('sizeOf'), [new Uint8Array(64 << 20)])).toBe(64 << 20);
        if (ex.capabilities.closures) expect(await ex.spawn((_ctx: TaskContext, s: string) => s.length, ['x'.repeat(16 << 20)])).toBe(16 << 20);
      }),
    );

    it(
      'a reference to a missing module, a missing export or a non-function export: the task rejects with InvalidTaskError (unknown-reference)',
      withExecutor(async (ex) => {
        for (const bad of [taskRef('file:///nowhere/missing-module.mjs', 'body'), hostileRef('noSuchExport'), hostileRef('notAFunction')]) {
          const error = await rejection(ex.spawn(bad));
          expect(error).toBeInstanceOf(InvalidTaskError);
          expect((error as InvalidTaskError).code).toBe('unknown-reference');
        }
        // Malformed references are refused by taskRef itself.
        expect(thrownBy(() => taskRef('relative/path.mjs', 'x'))).toBeInstanceOf(InvalidTaskError);
        expect(thrownBy(() => taskRef(hostileFixtures, ''))).toBeInstanceOf(InvalidTaskError);
      }),
    );

    it(
      'bodies that throw a string, undefined or a frozen object reject with that value',
      withExecutor(async (ex) => {
        const throwsNonError = hostileRef('throwsNonError');
        expect(await rejection(ex.spawn(throwsNonError, ['string']))).toBe('a thrown string');
        expect(await rejection(ex.spawn(throwsNonError, ['undefined']))).toBeUndefined();
        // Equal, not the same object: a thread-crossing executor delivers a clone.
        expect(await rejection(ex.spawn(throwsNonError, ['frozen']))).toEqual({ code: 42, frozen: true });
        if (!ex.capabilities.closures) return;
        const frozen = Object.freeze({ code: 42 });
        const throwing = (value: unknown) => (): never => {
          throw value;
        };
        for (const value of ['a string', undefined, frozen]) {
          const body = throwing(value);
          expect(await rejection(ex.spawn(body))).toBe(value);
          expect(
            await rejection(
              ex.spawn(function* () {
                yield undefined;
                body();
              }),
            ),
          ).toBe(value);
          expect(
            await rejection(
              ex.spawn(async (ctx: TaskContext) => {
                await ctx.yield();
                body();
              }),
            ),
          ).toBe(value);
        }
        // A parent whose unjoined child throws a non-Error fails with that value.
        expect(
          await rejection(
            ex.spawn(function* (ctx: TaskContext) {
              ctx.spawn(throwing('child string'));
              yield ctx.yield();
              yield ctx.yield();
            }),
          ),
        ).toBe('child string');
      }),
    );

    it(
      'a thenable that calls back twice counts once; one that throws from then() rejects the task with that error',
      withExecutor(async (ex) => {
        for (const body of ['yieldsThenable', 'awaitsThenable', 'returnsThenable']) {
          expect(await ex.spawn(hostileRef(body), ['twice'])).toBe('first');
          const error = await rejection(ex.spawn(hostileRef(body), ['throws']));
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toBe('then threw');
        }
        if (!ex.capabilities.closures) return;
        // The same from a state machine that returns a hostile thenable from next().
        let calls = 0;
        const machine = {
          result: 'done',
          next(): boolean | PromiseLike<unknown> {
            calls++;
            if (calls > 1) return true;
            const hostile = {
              then(onFulfilled: (value: unknown) => void, onRejected: (reason: unknown) => void): void {
                onFulfilled(1);
                onFulfilled(2);
                onRejected(new Error('late'));
              },
            };
            return hostile as unknown as PromiseLike<unknown>;
          },
        };
        expect(await ex.spawn(machine)).toBe('done');
        expect(calls).toBe(2);
      }),
    );

    it(
      'an AbortSignal already aborted: the task is cancelled with its reason as cause and the body never runs',
      withExecutor(async (ex) => {
        const controller = new AbortController();
        const reason = new Error('aborted before spawn');
        controller.abort(reason);
        const refError = await rejection(ex.spawn(echo, [1], { signal: controller.signal }));
        expect(refError).toBeInstanceOf(TaskCancelledError);
        expect((refError as TaskCancelledError).cause).toBe(reason);
        if (!ex.capabilities.closures) return;
        let ran = 0;
        const bodies = [
          () => ran++,
          function* () {
            ran++;
            yield undefined;
          },
          async () => {
            ran++;
            await Promise.resolve();
          },
        ];
        for (const body of bodies) {
          const error = await rejection(ex.spawn(body, [], { signal: controller.signal }));
          expect(error).toBeInstanceOf(TaskCancelledError);
          expect((error as TaskCancelledError).cause).toBe(reason);
        }
        expect(ran).toBe(0);
      }),
    );

    it(
      'bad bodies, arguments and spawn options: InvalidTaskError from spawn',
      withExecutor(async (ex) => {
        const cases: (readonly [() => unknown, string])[] = [
          [() => ex.spawn(42 as never), 'not-a-body'],
          [() => ex.spawn(null as never), 'not-a-body'],
          [() => ex.spawn((function* () { yield undefined; })() as never), 'not-a-body'], // prettier-ignore
          [() => ex.spawn((async function* () { await Promise.resolve(); yield undefined; }) as never), 'not-a-body'], // prettier-ignore
          [() => ex.spawn(echo, 'not an array' as never), 'invalid-options'],
          [() => ex.spawn(echo, [1], { signal: {} as AbortSignal }), 'invalid-options'],
          [() => ex.spawn(echo, [1], { name: 7 as unknown as string }), 'invalid-options'],
          [() => ex.spawn(echo, [1], 'options' as never), 'invalid-options'],
        ];
        for (const [call, code] of cases) {
          const error = thrownBy(call);
          expect(error).toBeInstanceOf(InvalidTaskError);
          expect((error as InvalidTaskError).code).toBe(code);
        }
        if (!ex.capabilities.closures) return;
        const closureCases: (() => unknown)[] = [
          () => ex.spawn(() => 1, 'not an array' as never),
          () => ex.spawn(() => 1, [], { signal: {} as AbortSignal }),
          () => ex.spawn(() => 1, [], { name: 7 as unknown as string }),
          () => ex.spawn(() => 1, [], 'options' as never),
        ];
        for (const call of closureCases) expect((thrownBy(call) as InvalidTaskError).code).toBe('invalid-options');
        // The same from inside a body: ctx.spawn throws at the call; the parent catches and goes on.
        const inner = await ex.spawn((ctx: TaskContext) => {
          try {
            ctx.spawn(42 as never);
            return 'no error';
          } catch (error) {
            return (error as InvalidTaskError).code;
          }
        });
        expect(inner).toBe('not-a-body');
      }),
    );

    it(
      'absurd executor and close options: InvalidOptionsError naming the option',
      withExecutor((ex) => {
        for (const [bad, option] of options.absurdOptions) {
          const error = thrownBy(() => options.construct(bad));
          expect(error, JSON.stringify(bad)).toBeInstanceOf(InvalidOptionsError);
          expect((error as InvalidOptionsError).option).toBe(option);
        }
        expect(thrownBy(() => options.construct('fast'))).toBeInstanceOf(InvalidOptionsError);
        expect((thrownBy(() => ex.close({ mode: 'explode' as never })) as InvalidOptionsError).option).toBe('mode');
      }),
    );

    it('a closed executor refuses work with ExecutorClosedError; close() again is harmless', async () => {
      const ex = options.make();
      await stillWorks(ex);
      await ex.close();
      expect(thrownBy(() => ex.spawn(echo, [1]))).toBeInstanceOf(ExecutorClosedError);
      if (ex.capabilities.closures) expect(thrownBy(() => ex.spawn(() => 1))).toBeInstanceOf(ExecutorClosedError);
      await ex.close();
      await ex.close({ mode: 'cancel' });
    });
  });
}
