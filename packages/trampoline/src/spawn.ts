import { InvalidTaskError, Task, describeValue, isThenable } from '@spindle/core';
import type { SpawnOptions, TaskContext, TaskHandle } from '@spindle/core';
import { ContextCall, Instruct, assertOperation } from './operation.js';
import type { Operation } from './operation.js';
import { startOperation } from './start-operation.js';

/**
 * Starts `op` as a child task of the running task and answers with its handle at once:
 * `const handle = yield* spawn(fetchUser(id))`. The child is structured: cancelling the
 * parent cancels it, the parent does not settle before it, and if it fails while nobody
 * has joined it, the parent fails (and its other children are cancelled).
 * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation
 */
export function spawn<T>(op: Operation<T>, options?: SpawnOptions): Operation<TaskHandle<T>> {
  assertOperation(op, 'spawn()');
  return new Instruct<TaskHandle<T>>(
    new ContextCall((ctx: TaskContext) => ctx.spawn(startOperation, [op as Operation<unknown>], options)),
  );
}

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
