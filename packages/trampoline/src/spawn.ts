import type { SpawnOptions, TaskContext, TaskHandle } from '@spindle/core';
import { ContextCall, Instruct } from './instruction.js';
import { assertOperation } from './operation.js';
import type { Operation } from './operation.js';
import { startOperation } from './start-operation.js';

/**
 * The instruction `spawn(op)` yields: a context call that keeps what it spawns in fields,
 * rather than in a closure made for every spawn. The trampoline calls `run` on it as a
 * method (`request.run(ctx)`), which gives {@link spawnRequested} its `this`.
 */
class SpawnRequest extends ContextCall {
  readonly op: Operation<unknown>;
  readonly options: SpawnOptions | undefined;

  constructor(op: Operation<unknown>, options: SpawnOptions | undefined) {
    super(spawnRequested);
    this.op = op;
    this.options = options;
  }
}

function spawnRequested(this: SpawnRequest, ctx: TaskContext): TaskHandle<unknown> {
  return ctx.spawn(startOperation, [this.op], this.options);
}

/**
 * Starts `op` as a child task of the running task and answers with its handle at once:
 * `const handle = yield* spawn(fetchUser(id))`. The child is structured: cancelling the
 * parent cancels it, the parent does not settle before it, and if it fails while nobody
 * has joined it, the parent fails (and its other children are cancelled).
 * @throws InvalidTaskError (`not-a-body`) when `op` is not an operation
 */
export function spawn<T>(op: Operation<T>, options?: SpawnOptions): Operation<TaskHandle<T>> {
  assertOperation(op, 'spawn()');
  return new Instruct<TaskHandle<T>>(new SpawnRequest(op, options));
}
