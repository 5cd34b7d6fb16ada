import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, TaskCancelledError } from '@spindle/core';
import { all, operation, retry, sleep, spawn, until } from '../src/index.js';
import type { Instruction, Operation } from '../src/index.js';
import { deferred, rejectionOf, withExecutor } from './helpers.js';

describe('all() with a concurrency limit', () => {
  it('runs at most `concurrency` operations at once, starts the next as one settles, and keeps the order of results', async () => {
    await withExecutor(async (ex) => {
      let running = 0;
      let most = 0;
      const started: number[] = [];
      const work = operation(function* work(i: number): Generator<Instruction, number, unknown> {
        running++;
        most = Math.max(most, running);
        started.push(i);
        // Later items finish sooner, so results arrive out of order.
        yield new Promise<void>((resolve) => setTimeout(resolve, 10 - i));
        running--;
        return i * 10;
      });
      const items = Array.from({ length: 8 }, (_, i) => work(i));
      expect(await ex.run(all(items, { concurrency: 3 }))).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
      expect(most).toBe(3);
      expect(started).toHaveLength(8);
      expect(started.slice(0, 3)).toEqual([0, 1, 2]);
    });
  });

  it('stops at the first failure: cancels the running ones and starts no more', async () => {
    await withExecutor(async (ex) => {
      const started: number[] = [];
      const cleaned: number[] = [];
      const work = operation(function* work(i: number): Generator<Instruction, number, unknown> {
        started.push(i);
        try {
          if (i === 1) throw new RangeError('item 1 failed');
          yield new Promise(() => undefined);
          return i;
        } finally {
          cleaned.push(i);
        }
      });
      const error = await rejectionOf(ex.run(all([work(0), work(1), work(2), work(3)], { concurrency: 2 })));
      expect(error).toBeInstanceOf(RangeError);
      expect(started).toEqual([0, 1]);
      expect(cleaned.sort()).toEqual([0, 1]);
    });
  });

  it('counts promise-likes as already running, and refuses a bad limit at the call', async () => {
    await withExecutor(async (ex) => {
      const gate = deferred<string>();
      const result = ex.run(all([until(gate.promise), Promise.resolve('p'), (function* () {
        yield Promise.resolve();
        return 'op';
      })()], { concurrency: 1 }));
      gate.resolve('g');
      expect(await result).toEqual(['g', 'p', 'op']);
    });
    for (const concurrency of [0, 1.5, -1, Number.NaN, '2']) {
      expect(() => all([], { concurrency: concurrency as number })).toThrow(InvalidOptionsError);
    }
    expect(() => all([], { concurrent: 2 } as never)).toThrow(/did you mean "concurrency"/);
  });
});

describe('retry()', () => {
  /** An operation that fails its first `failures` runs, then answers `value`. */
  function flaky(failures: number, value: string): { make: (attempt: number) => Operation<string>; attempts: number[] } {
    const attempts: number[] = [];
    const make = operation(function* attempt(n: number): Generator<Instruction, string, unknown> {
      attempts.push(n);
      yield Promise.resolve();
      if (n <= failures) throw new Error(`attempt ${n} failed`);
      return value;
    });
    return { make, attempts };
  }

  it('makes the operation anew for each attempt and answers with the first success', async () => {
    await withExecutor(async (ex) => {
      const { make, attempts } = flaky(2, 'done');
      expect(await ex.run(retry(make, { attempts: 3 }))).toBe('done');
      expect(attempts).toEqual([1, 2, 3]);
    });
  });

  it('throws the last error once the attempts are spent, and not again when retryIf says no', async () => {
    await withExecutor(async (ex) => {
      const spent = flaky(5, 'never');
      const error = await rejectionOf(ex.run(retry(spent.make, { attempts: 3 })));
      expect((error as Error).message).toBe('attempt 3 failed');
      expect(spent.attempts).toEqual([1, 2, 3]);

      const once = flaky(5, 'never');
      await rejectionOf(ex.run(retry(once.make, { attempts: 3, retryIf: (e) => !(e as Error).message.includes('1') })));
      expect(once.attempts).toEqual([1]);
    });
  });

  it('waits the backoff between attempts: fixed, exponential or computed', async () => {
    await withExecutor(async (ex) => {
      const waits: number[] = [];
      const { make } = flaky(3, 'ok');
      const startedAt = performance.now();
      const result = await ex.run(
        retry(make, {
          attempts: 4,
          backoff: (attempt) => {
            const wait = attempt * 5;
            waits.push(wait);
            return wait;
          },
        }),
      );
      expect(result).toBe('ok');
      expect(waits).toEqual([5, 10, 15]);
      expect(performance.now() - startedAt).toBeGreaterThanOrEqual(30);

      const exponential = flaky(3, 'ok');
      const from = performance.now();
      await ex.run(retry(exponential.make, { attempts: 4, backoff: { initial: 4, factor: 2, max: 10 } }));
      // 4 + 8 + 10 (capped)
      expect(performance.now() - from).toBeGreaterThanOrEqual(22);
    });
  });

  it('is cancellable while it waits between attempts: the timer goes and no attempt follows', async () => {
    await withExecutor(async (ex) => {
      const { make, attempts } = flaky(10, 'never');
      const backingOff = deferred();
      const backoff = (): number => {
        backingOff.resolve();
        return 60_000;
      };
      const task = ex.run(retry(make, { attempts: 5, backoff }));
      // The backoff is asked for after the first attempt failed, in the step that then
      // parks on the backoff's timer.
      await backingOff.promise;
      task.cancel('stop retrying');
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(attempts).toEqual([1]);
    });
  });

  it('refuses bad options at the call', () => {
    const make = (): Operation<number> => sleep(0) as unknown as Operation<number>;
    expect(() => retry(make, { attempts: 0 })).toThrow(InvalidOptionsError);
    expect(() => retry(make, { attempts: 1.5 })).toThrow(InvalidOptionsError);
    expect(() => retry(make, { backoff: -1 })).toThrow(InvalidOptionsError);
    expect(() => retry(make, { backoff: { initial: 10, max: 5 } })).toThrow(InvalidOptionsError);
    expect(() => retry(make, { backoff: { initial: 10, factor: 0.5 } })).toThrow(InvalidOptionsError);
    expect(() => retry(make, { backof: 5 } as never)).toThrow(/did you mean "backoff"/);
    expect(() => retry(5 as never)).toThrow(InvalidOptionsError);
  });

  it('runs as a child task like any operation', async () => {
    await withExecutor(async (ex) => {
      const { make } = flaky(1, 'second time');
      const handle = ex.run(
        (function* () {
          const child = yield* spawn(retry(make));
          return yield child;
        })(),
      );
      expect(await handle).toBe('second time');
    });
  });
});
