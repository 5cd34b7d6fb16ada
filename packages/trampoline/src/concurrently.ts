import { InvalidTaskError } from '@spindle/core';
import { describeValue, isThenable } from '@spindle/core/kit';
import type { TaskHandle } from '@spindle/core';
import { stopChildren } from './children.js';
import type { Instruction } from './instruction.js';
import type { Operation } from './operation.js';
import { startOperation } from './start-operation.js';
import { taskContext } from './task-context.js';

/** What `all` and `race` take: operations and promise-likes. */
export type Item = Operation<unknown> | PromiseLike<unknown>;

/**
 * Starts every operation in `items` as a child task, waits for the promise-likes among
 * them too, and joins the lot. `items` must be an array of operations and promise-likes.
 * @internal
 */
export function* concurrently(
  combine: (waits: PromiseLike<unknown>[]) => Promise<unknown>,
  items: readonly Item[],
): Generator<Instruction, unknown, unknown> {
  const ctx = yield* taskContext();
  const children: TaskHandle<unknown>[] = [];
  try {
    const waits = items.map((item) => {
      if (isThenable(item)) return item;
      const child = ctx.spawn(startOperation, [item]);
      children.push(child);
      return child;
    });
    return yield combine(waits);
  } finally {
    // The first failure (or winner, or our own cancellation) ends the rest, and their
    // cleanup finishes before we return or throw.
    yield* stopChildren(children);
  }
}

/**
 * Throws `InvalidTaskError` (`invalid-yield`) naming the first item that is neither an
 * operation nor a promise-like.
 * @internal
 */
export function assertItems(items: unknown, name: string): asserts items is readonly Item[] {
  if (!Array.isArray(items)) {
    throw new InvalidTaskError('invalid-yield', `${name}() expects an array of operations, got ${describeValue(items)}`);
  }
  items.forEach((item: unknown, index) => {
    const isOperation =
      typeof item === 'object' && item !== null && typeof (item as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
    if (!isOperation && !isThenable(item)) {
      throw new InvalidTaskError('invalid-yield', `${name}() item ${index} is ${describeValue(item)}, not an operation or a promise-like`);
    }
  });
}
