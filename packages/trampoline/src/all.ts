import { InvalidTaskError, describeValue, isThenable } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { stopChildren, whenAll, whenFirst } from './children.js';
import { operation, taskContext } from './operation.js';
import type { Instruction, Operation, OperationResult } from './operation.js';
import { startOperation } from './start-operation.js';

/** What `all` answers with: each item's result, in order, as a tuple when given one. */
export type AllResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: OperationResult<T[K]> };

type Item = Operation<unknown> | PromiseLike<unknown>;

/**
 * Starts every operation in `items` as a child task, waits for the promise-likes among
 * them too, and joins the lot. `items` must be an array of operations and promise-likes.
 * @internal
 */
function* concurrently(
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

const allOf = operation(function* all(items: readonly Item[]): Generator<Instruction, unknown, unknown> {
  if (items.length === 0) return [];
  return yield* concurrently(whenAll, items);
});

const raceOf = operation(function* race(items: readonly Item[]): Generator<Instruction, unknown, unknown> {
  return yield* concurrently(whenFirst, items);
});

/**
 * Runs operations concurrently, each as a child task, and answers with all their results
 * in order: `const [user, posts] = yield* all([getUser(id), getPosts(id)])` (typed as a
 * tuple). Promise-likes may be mixed in. The first failure is thrown in, after the other
 * children have been cancelled and their cleanup has run. Cancelling the caller cancels
 * them all.
 * @throws InvalidTaskError (`invalid-yield`) when `items` is not an array of operations and promise-likes
 */
export function all<const T extends readonly Item[]>(items: T): Operation<AllResults<T>> {
  assertItems(items, 'all');
  return allOf(items) as Operation<AllResults<T>>;
}

/**
 * Runs operations concurrently, each as a child task, and settles like the first to settle
 * (its result, or its error thrown in); the others are cancelled and their cleanup has run
 * before it returns.
 * @throws InvalidTaskError (`invalid-yield`) for an empty array, or anything but operations and promise-likes
 */
export function race<const T extends readonly Item[]>(items: T): Operation<OperationResult<T[number]>> {
  assertItems(items, 'race');
  if (items.length === 0) throw new InvalidTaskError('invalid-yield', 'race() needs at least one operation: a race of none never ends');
  return raceOf(items) as Operation<OperationResult<T[number]>>;
}

function assertItems(items: unknown, name: string): asserts items is readonly Item[] {
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
