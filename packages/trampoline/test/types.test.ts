import { describe, expectTypeOf, it } from 'vitest';
import type { TaskContext, TaskHandle } from '@spindle/core';
import { TrampolineExecutor, all, join, operation, race, sleep, spawn, taskContext, timeout, until } from '../src/index.js';
import type { Instruction, Operation } from '../src/index.js';

// These checks are made by the type checker (`pnpm typecheck`, and the editor); at run
// time each test only runs the operations once to show they are real.

const getNumber = operation(function* getNumber(n: number) {
  yield* sleep(0);
  return n * 2;
});

const getLabel = operation(function* getLabel(prefix: string) {
  const n = yield* getNumber(1);
  return `${prefix}${n}`;
});

describe('typed yield*', () => {
  it('gives the result of an operation its real type, without casts', async () => {
    expectTypeOf(getNumber).toEqualTypeOf<(n: number) => Operation<number>>();
    expectTypeOf(getNumber).parameters.toEqualTypeOf<[n: number]>();
    const ex = new TrampolineExecutor();
    const handle = ex.spawn(function* () {
      const n = yield* getNumber(1);
      expectTypeOf(n).toEqualTypeOf<number>();
      const label = yield* getLabel('#');
      expectTypeOf(label).toEqualTypeOf<string>();
      const text = yield* until(Promise.resolve('text'));
      expectTypeOf(text).toEqualTypeOf<string>();
      const ctx = yield* taskContext();
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
      return { n, label, text };
    });
    expectTypeOf(handle).toEqualTypeOf<TaskHandle<{ n: number; label: string; text: string }>>();
    await handle;
    expectTypeOf(ex.run(getNumber(2))).toEqualTypeOf<TaskHandle<number>>();
    await ex.close();
  });

  it('types the combinators', async () => {
    const ex = new TrampolineExecutor();
    await ex.spawn(function* () {
      const [a, b, c] = yield* all([getNumber(1), getLabel('x'), Promise.resolve(true)]);
      expectTypeOf(a).toEqualTypeOf<number>();
      expectTypeOf(b).toEqualTypeOf<string>();
      expectTypeOf(c).toEqualTypeOf<boolean>();
      const first = yield* race([getNumber(1), getLabel('y')]);
      expectTypeOf(first).toEqualTypeOf<number | string>();
      const handle = yield* spawn(getLabel('z'));
      expectTypeOf(handle).toEqualTypeOf<TaskHandle<string>>();
      const joined = yield* join(handle);
      expectTypeOf(joined).toEqualTypeOf<string>();
      const limited = yield* timeout(60_000, getNumber(3));
      expectTypeOf(limited).toEqualTypeOf<number>();
      return [a, b, c, first, joined, limited];
    });
    await ex.close();
  });

  it('rejects yields of what the trampoline cannot run in an operation typed with Operation<T>', () => {
    function* typed(): Generator<Instruction, number, unknown> {
      // @ts-expect-error a number is not an instruction
      yield 42;
      // @ts-expect-error neither is a plain object
      yield { value: 1 };
      yield Promise.resolve(1);
      yield;
      return 1;
    }
    expectTypeOf(typed).returns.toExtend<Operation<number>>();
    // A generator function that yields numbers cannot be made an operation.
    // @ts-expect-error yields of number are not instructions
    operation(function* bad() {
      yield 1;
      return 2;
    });
  });
});
