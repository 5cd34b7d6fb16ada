import { describe, expect, it } from 'vitest';
import { Coroutine, Interrupt, Step, awaitingBody } from '../src/kit/coroutine.js';
import type { TaskContext } from '../src/contract/context.js';
import { YieldPoint } from '../src/contract/context.js';
import { InvalidTaskError } from '../src/contract/errors.js';

const ctx = {
  taskId: 1,
  name: undefined,
  signal: new AbortController().signal,
  spawn: () => {
    throw new Error('not in this test');
  },
  join: <T>(handle: T) => handle,
  yield: () =>
    new YieldPoint(() => {
      /* never awaited here */
    }),
} as unknown as TaskContext;

describe('Coroutine', () => {
  it('steps a generator yield by yield and passes resumed values back in', () => {
    const co = new Coroutine(
      function* (_ctx: TaskContext, a: number) {
        yield;
        const b = (yield Promise.resolve(0)) as number;
        return a + b;
      },
      [1],
      ctx,
    );
    expect(co.step()).toBe(Step.Yield);
    expect(co.step()).toBe(Step.Wait);
    expect(co.value).toBeInstanceOf(Promise);
    co.resolve(41);
    expect(co.step()).toBe(Step.Done);
    expect(co.value).toBe(42);
  });

  it('throws a rejection in at the yield point and a bad yield as InvalidTaskError', () => {
    const seen: unknown[] = [];
    const co = new Coroutine(
      function* () {
        try {
          yield Promise.resolve();
        } catch (error) {
          seen.push(error);
        }
        try {
          yield 42 as unknown as undefined;
        } catch (error) {
          seen.push(error);
        }
        return 'recovered';
      },
      [],
      ctx,
    );
    const boom = new Error('boom');
    expect(co.step()).toBe(Step.Wait);
    co.reject(boom);
    expect(co.step()).toBe(Step.Yield);
    expect(co.step()).toBe(Step.Done);
    expect(seen[0]).toBe(boom);
    expect(seen[1]).toBeInstanceOf(InvalidTaskError);
    expect((seen[1] as InvalidTaskError).message).toContain('number 42');
  });

  it('runs a state machine a million steps with constant stack', () => {
    const machine = {
      i: 0,
      result: 0,
      next(): boolean {
        this.result += 1;
        return ++this.i === 1_000_000;
      },
    };
    const co = new Coroutine(machine, [], ctx);
    let steps = 1;
    while (co.step() === Step.Yield) steps++;
    expect(steps).toBe(1_000_000);
    expect(co.value).toBe(1_000_000);
  });

  it('settles an async body through one Wait on its promise', () => {
    const co = new Coroutine(async (_ctx: TaskContext, x: number) => Promise.resolve(x * 2), [4], ctx);
    expect(co.step()).toBe(Step.Wait);
    expect(co.settling).toBe(true);
    co.resolve(8);
    expect(co.step()).toBe(Step.Done);
    expect(co.value).toBe(8);
  });

  it('reports a thrown body error untouched', () => {
    const boom = new TypeError('bad');
    const co = new Coroutine(
      () => {
        throw boom;
      },
      [],
      ctx,
    );
    expect(co.step()).toBe(Step.Failed);
    expect(co.value).toBe(boom);
  });

  it('interrupts: unstarted now, generators by return() in a step, async bodies by waiting', () => {
    expect(new Coroutine(() => 1, [], ctx).interrupt()).toBe(Interrupt.Now);

    const log: string[] = [];
    const gen = new Coroutine(
      function* () {
        try {
          yield;
        } finally {
          log.push('finally');
        }
      },
      [],
      ctx,
    );
    expect(gen.step()).toBe(Step.Yield);
    expect(gen.interrupt()).toBe(Interrupt.Step);
    expect(gen.step()).toBe(Step.Done);
    expect(log).toEqual(['finally']);

    const asyncBody = new Coroutine(async () => Promise.resolve(1), [], ctx);
    asyncBody.step();
    expect(asyncBody.interrupt()).toBe(Interrupt.Await);
  });

  it('fails a state machine whose next() returns something it cannot act on', () => {
    const co = new Coroutine({ result: 0, next: () => 7 as unknown as boolean }, [], ctx);
    expect(co.step()).toBe(Step.Failed);
    expect(co.value).toBeInstanceOf(InvalidTaskError);
  });

  it('ends a settled coroutine with its outcome in one step: a value, or an error thrown in', () => {
    const fulfilled = Coroutine.settled(false, 42);
    expect(fulfilled.settling).toBe(true);
    expect(fulfilled.step()).toBe(Step.Done);
    expect(fulfilled.value).toBe(42);
    const error = new Error('the body rejected');
    const rejected = Coroutine.settled(true, error);
    expect(rejected.step()).toBe(Step.Failed);
    expect(rejected.value).toBe(error);
  });

  it('keeps the coroutine parked tasks share as it is: interrupted, it says Await; stepped, it throws', () => {
    expect(awaitingBody.settling).toBe(true);
    expect(awaitingBody.started).toBe(true);
    expect(awaitingBody.interrupt()).toBe(Interrupt.Await);
    expect(() => awaitingBody.step()).toThrow(TypeError);
    // Still the same: another task parked on its body can share it.
    expect(awaitingBody.settling).toBe(true);
    expect(awaitingBody.interrupt()).toBe(Interrupt.Await);
  });
});
