import { InvalidOptionsError } from '@spindle/core';
import type { TaskHandle } from '@spindle/core';
import { assertKnownOptions, describeValue, isThenable } from '@spindle/core/kit';
import { observe, stopChildren, whenAll } from './children.js';
import { assertItems, concurrently } from './concurrently.js';
import type { Item } from './concurrently.js';
import type { Instruction } from './instruction.js';
import { operation } from './operation.js';
import type { Operation, OperationResult } from './operation.js';
import { startOperation } from './start-operation.js';
import { taskContext } from './task-context.js';

/** What `all` answers with: each item's result, in order, as a tuple when given one. */
export type AllResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: OperationResult<T[K]> };

/** Options of {@link all}. */
export interface AllOptions {
  /**
   * At most this many of the operations run at once, as child tasks; the next starts as
   * one settles, in order. Promise-likes among the items are already running and do not
   * count. A positive integer; default: no limit (all start at once).
   */
  readonly concurrency?: number;
}

const allOf = operation(function* all(items: readonly Item[]): Generator<Instruction, unknown, unknown> {
  if (items.length === 0) return [];
  return yield* concurrently(whenAll, items);
});

const allLimited = operation(function* all(items: readonly Item[], limit: number): Generator<Instruction, unknown, unknown> {
  const ctx = yield* taskContext();
  const children: TaskHandle<unknown>[] = [];
  // Tagged elements from the start, as in `whenAll`: integers then stay small integers.
  const results = new Array<unknown>(items.length).fill(undefined);
  let failed = false;
  try {
    yield new Promise<void>((resolve, reject) => {
      let next = 0;
      let running = 0;
      let left = items.length;
      const startMore = (): void => {
        while (!failed && next < items.length) {
          const index = next;
          const item = items[index];
          if (item === undefined) return;
          const limited = !isThenable(item);
          if (limited && running >= limit) return;
          next++;
          let wait: PromiseLike<unknown>;
          if (limited) {
            const child = ctx.spawn(startOperation, [item]);
            children.push(child);
            running++;
            wait = child;
          } else {
            wait = item;
          }
          observe(
            wait,
            (value) => {
              results[index] = value;
              if (limited) running--;
              if (--left === 0) resolve();
              else startMore();
            },
            (error: unknown) => {
              failed = true;
              reject(error);
            },
          );
        }
      };
      startMore();
    });
    return results;
  } finally {
    // A failure (or our own cancellation) ends the children running, and starts no more.
    failed = true;
    yield* stopChildren(children);
  }
});

/**
 * Runs operations concurrently, each as a child task, and answers with all their results
 * in order: `const [user, posts] = yield* all([getUser(id), getPosts(id)])` (typed as a
 * tuple). Promise-likes may be mixed in. The first failure is thrown in, after the other
 * children have been cancelled and their cleanup has run. Cancelling the caller cancels
 * them all. With `{ concurrency: n }`, at most `n` run at once.
 * @throws InvalidTaskError (`invalid-yield`) when `items` is not an array of operations and promise-likes
 * @throws InvalidOptionsError (`concurrency`) for a limit that is not a positive integer
 */
export function all<const T extends readonly Item[]>(items: T, options?: AllOptions): Operation<AllResults<T>> {
  assertItems(items, 'all');
  assertKnownOptions('all()', options, ['concurrency']);
  const limit: unknown = options?.concurrency ?? Number.POSITIVE_INFINITY;
  if (typeof limit !== 'number' || !(Number.isInteger(limit) || limit === Number.POSITIVE_INFINITY) || limit < 1) {
    throw new InvalidOptionsError('concurrency', `all() concurrency must be a positive integer (or Infinity), got ${describeValue(limit)}`);
  }
  if (limit >= items.length) return allOf(items) as Operation<AllResults<T>>;
  return allLimited(items, limit) as Operation<AllResults<T>>;
}
