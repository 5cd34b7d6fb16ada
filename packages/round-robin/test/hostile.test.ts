// Hostile input: every bad call gets a clear, typed error at the call that made it (or,
// for what only the task can find out, as its rejection), and the executor keeps working.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExecutorClosedError, InvalidOptionsError, InvalidTaskError, TaskCancelledError, taskRef } from '@spindle/core';
import type { Executor, TaskContext } from '@spindle/core';
import { RoundRobinExecutor } from '../src/index.js';

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

/** The executor still works: a good task (closure and reference) runs after the bad input. */
async function stillWorks(ex: Executor): Promise<void> {
  expect(await ex.spawn((_ctx: TaskContext, n: number) => n + 1, [41])).toBe(42);
  expect(await ex.spawn(ref('echo') as never, ['fine'] as never)).toBe('fine');
}

describe('round-robin under hostile input', () => {
  const make = (): RoundRobinExecutor => new RoundRobinExecutor();

  it('non-cloneable arguments to a task reference: InvalidTaskError (not-cloneable) from spawn, naming the argument', async () => {
    const ex = make();
    const error = thrownBy(() => ex.spawn(ref('echo') as never, [1, { method: () => 0 }] as never));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as InvalidTaskError).code).toBe('not-cloneable');
    expect((error as InvalidTaskError).argumentIndex).toBe(1);
    const symbolError = thrownBy(() => ex.spawn(ref('echo') as never, [Symbol('s')] as never));
    expect((symbolError as InvalidTaskError).code).toBe('not-cloneable');
    // Closures take their arguments by reference: anything goes.
    expect(await ex.spawn((_ctx: TaskContext, o: { method(): number }) => o.method(), [{ method: () => 7 }])).toBe(7);
    await stillWorks(ex);
    await ex.close();
  });

  it('huge arguments (64 MiB buffer, 16 MiB string) pass through intact', async () => {
    const ex = make();
    expect(await ex.spawn(ref('sizeOf') as never, [new Uint8Array(64 << 20)] as never)).toBe(64 << 20);
    expect(await ex.spawn((_ctx: TaskContext, s: string) => s.length, ['x'.repeat(16 << 20)])).toBe(16 << 20);
    await stillWorks(ex);
    await ex.close();
  });

  it('a reference to a missing module, a missing export or a non-function export: the task rejects with InvalidTaskError (unknown-reference)', async () => {
    const ex = make();
    for (const bad of [taskRef('file:///nowhere/missing-module.mjs', 'body'), ref('noSuchExport'), ref('notAFunction')]) {
      const error = await rejection(ex.spawn(bad as never));
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('unknown-reference');
    }
    // Malformed references are refused by taskRef itself.
    expect(thrownBy(() => taskRef('relative/path.mjs', 'x'))).toBeInstanceOf(InvalidTaskError);
    expect(thrownBy(() => taskRef(fixtures, ''))).toBeInstanceOf(InvalidTaskError);
    await stillWorks(ex);
    await ex.close();
  });

  it('bodies that throw a string, undefined or a frozen object reject with that very value', async () => {
    const ex = make();
    const frozen = Object.freeze({ code: 42 });
    const throwing = (value: unknown) => (): never => {
      throw value;
    };
    const throwers: (readonly [() => unknown, unknown])[] = [
      [throwing('a string'), 'a string'],
      [throwing(undefined), undefined],
      [throwing(frozen), frozen],
    ];
    for (const [body, value] of throwers) {
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
    expect(await rejection(ex.spawn(ref('throwsNonError') as never, ['string'] as never))).toBe('a thrown string');
    expect(await rejection(ex.spawn(ref('throwsNonError') as never, ['undefined'] as never))).toBeUndefined();
    expect(await rejection(ex.spawn(ref('throwsNonError') as never, ['frozen'] as never))).toEqual({ code: 42, frozen: true });
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
    await stillWorks(ex);
    await ex.close();
  });

  it('a thenable that calls back twice counts once; one that throws from then() rejects the task with that error', async () => {
    const ex = make();
    for (const name of ['yieldsThenable', 'awaitsThenable', 'returnsThenable']) {
      expect(await ex.spawn(ref(name) as never, ['twice'] as never)).toBe('first');
      const error = await rejection(ex.spawn(ref(name) as never, ['throws'] as never));
      expect((error as Error).message).toBe('then threw');
    }
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
    await stillWorks(ex);
    await ex.close();
  });

  it('an AbortSignal already aborted: the task is cancelled with its reason as cause and the body never runs', async () => {
    const ex = make();
    const controller = new AbortController();
    const reason = new Error('aborted before spawn');
    controller.abort(reason);
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
    const refError = await rejection(ex.spawn(ref('echo') as never, [1] as never, { signal: controller.signal }));
    expect((refError as TaskCancelledError).cause).toBe(reason);
    expect(ran).toBe(0);
    await stillWorks(ex);
    await ex.close();
  });

  it('bad bodies, arguments and spawn options: InvalidTaskError from spawn', async () => {
    const ex = make();
    const cases: (readonly [() => unknown, string])[] = [
      [() => ex.spawn(42 as never), 'not-a-body'],
      [() => ex.spawn(null as never), 'not-a-body'],
      [() => ex.spawn((function* () { yield undefined; })() as never), 'not-a-body'], // prettier-ignore
      [() => ex.spawn((async function* () { await Promise.resolve(); yield undefined; }) as never), 'not-a-body'], // prettier-ignore
      [() => ex.spawn(() => 1, 'not an array' as never), 'invalid-options'],
      [() => ex.spawn(() => 1, [], { signal: {} as AbortSignal }), 'invalid-options'],
      [() => ex.spawn(() => 1, [], { name: 7 as unknown as string }), 'invalid-options'],
      [() => ex.spawn(() => 1, [], 'options' as never), 'invalid-options'],
    ];
    for (const [call, code] of cases) {
      const error = thrownBy(call);
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe(code);
    }
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
    await stillWorks(ex);
    await ex.close();
  });

  it('absurd executor and close options: InvalidOptionsError naming the option', async () => {
    for (const sliceMs of [-1, 0, Number.NaN, Infinity, -Infinity, 1e9, '5', null]) {
      const error = thrownBy(() => new RoundRobinExecutor({ sliceMs: sliceMs as number }));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).option).toBe('sliceMs');
    }
    expect((thrownBy(() => new RoundRobinExecutor({ label: 5 as unknown as string })) as InvalidOptionsError).option).toBe('label');
    expect(thrownBy(() => new RoundRobinExecutor('fast' as never))).toBeInstanceOf(InvalidOptionsError);
    const ex = make();
    const error = thrownBy(() => ex.close({ mode: 'explode' as never }));
    expect((error as InvalidOptionsError).option).toBe('mode');
    await stillWorks(ex);
    await ex.close();
  });

  it('a closed executor refuses work with ExecutorClosedError; close() again is harmless', async () => {
    const ex = make();
    await ex.close();
    expect(thrownBy(() => ex.spawn(() => 1))).toBeInstanceOf(ExecutorClosedError);
    expect(thrownBy(() => ex.spawn(ref('echo') as never, [1] as never))).toBeInstanceOf(ExecutorClosedError);
    // close() again is harmless.
    await ex.close();
    await ex.close({ mode: 'cancel' });
  });
});
