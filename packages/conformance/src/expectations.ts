import { expect } from 'vitest';
import { InvalidTaskError, TaskCancelledError } from '@spindle/core';
import type { InvalidTaskCode, TaskHandle } from '@spindle/core';

/** Asserts that `error` is the cancellation of `handle` with `cause` as its reason. */
export function expectCancellation(error: unknown, handle: TaskHandle<unknown>, cause: unknown): void {
  expect(error, 'the handle rejects with TaskCancelledError').toBeInstanceOf(TaskCancelledError);
  const cancelled = error as TaskCancelledError;
  expect(cancelled.cause, 'the cancellation reason arrives as cause').toBe(cause);
  expect(cancelled.taskId, 'the error names the cancelled task').toBe(handle.id);
  expect(handle.state).toBe('cancelled');
}

/** Asserts that `error` is an `InvalidTaskError` with `code`. */
export function expectInvalidTask(error: unknown, code: InvalidTaskCode): void {
  expect(error, `an InvalidTaskError (${code})`).toBeInstanceOf(InvalidTaskError);
  expect((error as InvalidTaskError).code).toBe(code);
  expect((error as InvalidTaskError).message).not.toBe('');
}

/** Runs `fn`, which must throw synchronously, and returns what it threw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw synchronously, but it returned');
}
