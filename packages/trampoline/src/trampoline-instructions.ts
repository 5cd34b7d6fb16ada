import { InvalidTaskError } from '@spindle/core';
import type { TaskContext } from '@spindle/core';
import type { Coroutine, InstructionHandler } from '@spindle/core/kit';
import { ContextCall } from './instruction.js';
import { OperationCall } from './operation.js';
import { TrampolineTask } from './trampoline-task.js';

const GeneratorPrototype: unknown = Object.getPrototypeOf(function* () {
  /* only its prototype is used */
}.prototype);

/**
 * The trampoline's side of the instruction protocol (see `Instruction`): what it answers
 * within the step, on the heap, without a microtask. Promise-likes it does not answer
 * here are parked on by the executor.
 *
 * - a {@link OperationCall} (what `yield*` of an operation() generator yields) or a generator
 *   object: called (the caller waits in the coroutine's frame stack);
 * - a {@link ContextCall}: answered with what its function returns for the task's context;
 * - a handle of a trampoline task that has already fulfilled: answered with its result;
 * - the task's own handle: `InvalidTaskError` thrown in (it would wait forever).
 */
export const trampolineInstructions: InstructionHandler = (yielded: unknown, coroutine: Coroutine, ctx: TaskContext): boolean => {
  if (yielded instanceof OperationCall) {
    // `yield*` of an operation() generator: the common case, recognised first.
    coroutine.call(yielded.generator);
    return true;
  }
  if (typeof yielded !== 'object' || yielded === null) return false;
  const prototype: unknown = Object.getPrototypeOf(yielded);
  if (prototype !== null && Object.getPrototypeOf(prototype) === GeneratorPrototype) {
    coroutine.call(yielded as Generator);
    return true;
  }
  if (yielded instanceof ContextCall) {
    // An error it throws is thrown in at the yield by the coroutine.
    coroutine.resolve(yielded.run(ctx));
    return true;
  }
  if (yielded instanceof TrampolineTask) {
    if (yielded.state === 'fulfilled') {
      yielded.observed = true;
      coroutine.resolve(yielded.observeOutcome());
      return true;
    }
    if (yielded.id === ctx.taskId) {
      // It would wait for itself forever.
      coroutine.reject(new InvalidTaskError('invalid-yield', `task ${yielded.describe()} waited for its own handle: a task cannot join itself`));
      return true;
    }
  }
  return false;
};
