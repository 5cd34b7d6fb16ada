import { describe, expect } from 'vitest';
import type { StateMachine, TaskContext } from '@spindle/core';
import type { FixtureName, Fixtures } from '../fixtures-module.js';
import type { BodyMode, Suite } from '../harness.js';
import { rejectionOf, valueOf } from '../outcome.js';

interface ResultCase {
  readonly title: string;
  readonly body: FixtureName;
  readonly args: (byReference: boolean) => readonly unknown[];
  readonly expected: unknown;
}

const resultCases: readonly ResultCase[] = [
  { title: 'a plain function fulfils with its return value', body: 'plainValue', args: () => [{ list: [1, 2, 3], text: 'plain' }], expected: { list: [1, 2, 3], text: 'plain' } },
  { title: 'a plain function that returns a promise fulfils with what it resolves to', body: 'plainPromise', args: () => ['promised'], expected: 'promised' },
  { title: 'an async function fulfils with its result, across await ctx.yield() and other awaits', body: 'asyncValue', args: () => ['async'], expected: 'async' },
  {
    title: 'a generator function fulfils with its return value, across bare, ctx.yield(), promise and thenable yields',
    body: 'generatorValue',
    args: () => ['generator'],
    expected: 'generator',
  },
  { title: 'a generator joins a child task and receives its result', body: 'generatorJoinsChild', args: (r) => ['from child', r], expected: 'from child' },
  { title: 'an async function joins a child task and receives its result', body: 'asyncJoinsChild', args: (r) => ['from child', r], expected: 'from child' },
  { title: 'a generator receives a rejection thrown in at its yield point and can catch it', body: 'generatorCatches', args: () => ['boom'], expected: 'caught RangeError: boom' },
  { title: "a generator catches a joined child's error", body: 'generatorCatchesChild', args: (r) => ['child boom', r], expected: 'caught RangeError: child boom' },
];

interface ErrorCase {
  readonly title: string;
  readonly body: FixtureName;
  readonly message: string;
}

const errorCases: readonly ErrorCase[] = [
  { title: 'a plain function that throws', body: 'plainThrow', message: 'plain failed' },
  { title: 'a plain function whose promise rejects', body: 'plainRejects', message: 'promise failed' },
  { title: 'an async function that throws after yield points', body: 'asyncThrow', message: 'async failed' },
  { title: 'a generator that throws after yield points', body: 'generatorThrow', message: 'generator failed' },
  { title: 'a generator that does not catch a rejection it yielded', body: 'generatorYieldsRejection', message: 'yielded failure' },
];

function describeMode(suite: Suite, mode: BodyMode): void {
  const byReference = mode === 'reference';
  describe(mode === 'closure' ? 'closures' : 'task references', () => {
    for (const { title, body, args, expected } of resultCases) {
      suite.test(title, async () => {
        const ex = suite.executor();
        expect(await valueOf(suite.spawnUnchecked(ex, mode, body, args(byReference)))).toEqual(expected);
      });
    }

    for (const { title, body, message } of errorCases) {
      suite.test(`${title} rejects the handle with its error, stack intact`, async () => {
        const ex = suite.executor();
        const handle = suite.spawnUnchecked(ex, mode, body, [message]);
        const error = await rejectionOf(handle);
        expect(error).toBeInstanceOf(RangeError);
        expect((error as RangeError).message).toBe(message);
        expect((error as RangeError).stack, 'the stack still names the body that threw').toContain(body);
        expect(handle.state).toBe('rejected');
      });
    }

    suite.test("an error of the user's own class keeps its class, own fields, message, stack and cause", async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'throwsDbError', ['query failed', 'connection reset']);
      const error = await rejectionOf(handle);
      expect(error).toBeInstanceOf(Error);
      const db = error as InstanceType<Fixtures['DbError']>;
      // Across a thread or process the class is rebuilt by name (the same name, the same base).
      expect(db.constructor.name).toBe('DbError');
      expect(db.name, 'the name the class gives it').toBe(new suite.fixtures.DbError().name);
      expect(db.code, 'a field of its own').toBe('E_DB');
      expect(db.message).toBe('query failed');
      expect(db.stack, 'the stack names the frame that threw').toMatch(/throwsDbError\b.*fixtures/);
      expect(db.cause).toBeInstanceOf(Error);
      expect((db.cause as Error).message).toBe('connection reset');
      expect(handle.state).toBe('rejected');
    });

    suite.test('a thrown non-Error value reaches the caller unchanged', async () => {
      const ex = suite.executor();
      const handle = suite.spawn(ex, mode, 'throwsString', ['just a string']);
      expect(await rejectionOf(handle)).toBe('just a string');
      expect(handle.state).toBe('rejected');
    });
  });
}

class CustomError extends Error {
  override readonly name = 'CustomError';
}

class Countdown implements StateMachine<string> {
  result = '';
  private left: number;

  constructor(steps: number) {
    this.left = steps;
  }

  next(): boolean {
    if (this.left === 0) {
      this.result = 'counted down';
      return true;
    }
    this.left--;
    return false;
  }
}

/** Waits on a promise per step, and sums what it waited for. */
class Summer implements StateMachine<number> {
  result = 0;
  private pending: Promise<number> | undefined;
  private readonly values: number[];

  constructor(values: number[]) {
    this.values = values;
  }

  next(ctx: TaskContext): boolean | PromiseLike<unknown> {
    if (this.pending !== undefined) {
      const pending = this.pending;
      this.pending = undefined;
      // The machine keeps its own reference; it reads the settled value on its next step.
      return pending.then((value) => {
        this.result += value;
      });
    }
    const value = this.values.shift();
    if (value === undefined) return true;
    this.pending = Promise.resolve(value);
    return ctx.yield();
  }
}

function describeClosuresOnly(suite: Suite): void {
  describe('closures only: identity and state machines', () => {
    suite.test('an error thrown by a closure body is the very same object, stack untouched, for every function kind', async () => {
      const ex = suite.executor();
      const errors = [new CustomError('plain'), new CustomError('async'), new CustomError('generator'), new CustomError('promise')];
      const stacks = errors.map((error) => error.stack);
      const [plainError, asyncError, generatorError, promiseError] = errors as [CustomError, CustomError, CustomError, CustomError];
      const handles = [
        ex.spawn(() => {
          throw plainError;
        }),
        ex.spawn(async (ctx: TaskContext) => {
          await ctx.yield();
          throw asyncError;
        }),
        ex.spawn(function* () {
          yield;
          throw generatorError;
        }),
        ex.spawn(() => Promise.reject(promiseError)),
      ];
      const rejections = await Promise.all(handles.map((handle) => rejectionOf(handle)));
      rejections.forEach((error, i) => {
        expect(error).toBe(errors[i]);
        expect((error as CustomError).stack).toBe(stacks[i]);
      });
    });

    suite.test('a closure body receives its context and its arguments by value, uncopied unless the executor clones', async () => {
      const ex = suite.executor();
      const argument = { nested: { list: [1, 2] } };
      let seenId = -1;
      const handle = ex.spawn(
        (ctx: TaskContext, value: typeof argument) => {
          seenId = ctx.taskId;
          return value;
        },
        [argument],
      );
      const value = await valueOf(handle);
      expect(seenId).toBe(handle.id);
      expect(value).toEqual(argument);
      if (!suite.capabilities.clonesArguments) expect(value).toBe(argument);
    });

    suite.test('a state machine runs step by step until next() returns true, and the task fulfils with its result', async () => {
      const ex = suite.executor();
      expect(await valueOf(ex.spawn(new Countdown(50)))).toBe('counted down');
    });

    suite.test('a state machine that returns promise-likes and ctx.yield() from next() waits for them', async () => {
      const ex = suite.executor();
      expect(await valueOf(ex.spawn(new Summer([1, 2, 3, 4])))).toBe(10);
    });

    suite.test('a state machine whose next() throws rejects the handle with that very error', async () => {
      const ex = suite.executor();
      const error = new CustomError('machine failed');
      const stack = error.stack;
      let steps = 0;
      const handle = ex.spawn({
        result: undefined,
        next(): boolean {
          if (++steps === 3) throw error;
          return false;
        },
      });
      const rejection = await rejectionOf(handle);
      expect(rejection).toBe(error);
      expect((rejection as Error).stack).toBe(stack);
      expect(steps).toBe(3);
    });

    suite.test('a state machine without throw() fails with the rejection of what it waited for', async () => {
      const ex = suite.executor();
      const error = new CustomError('awaited failure');
      const handle = ex.spawn({
        result: 'never',
        next: () => Promise.reject(error),
      });
      expect(await rejectionOf(handle)).toBe(error);
    });

    suite.test('a state machine with throw() receives the rejection of what it waited for and may recover', async () => {
      const ex = suite.executor();
      const error = new CustomError('recoverable');
      const received: unknown[] = [];
      let waited = false;
      const machine: StateMachine<string> = {
        result: 'recovered',
        next(): boolean | PromiseLike<unknown> {
          if (waited) return true;
          waited = true;
          return Promise.reject(error);
        },
        throw(thrown: unknown): void {
          received.push(thrown);
        },
      };
      expect(await valueOf(ex.spawn(machine))).toBe('recovered');
      expect(received).toEqual([error]);
      expect(received[0]).toBe(error);
    });
  });
}

/** Results and errors for every body kind, in every mode the executor accepts. */
export function describeBodyResults(suite: Suite): void {
  describe('results and errors of every body kind', () => {
    for (const mode of suite.modes) describeMode(suite, mode);
    if (suite.capabilities.closures) describeClosuresOnly(suite);
  });
}
