import { whenAll } from './children.js';
import { assertItems, concurrently } from './concurrently.js';
import type { Item } from './concurrently.js';
import type { Instruction } from './instruction.js';
import { operation } from './operation.js';
import type { Operation, OperationResult } from './operation.js';

/** What `all` answers with: each item's result, in order, as a tuple when given one. */
export type AllResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: OperationResult<T[K]> };

const allOf = operation(function* all(items: readonly Item[]): Generator<Instruction, unknown, unknown> {
  if (items.length === 0) return [];
  return yield* concurrently(whenAll, items);
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
