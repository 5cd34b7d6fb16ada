import { describe, expect, it } from 'vitest';
import { Coroutine, Interrupt, Step } from '../src/kit/coroutine.js';
import type { InstructionHandler } from '../src/kit/coroutine.js';
import type { TaskContext } from '../src/contract/context.js';
import { InvalidTaskError } from '../src/contract/errors.js';

const ctx = { taskId: 1 } as unknown as TaskContext;

/** Calls any generator it is given; answers a `{ answer }` object at once. */
const handler: InstructionHandler = (yielded, coroutine) => {
  if (Object.prototype.toString.call(yielded) === '[object Generator]') {
    coroutine.call(yielded as Generator);
    return true;
  }
  if (typeof yielded === 'object' && yielded !== null && 'answer' in yielded) {
    coroutine.resolve(yielded.answer);
    return true;
  }
  if (yielded === 'explode') throw new RangeError('handler failed');
  return false;
};

describe('Coroutine frames (instruction handler)', () => {
  it('calls generators on a heap stack: 100,000 frames deep in constant native stack', () => {
    function* down(n: number): Generator<unknown, number, unknown> {
      if (n === 0) return 0;
      return 1 + ((yield down(n - 1)) as number);
    }
    const co = new Coroutine(() => down(100_000), [], ctx, handler);
    let outcome = co.step();
    while (outcome === Step.Yield) outcome = co.step();
    expect(outcome).toBe(Step.Done);
    expect(co.value).toBe(100_000);
  });

  it('answers instructions within the step and throws handler errors in at the yield', () => {
    const co = new Coroutine(
      function* () {
        const a = (yield { answer: 40 }) as number;
        try {
          yield 'explode';
        } catch (error) {
          return [a + 2, (error as Error).name];
        }
        return 'unreachable';
      },
      [],
      ctx,
      handler,
    );
    expect(co.step()).toBe(Step.Done);
    expect(co.value).toEqual([42, 'RangeError']);
  });

  it('passes a callee error to its caller, and parks a callee on a promise-like', () => {
    function* inner(): Generator<unknown, never, unknown> {
      yield Promise.resolve();
      throw new Error('inner');
    }
    const co = new Coroutine(
      function* () {
        try {
          yield inner();
        } catch (error) {
          return (error as Error).message;
        }
        return 'unreachable';
      },
      [],
      ctx,
      handler,
    );
    expect(co.step()).toBe(Step.Wait);
    co.resolve(undefined);
    expect(co.step()).toBe(Step.Done);
    expect(co.value).toBe('inner');
  });

  it('returns every frame innermost first on interrupt; cleanup may wait and call', () => {
    const log: string[] = [];
    function* cleanup(name: string): Generator<unknown, void, unknown> {
      yield Promise.resolve();
      log.push(`cleanup of ${name} done`);
    }
    function* frame(name: string, depth: number): Generator<unknown, void, unknown> {
      try {
        if (depth === 0) yield new Promise(() => undefined);
        else yield frame(`${name}>`, depth - 1);
      } finally {
        log.push(`finally ${name}`);
        yield cleanup(name);
      }
    }
    const co = new Coroutine(() => frame('a', 2), [], ctx, handler);
    expect(co.step()).toBe(Step.Wait);
    expect(co.interrupt()).toBe(Interrupt.Step);
    let outcome = co.step();
    while (outcome === Step.Wait) {
      co.resolve(undefined);
      outcome = co.step();
    }
    expect(outcome).toBe(Step.Done);
    expect(log).toEqual([
      'finally a>>',
      'cleanup of a>> done',
      'finally a>',
      'cleanup of a> done',
      'finally a',
      'cleanup of a done',
    ]);
  });

  it('without a handler, keeps the old behaviour: a generator object is an invalid yield', () => {
    const co = new Coroutine(
      function* () {
        try {
          yield (function* () {
            /* empty */
          })();
        } catch (error) {
          return error;
        }
        return undefined;
      },
      [],
      ctx,
    );
    expect(co.step()).toBe(Step.Yield);
    expect(co.step()).toBe(Step.Done);
    expect(co.value).toBeInstanceOf(InvalidTaskError);
  });

  it('ends a long synchronous chain with Step.Yield so the executor can look at its clock', () => {
    // eslint-disable-next-line require-yield -- a callee that finishes at once is the point
    function* quick(): Generator<unknown, number, unknown> {
      return 1;
    }
    const co = new Coroutine(
      function* () {
        let sum = 0;
        for (let i = 0; i < 10_000; i++) sum += (yield quick()) as number;
        return sum;
      },
      [],
      ctx,
      handler,
    );
    let yields = 0;
    let outcome = co.step();
    while (outcome === Step.Yield) {
      yields++;
      outcome = co.step();
    }
    expect(outcome).toBe(Step.Done);
    expect(co.value).toBe(10_000);
    expect(yields).toBeGreaterThan(0);
  });
});
