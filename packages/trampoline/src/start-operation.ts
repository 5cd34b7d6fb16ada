import type { TaskContext } from '@spindle/core';
import type { Instruction } from './instruction.js';
import type { Operation } from './operation.js';

const GeneratorPrototype: unknown = Object.getPrototypeOf(function* () {
  /* only its prototype is used */
}.prototype);

function* delegate<T>(op: Operation<T>): Generator<Instruction, T, unknown> {
  return yield* op;
}

/**
 * The body of a task that runs an operation (`executor.run(op)`, `spawn(op)`, `all`, …).
 * An operation made by `operation()` is a generator object: it becomes the body's
 * generator itself, without a frame in between.
 */
export function startOperation<T>(_ctx: TaskContext, op: Operation<T>): Generator<Instruction, T, unknown> {
  const prototype: unknown = Object.getPrototypeOf(op);
  if (prototype !== null && Object.getPrototypeOf(prototype) === GeneratorPrototype) return op as Generator<Instruction, T, unknown>;
  return delegate(op);
}
