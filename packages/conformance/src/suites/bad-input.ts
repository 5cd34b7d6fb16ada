import { pathToFileURL } from 'node:url';
import { describe, expect } from 'vitest';
import { InvalidTaskError, taskRef } from '@spindle/core';
import type { Executor, Spawnable } from '@spindle/core';
import { expectInvalidTask, thrownBy } from '../expectations.js';
import type { BodyMode, Suite } from '../harness.js';
import { rejectionOf, valueOf } from '../outcome.js';

/** After bad input the executor must still run good work. */
async function expectStillWorking(suite: Suite, ex: Executor, mode: BodyMode): Promise<void> {
  expect(await valueOf(suite.spawn(ex, mode, 'generatorValue', ['still working']))).toBe('still working');
}

/** Spawns through the untyped door, as JavaScript callers can. */
function spawnRaw(ex: Executor, body: unknown, args?: unknown, options?: unknown): unknown {
  return (ex.spawn as (body: unknown, args?: unknown, options?: unknown) => unknown)(body, args, options);
}

async function* asyncGeneratorBody(): AsyncGenerator<number> {
  yield await Promise.resolve(1);
}

function* generatorBody(): Generator<number> {
  yield 1;
}

const notBodies: readonly (readonly [string, unknown])[] = [
  ['a number', 42],
  ['a string', 'not a body'],
  ['null', null],
  ['undefined', undefined],
  ['an object without next()', { run: () => 1 }],
  ['an object whose next is not a function', { next: 1 }],
  ['an async generator function', asyncGeneratorBody],
  ['a generator object instead of its function', generatorBody()],
];

/** Bad input: typed errors at the call that made them, and the executor keeps working. */
export function describeBadInput(suite: Suite): void {
  const closures = suite.capabilities.closures;
  describe('bad input', () => {
    suite.test('a value that is not a body: spawn throws InvalidTaskError (not-a-body) at once', async () => {
      const ex = suite.executor();
      for (const [what, body] of notBodies) {
        const error = thrownBy(() => spawnRaw(ex, body));
        expect(error, what).toBeInstanceOf(InvalidTaskError);
        expect((error as InvalidTaskError).code, what).toBe('not-a-body');
      }
      await expectStillWorking(suite, ex, 'reference');
      if (closures) await expectStillWorking(suite, ex, 'closure');
    });

    if (!closures) {
      suite.test('this executor takes task references only: a closure is refused with InvalidTaskError (not-a-body)', async () => {
        const ex = suite.executor();
        expectInvalidTask(thrownBy(() => ex.spawn(() => 1)), 'not-a-body');
        expectInvalidTask(thrownBy(() => ex.spawn(suite.fixtures.generatorValue, ['x'])), 'not-a-body');
        await expectStillWorking(suite, ex, 'reference');
      });
    }

    suite.test('a reference to an export that does not exist rejects the handle with InvalidTaskError (unknown-reference)', async () => {
      const ex = suite.executor();
      const missing = taskRef(suite.options.fixturesModule, 'noSuchExport');
      expectInvalidTask(await rejectionOf(ex.spawn(missing)), 'unknown-reference');
      const notAFunction = taskRef(suite.options.fixturesModule, 'notABody');
      expectInvalidTask(await rejectionOf(ex.spawn(notAFunction)), 'unknown-reference');
      await expectStillWorking(suite, ex, 'reference');
    });

    suite.test('a reference to a module that does not exist rejects the handle with InvalidTaskError (unknown-reference)', async () => {
      const ex = suite.executor();
      const url = pathToFileURL('/nonexistent/spindle-conformance/no-such-module.js');
      const handle = ex.spawn(taskRef(url, 'body'));
      const error = await rejectionOf(handle);
      expectInvalidTask(error, 'unknown-reference');
      expect((error as Error).message).toContain('no-such-module.js');
      expect(handle.state).toBe('rejected');
      await expectStillWorking(suite, ex, 'reference');
    });

    const cloneCases: readonly (readonly [string, unknown[], number])[] = [
      ['a function', [() => 1], 0],
      ['a symbol', [1, Symbol('not cloneable')], 1],
      ['an object holding a function', ['fine', { callback: () => 1 }], 1],
      ['a WeakMap', [new WeakMap()], 0],
    ];
    const targets: readonly (readonly [string, (suite: Suite) => Spawnable])[] = [
      ['a task reference', (s) => s.ref('plainValue')],
      ...(closures && suite.capabilities.clonesArguments ? [['a closure (this executor clones arguments)', (s: Suite) => s.fixtures.plainValue as Spawnable] as const] : []),
    ];
    for (const [target, body] of targets) {
      suite.test(`arguments of ${target} that cannot be cloned: spawn throws InvalidTaskError (not-cloneable) naming the argument`, async () => {
        const ex = suite.executor();
        for (const [what, args, index] of cloneCases) {
          const error = thrownBy(() => spawnRaw(ex, body(suite), args));
          expect(error, what).toBeInstanceOf(InvalidTaskError);
          expect((error as InvalidTaskError).code, what).toBe('not-cloneable');
          expect((error as InvalidTaskError).argumentIndex, what).toBe(index);
        }
        await expectStillWorking(suite, ex, 'reference');
      });
    }

    suite.test('a referenced task whose result cannot be cloned rejects with InvalidTaskError (not-cloneable)', async () => {
      const ex = suite.executor();
      expectInvalidTask(await rejectionOf(suite.spawn(ex, 'reference', 'returnsFunction', [])), 'not-cloneable');
      await expectStillWorking(suite, ex, 'reference');
    });

    suite.test('arguments that are not an array and malformed options: spawn throws InvalidTaskError (invalid-options)', async () => {
      const ex = suite.executor();
      const body = suite.ref('plainValue');
      const bad: readonly (readonly [string, () => unknown])[] = [
        ['arguments as a number', () => spawnRaw(ex, body, 42)],
        ['arguments as a string', () => spawnRaw(ex, body, 'x')],
        ['options as a number', () => spawnRaw(ex, body, [1], 5)],
        ['a signal that is not an AbortSignal', () => spawnRaw(ex, body, [1], { signal: { aborted: false } })],
        ['a name that is not a string', () => spawnRaw(ex, body, [1], { name: 7 })],
      ];
      for (const [what, call] of bad) {
        const error = thrownBy(call);
        expect(error, what).toBeInstanceOf(InvalidTaskError);
        expect((error as InvalidTaskError).code, what).toBe('invalid-options');
      }
      await expectStillWorking(suite, ex, 'reference');
    });

    for (const mode of suite.modes) {
      describe(mode === 'closure' ? 'closures' : 'task references', () => {
        suite.test('a generator that yields something it cannot wait on gets InvalidTaskError (invalid-yield) thrown in at that yield', async () => {
          const ex = suite.executor();
          expect(await valueOf(suite.spawn(ex, mode, 'yieldsNumberAndCatches', []))).toBe('caught InvalidTaskError invalid-yield');
          const handle = suite.spawn(ex, mode, 'yieldsNumber', []);
          expectInvalidTask(await rejectionOf(handle), 'invalid-yield');
          expect(handle.state).toBe('rejected');
          await expectStillWorking(suite, ex, mode);
        });

        suite.test('a body that spawns bad input gets the typed error at its own ctx.spawn call', async () => {
          const ex = suite.executor();
          expect(await valueOf(suite.spawn(ex, mode, 'spawnsBadChild', []))).toBe('caught InvalidTaskError not-a-body');
          await expectStillWorking(suite, ex, mode);
        });
      });
    }

    if (closures) {
      suite.test("a state machine whose next() returns something else than true, false, ctx.yield() or a promise-like fails with InvalidTaskError (invalid-yield)", async () => {
        const ex = suite.executor();
        const handle = ex.spawn({ result: 0, next: () => 42 as unknown as boolean });
        expectInvalidTask(await rejectionOf(handle), 'invalid-yield');
        await expectStillWorking(suite, ex, 'closure');
      });
    }
  });
}
