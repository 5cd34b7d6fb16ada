import type { TaskContext, YieldPoint } from '@spindle/core';
import { recordYieldFrame } from './error-frames.js';
import type { Operation, OperationCall } from './operation.js';

/**
 * Asks the trampoline to run a function with the running task's context and to answer
 * the yield with its result (or throw its error in): how operations reach `spawn`,
 * `join` and the signal without being handed the context. Only the trampoline
 * understands it; see {@link taskContext}.
 */
export class ContextCall {
  /** @internal Called as a method of the call (`call.run(ctx)`), so a subclass may keep its arguments in fields. */
  readonly run: (ctx: TaskContext) => unknown;

  constructor(run: (ctx: TaskContext) => unknown) {
    this.run = run;
  }
}

/**
 * What a body or an operation may yield to the trampoline, one per step:
 * - a promise-like (a task handle too): park until it settles, resume with its value or
 *   have its rejection thrown in;
 * - `undefined` or `ctx.yield()`: go to the back of the ready queue;
 * - an {@link OperationCall} (what `yield*` of an {@link operation} generator yields) or a
 *   generator object: call it (its callers wait on the heap) and resume with its result;
 * - a {@link ContextCall}: resume at once with what its function returns for the task's context.
 *
 * Anything else is thrown back in at the yield as `InvalidTaskError` (`invalid-yield`).
 */
export type Instruction = PromiseLike<unknown> | YieldPoint | Generator<unknown, unknown, unknown> | OperationCall | ContextCall | undefined;

/**
 * An operation made of one instruction: the iterator `yield*` drives. Its first `next()`
 * hands the instruction to the trampoline, its second returns the trampoline's answer.
 * An error the trampoline throws in passes through `throw()`, which notes the caller's
 * frame on the error's stack on the way.
 *
 * It is its own iterator result (`done`, `value`): `yield*` reads each result at once and
 * passes it up unchanged, so two result objects per call (a spawn, a join, a wait) are
 * spared.
 * @internal
 */
export class Instruct<T> implements Operation<T>, Iterator<Instruction, T, unknown> {
  private readonly instruction: Instruction;
  /** `[Symbol.iterator]` was called: a second `yield*` of the same operation gets a fresh iterator. */
  private iterated = false;
  /** The instruction went to the trampoline: the next `next()` carries its answer. */
  private handed = false;
  /** The last result's `done`. */
  done = false;
  /** The last result's `value`: the instruction, then the answer. */
  value: unknown = undefined;

  constructor(instruction: Instruction) {
    this.instruction = instruction;
  }

  [Symbol.iterator](): Iterator<Instruction, T, unknown> {
    if (this.iterated) return new Instruct<T>(this.instruction);
    this.iterated = true;
    return this;
  }

  next(answer?: unknown): IteratorResult<Instruction, T> {
    if (this.handed) {
      this.done = true;
      this.value = answer;
    } else {
      this.handed = true;
      this.value = this.instruction;
    }
    return this as unknown as IteratorResult<Instruction, T>;
  }

  throw(error: unknown): IteratorResult<Instruction, T> {
    recordYieldFrame(error);
    throw error;
  }

  return(value?: T): IteratorResult<Instruction, T> {
    return { done: true, value: value as T };
  }
}
