import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, InvalidTaskError, TaskCancelledError } from '@spindle/core';
import { TimeoutError, all, join, operation, race, sleep, spawn, suspend, timeout, until } from '../src/index.js';
import type { Instruction } from '../src/index.js';
import { deferred, rejectionOf, withExecutor } from './helpers.js';

const value = operation(function* value<T>(v: T): Generator<Instruction, T, unknown> {
  yield Promise.resolve();
  return v;
});

/** Waits on `gate`, logs its cleanup (which itself waits) when stopped. */
const guarded = operation(function* guarded(log: string[], name: string, gate: Promise<unknown>): Generator<Instruction, string, unknown> {
  try {
    yield gate;
    return name;
  } finally {
    yield Promise.resolve();
    log.push(`${name} cleaned up`);
  }
});

const failing = operation(function* failing(error: Error): Generator<Instruction, never, unknown> {
  yield Promise.resolve();
  throw error;
});

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('all', () => {
  it('runs operations concurrently and answers with their results in order, promises mixed in', async () => {
    await withExecutor(async (ex) => {
      const gate = deferred<string>();
      const task = ex.spawn(function* () {
        return yield* all([value(1), until(gate.promise), Promise.resolve(true), value('last')]);
      });
      gate.resolve('gate');
      expect(await task).toEqual([1, 'gate', true, 'last']);
    });
  });

  it('answers [] for no operations', async () => {
    await withExecutor(async (ex) => {
      expect(await ex.run(all([]))).toEqual([]);
    });
  });

  it('throws the first failure in after cancelling the others and waiting for their cleanup', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const boom = new Error('boom');
      const task = ex.spawn(function* () {
        try {
          yield* all([guarded(log, 'a', new Promise(() => undefined)), failing(boom), guarded(log, 'b', new Promise(() => undefined))]);
        } catch (error) {
          log.push('caught');
          return error;
        }
        return undefined;
      });
      expect(await task).toBe(boom);
      expect(log).toEqual(expect.arrayContaining(['a cleaned up', 'b cleaned up']));
      expect(log.at(-1)).toBe('caught');
    });
  });

  it('is cancellable: cancelling the caller cancels every branch and runs its cleanup', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const running = deferred();
      const task = ex.spawn(function* () {
        running.resolve();
        yield* all([guarded(log, 'a', new Promise(() => undefined)), guarded(log, 'b', new Promise(() => undefined))]);
      });
      await running.promise;
      task.cancel();
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(log.sort()).toEqual(['a cleaned up', 'b cleaned up']);
    });
  });

  it('refuses what is not an array of operations with a typed error', () => {
    expect(() => all(5 as never)).toThrow(InvalidTaskError);
    expect(() => all([value(1), 7] as never)).toThrow(/item 1 is number 7/);
  });
});

describe('race', () => {
  it('settles like the first to settle; the others are cancelled and cleaned up before it returns', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const winnerGate = deferred();
      const task = ex.spawn(function* () {
        const winner = yield* race([guarded(log, 'slow', new Promise(() => undefined)), guarded(log, 'fast', winnerGate.promise)]);
        log.push(`winner ${winner}`);
        return winner;
      });
      winnerGate.resolve();
      expect(await task).toBe('fast');
      expect(log).toEqual(expect.arrayContaining(['slow cleaned up', 'fast cleaned up']));
      expect(log.at(-1)).toBe('winner fast');
    });
  });

  it('throws the first error in when a failure comes first', async () => {
    await withExecutor(async (ex) => {
      const boom = new Error('first');
      expect(await rejectionOf(ex.run(race([suspend(), failing(boom)])))).toBe(boom);
    });
  });

  it('refuses an empty race', () => {
    expect(() => race([])).toThrow(InvalidTaskError);
  });
});

describe('spawn and join', () => {
  it('spawns children that run concurrently and joins them for their results', async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        const a = yield* spawn(value(20));
        const b = yield* spawn(value(22));
        return (yield* join(a)) + (yield* join(b));
      });
      expect(await task).toBe(42);
    });
  });

  it("delivers a joined child's failure to the joiner, who may recover", async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        const child = yield* spawn(failing(new RangeError('bad')));
        try {
          yield* join(child);
        } catch (error) {
          return (error as Error).name;
        }
        return 'unreachable';
      });
      expect(await task).toBe('RangeError');
    });
  });

  it('refuses what is not an operation or a handle at the call', () => {
    expect(() => spawn(5 as never)).toThrow(InvalidTaskError);
    expect(() => spawn({} as never)).toThrow(/spawn\(\) expects an operation/);
    expect(() => join('handle' as never)).toThrow(InvalidTaskError);
    expect(() => timeout(1, null as never)).toThrow(/timeout\(\) expects an operation/);
  });

  it('spawns 100,000 children and joins them all', async () => {
    await withExecutor(async (ex) => {
      const task = ex.spawn(function* () {
        const handles = [];
        for (let i = 0; i < 100_000; i++) handles.push(yield* spawn(value(i)));
        let sum = 0;
        for (const handle of handles) sum += yield* join(handle);
        return sum;
      });
      expect(await task).toBe((100_000 * 99_999) / 2);
    });
  });
});

describe('sleep', () => {
  it('parks the task and resumes it', async () => {
    await withExecutor(async (ex) => {
      expect(await ex.spawn(function* () {
        yield* sleep(1);
        return 'woke';
      })).toBe('woke');
    });
  });

  it('clears its timer when cancelled', async () => {
    await withExecutor(async (ex) => {
      const before = timers();
      const running = deferred();
      const task = ex.spawn(function* () {
        running.resolve();
        yield* sleep(3_600_000);
      });
      await running.promise;
      expect(timers()).toBe(before + 1);
      task.cancel();
      await rejectionOf(task);
      expect(timers()).toBe(before);
    });
  });

  it('refuses a bad duration at the call', () => {
    expect(() => sleep(-1)).toThrow(InvalidOptionsError);
    expect(() => sleep(Number.NaN)).toThrow(/ms must be/);
    expect(() => sleep('5' as unknown as number)).toThrow(InvalidOptionsError);
  });
});

describe('timeout', () => {
  it('answers with the result when the operation finishes in time, and clears its timer', async () => {
    await withExecutor(async (ex) => {
      const before = timers();
      expect(await ex.run(timeout(3_600_000, value('in time')))).toBe('in time');
      expect(timers()).toBe(before);
    });
  });

  it('throws TimeoutError once the time is up, after the operation was cancelled and cleaned up', async () => {
    await withExecutor(async (ex) => {
      const log: string[] = [];
      const task = ex.spawn(function* () {
        try {
          yield* timeout(1, guarded(log, 'slow', new Promise(() => undefined)));
        } catch (error) {
          log.push('caught');
          return error;
        }
        return undefined;
      });
      const error = await task;
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).ms).toBe(1);
      expect(log).toEqual(['slow cleaned up', 'caught']);
    });
  });

  it('is cancellable and then clears its timer', async () => {
    await withExecutor(async (ex) => {
      const before = timers();
      const running = deferred();
      const task = ex.spawn(function* () {
        running.resolve();
        yield* timeout(3_600_000, suspend());
      });
      await running.promise;
      task.cancel();
      expect(await rejectionOf(task)).toBeInstanceOf(TaskCancelledError);
      expect(timers()).toBe(before);
    });
  });
});
