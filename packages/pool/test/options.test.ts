import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidOptionsError, taskRef } from '@spindle/core';
import type { TaskContext, TaskHandle } from '@spindle/core';
import { PoolExecutor } from '../dist/index.js';

function refusal(options: unknown): InvalidOptionsError {
  try {
    new PoolExecutor(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error('the options were accepted');
}

describe('pool options', () => {
  it('a misspelt name is refused with InvalidOptionsError naming it and the closest valid one', () => {
    const error = refusal({ thread: 2 });
    expect(error.option).toBe('thread');
    expect(error.message).toContain('"thread"');
    expect(error.message).toContain('did you mean "threads"?');
    expect(refusal({ maxTreads: 2 }).message).toContain('did you mean "maxThreads"?');
    expect(refusal({ cancelTimout: 5 }).message).toContain('did you mean "cancelTimeout"?');
  });

  it('a name nowhere near a valid one is refused with the list of valid names', () => {
    const error = refusal({ workerScript: 'x.js' });
    expect(error.option).toBe('workerScript');
    expect(error.message).toContain('"threads"');
    expect(error.message).toContain('"slotBytes"');
  });

  it('options that are not an object are refused', () => {
    expect(refusal(5).option).toBe('options');
    expect(refusal([]).option).toBe('options');
    expect(refusal(null).option).toBe('options');
  });

  it('every documented option is accepted (the pool starts nothing until used)', async () => {
    const pool = new PoolExecutor({
      threads: 1,
      idleTimeout: 100,
      growAfter: 100,
      maxQueue: 10,
      onFull: 'wait',
      resourceLimits: {},
      execArgv: [],
      env: {},
      dequeCapacity: 16,
      slots: 64,
      slotBytes: 256,
      cancelTimeout: 100,
      label: 'all-options',
    });
    expect(pool.label).toBe('all-options');
    await pool.close();
    await new PoolExecutor({ minThreads: 0, maxThreads: 2 }).close();
  });
});

describe('spawn types', () => {
  type Double = (ctx: TaskContext, n: number) => number;
  const doubleRef = taskRef<Double>('file:///nowhere/tasks.js', 'double');

  it('a reference spawns with its arguments and result typed; wrong arguments do not type-check', () => {
    const pool = new PoolExecutor({ threads: 1 });
    // Type-level only: these calls never run.
    const typed = (): TaskHandle<number> => pool.spawn(doubleRef, [21]);
    expectTypeOf(typed).returns.toEqualTypeOf<TaskHandle<number>>();
    // @ts-expect-error a string is not the number the body takes
    const wrong = (): unknown => pool.spawn(doubleRef, ['21']);
    expect(typeof wrong).toBe('function');
    void pool.close();
  });
});
