import { describe, expect, it } from 'vitest';
import {
  ExecutorClosedError,
  InvalidOptionsError,
  InvalidTaskError,
  SpindleError,
  TaskCancelledError,
  describeValue,
} from '../src/contract/errors.js';

describe('errors', () => {
  it('are named classes under SpindleError with their name in the stack', () => {
    const reason = new Error('user pressed stop');
    const cancelled = new TaskCancelledError(7, 'fetch', reason);
    expect(cancelled).toBeInstanceOf(SpindleError);
    expect(cancelled.name).toBe('TaskCancelledError');
    expect(cancelled.cause).toBe(reason);
    expect(cancelled.taskId).toBe(7);
    expect(cancelled.message).toBe('task #7 "fetch" was cancelled: user pressed stop');
    expect(cancelled.stack?.startsWith('TaskCancelledError: task #7')).toBe(true);

    const closed = new ExecutorClosedError('round-robin#1');
    expect(closed.name).toBe('ExecutorClosedError');
    expect(closed.message).toContain('round-robin#1');

    const invalid = new InvalidTaskError('not-cloneable', 'argument 1 cannot be cloned', { argumentIndex: 1 });
    expect(invalid.code).toBe('not-cloneable');
    expect(invalid.argumentIndex).toBe(1);

    expect(new InvalidOptionsError('sliceMs', 'bad').option).toBe('sliceMs');
  });

  it('describes values safely for messages', () => {
    expect(describeValue(3)).toBe('number 3');
    expect(describeValue(null)).toBe('null');
    expect(describeValue({})).toBe('a plain object');
    expect(describeValue(new Map())).toBe('an instance of Map');
    expect(describeValue(function named() {
      return 1;
    })).toBe('function named');
    expect(describeValue('x'.repeat(100))).toContain('…');
    expect(describeValue(Symbol('s'))).toBe('Symbol(s)');
  });
});

describe('error classes across two copies of core', () => {
  it('answer instanceof for an error made by another copy that carries the brand', () => {
    // What another build of core makes: its own class object with the same registered brand.
    const otherCopy = Object.create(Error.prototype, {
      [Symbol.for('@spindle/core:TaskCancelledError')]: { value: true },
      [Symbol.for('@spindle/core:SpindleError')]: { value: true },
    }) as unknown;
    expect(otherCopy instanceof TaskCancelledError).toBe(true);
    expect(otherCopy instanceof SpindleError).toBe(true);
    expect(otherCopy instanceof ExecutorClosedError).toBe(false);
    expect(new Error('plain') instanceof SpindleError).toBe(false);
    expect((null as unknown as object) instanceof SpindleError).toBe(false);
  });

  it('keep the ordinary check for subclasses that are not branded', () => {
    class MyError extends SpindleError {}
    expect(new MyError('mine') instanceof MyError).toBe(true);
    expect(new MyError('mine') instanceof SpindleError).toBe(true);
    expect(new SpindleError('base') instanceof MyError).toBe(false);
  });
});
