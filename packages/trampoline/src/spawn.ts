import type { SpawnOptions, TaskContext, TaskHandle } from '@spindle/core';
import { ContextCall, Instruct } from './instruction.js';
import { assertOperation } from './operation.js';
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
