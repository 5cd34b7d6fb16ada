import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { TrampolineExecutor, operation, yieldFramesOf } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { rejectionOf, withExecutor } from './helpers.js';

const innermost = operation(function* innermost(): Generator<Instruction, never, unknown> {
  yield Promise.resolve();
  throw new Error('deep failure');
});
const middle = operation(function* middle(): Generator<Instruction, never, unknown> {
  return yield* innermost();
});
const outermost = operation(function* outermost(): Generator<Instruction, never, unknown> {
  return yield* middle();
});

describe('error stacks', () => {
  it('shows the yield* frames an error passed through, innermost first', async () => {
    await withExecutor(async (ex) => {
      const error = (await rejectionOf(ex.run(outermost()))) as Error;
      expect(error.message).toBe('deep failure');
      const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
      const names = frames.map((line) => /at (\S+)/.exec(line.trim())?.[1]);
      expect(names[0]).toBe('innermost');
      const middleAt = names.indexOf('middle');
      const outerAt = names.indexOf('outermost');
      expect(middleAt).toBeGreaterThan(0);
      expect(outerAt).toBeGreaterThan(middleAt);
      // The appended frames point into this file, at the yield* lines.
      expect(frames[middleAt]).toContain('errors.test.ts');
      expect(yieldFramesOf(error)).toBe(2);
    });
  });

  it('keeps the error object itself: same identity, same class', async () => {
    await withExecutor(async (ex) => {
      class MyError extends Error {}
      const original = new MyError('mine');
      const thrower = operation(function* thrower(): Generator<Instruction, never, unknown> {
        yield Promise.resolve();
        throw original;
      });
      const caller = operation(function* caller(): Generator<Instruction, never, unknown> {
        return yield* thrower();
      });
      expect(await rejectionOf(ex.run(caller()))).toBe(original);
    });
  });

  it('caps the frames appended to an error thrown 10,000 frames deep', async () => {
    const deep = operation(function* deep(n: number): Generator<Instruction, never, unknown> {
      if (n === 0) {
        yield Promise.resolve();
        throw new Error('very deep');
      }
      return yield* deep(n - 1);
    });
    await withExecutor(async (ex) => {
      const error = (await rejectionOf(ex.run(deep(10_000)))) as Error;
      expect(yieldFramesOf(error)).toBe(50);
      expect((error.stack ?? '').split('\n').length).toBeLessThan(100);
    });
  });

  it('leaves thrown non-errors alone', async () => {
    const throwsString = operation(function* throwsString(): Generator<Instruction, never, unknown> {
      yield Promise.resolve();
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error is what is tested
      throw 'plain string';
    });
    const caller = operation(function* caller(): Generator<Instruction, never, unknown> {
      return yield* throwsString();
    });
    await withExecutor(async (ex) => {
      expect(await rejectionOf(ex.run(caller()))).toBe('plain string');
    });
  });
});

describe('bad yields', () => {
  it.each([
    ['a number', 42, /yielded number 42/],
    ['a plain object', { value: 1 }, /yielded a plain object/],
    ['a string', 'text', /yielded "text"/],
    ['a class instance', new Map(), /yielded an instance of Map/],
  ])('throws InvalidTaskError (invalid-yield) in at the yield of %s, naming it', async (_what, bad, message) => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        try {
          yield bad as unknown as undefined;
        } catch (error) {
          return error;
        }
        return undefined;
      });
      const error = await task;
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as InvalidTaskError).code).toBe('invalid-yield');
      expect((error as Error).message).toMatch(message);
    });
  });

  it('fails the task with it when not caught, deep in a chain too, and the executor keeps working', async () => {
    const ex = new TrampolineExecutor();
    const sloppy = operation(function* sloppy(): Generator<Instruction, void, unknown> {
      yield 7 as unknown as undefined;
    });
    const caller = operation(function* caller(): Generator<Instruction, void, unknown> {
      yield* sloppy();
    });
    const error = await rejectionOf(ex.run(caller()));
    expect(error).toBeInstanceOf(InvalidTaskError);
    expect((error as Error).message).toContain('number 7');
    expect(await ex.spawn(() => 'still working')).toBe('still working');
    await ex.close();
  });

  it('throws InvalidTaskError in when a task waits for its own handle, instead of hanging', async () => {
    await withExecutor(async (ex) => {
      const task: TaskHandle<unknown> = ex.spawn(function* (): Generator<unknown, unknown, unknown> {
        try {
          yield task;
        } catch (error) {
          return error;
        }
        return undefined;
      });
      const error = await task;
      expect(error).toBeInstanceOf(InvalidTaskError);
      expect((error as Error).message).toMatch(/cannot join itself/);
    });
  });

  it('refuses operation() of something that is not a generator function', () => {
    expect(() => operation((() => undefined) as never)).toThrow(InvalidTaskError);
  });
});
