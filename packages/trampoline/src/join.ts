import { InvalidTaskError } from '@spindle/core';
import { Task, describeValue, isThenable } from '@spindle/core/kit';
import type { TaskHandle } from '@spindle/core';
import { Instruct } from './instruction.js';
import type { Operation } from './operation.js';

/**
 * Waits for a task and answers with its result, or throws its error in:
 * `const user = yield* join(handle)`. Joining marks the child as observed, so its failure
 * comes here instead of failing the parent. A child that has already fulfilled is
 * answered within the step.
 * @throws InvalidTaskError (`invalid-yield`) when `handle` is not a task handle (a promise-like)
 */
export function join<T>(handle: TaskHandle<T>): Operation<T> {
  if (!isThenable(handle)) throw new InvalidTaskError('invalid-yield', `join() expects a task handle, got ${describeValue(handle)}`);
  if (handle instanceof Task) handle.observed = true;
  return new Instruct<T>(handle);
}
