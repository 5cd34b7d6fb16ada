import { InvalidTaskError } from '@spindle/core';
import { describeValue } from '@spindle/core/kit';
import { recordYieldFrame } from './error-frames.js';
import type { Instruction } from './instruction.js';

/**
 * A typed call the trampoline runs: `const n = yield* op` gives `n` the type `T`. Its
 * iterator yields one {@link Instruction} to the trampoline and returns what the
 * trampoline answers, so the trampoline, not native `yield*` nesting, holds the callers:
 * chains of any depth run in constant stack.
 *
 * Make operations with {@link operation} (from a generator function), {@link until} (from a
 * promise), or the combinators (`sleep`, `all`, `race`, `spawn`, `join`, `timeout`).
 */
export interface Operation<T> {
  [Symbol.iterator](): Iterator<Instruction, T, unknown>;
}

/** The result type of an operation or promise-like, for typing combinators. */
export type OperationResult<O> = O extends Operation<infer R> ? R : O extends PromiseLike<infer R> ? Awaited<R> : never;

/**
 * The iterator `yield*` drives for a generator made by an {@link operation} function: it
 * yields itself, an instruction the trampoline recognises with one `instanceof`, to ask
 * for a call of its generator, and returns the callee's result.
 * @internal
 */
export class OperationCall implements Iterator<Instruction, unknown, unknown> {
  readonly generator: Generator<unknown, unknown, unknown>;
  private handed = false;
  /** The last result's `done` (it is its own iterator result, as `Instruct` is). */
  done = false;
  /** The last result's `value`: itself, then the callee's result. */
  value: unknown = undefined;

  constructor(generator: Generator<unknown, unknown, unknown>) {
    this.generator = generator;
  }

  next(answer?: unknown): IteratorResult<Instruction, unknown> {
    if (this.handed) {
      this.done = true;
      this.value = answer;
    } else {
      this.handed = true;
      this.value = this;
    }
    return this as IteratorResult<Instruction, unknown>;
  }

  throw(error: unknown): IteratorResult<Instruction, unknown> {
    recordYieldFrame(error);
    throw error;
  }

  return(value?: unknown): IteratorResult<Instruction, unknown> {
    return { done: true, value };
  }
}

function callIterator(this: Generator<unknown, unknown, unknown>): Iterator<Instruction, unknown, unknown> {
  return new OperationCall(this);
}

/**
 * Turns a generator function into an operation factory: `yield* fn(...args)` then calls
 * it through the trampoline, which keeps the caller on its heap stack instead of nesting
 * generators natively. Recursion 100,000 calls deep and synchronous chains of any length
 * run in constant stack, errors carry the chain of `yield*` frames they passed through, and
 * cancellation returns every frame innermost first.
 *
 * The function is returned as is (its generators' `[Symbol.iterator]` is what changes), so
 * its name shows in stack traces.
 *
 * @example
 * ```ts
 * const getNumber = operation(function* getNumber(n: number) {
 *   yield* sleep(1);
 *   return n * 2;
 * });
 * const n = yield* getNumber(21); // n: number
 * ```
 * @throws InvalidTaskError (`not-a-body`) when `fn` is not a generator function
 */
export function operation<A extends unknown[], R>(
  fn: (...args: A) => Generator<Instruction, R, unknown>,
): (...args: A) => Operation<R> {
  if (!isGeneratorFunction(fn)) {
    throw new InvalidTaskError('not-a-body', `operation() expects a generator function, got ${describeValue(fn)}`);
  }
  const prototype = (fn as unknown as { prototype: object }).prototype;
  if (!Object.hasOwn(prototype, Symbol.iterator)) {
    Object.defineProperty(prototype, Symbol.iterator, { value: callIterator, writable: true, configurable: true });
  }
  return fn;
}

/**
 * Throws `InvalidTaskError` (`not-a-body`) naming `op` unless it is an operation (has a
 * `[Symbol.iterator]`), so that bad input fails at the call that passed it.
 * @internal
 */
export function assertOperation(op: unknown, where: string): asserts op is Operation<unknown> {
  if (typeof op !== 'object' || op === null || typeof (op as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function') {
    throw new InvalidTaskError('not-a-body', `${where} expects an operation (what yield* runs), got ${describeValue(op)}`);
  }
}

function isGeneratorFunction(value: unknown): boolean {
  return typeof value === 'function' && (value as { constructor?: { name?: unknown } }).constructor?.name === 'GeneratorFunction';
}
