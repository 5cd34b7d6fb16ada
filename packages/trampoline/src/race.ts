import { InvalidTaskError } from '@spindle/core';
import { whenFirst } from './children.js';
import { assertItems, concurrently } from './concurrently.js';
import type { Item } from './concurrently.js';
import type { Instruction } from './instruction.js';
import { operation } from './operation.js';
import type { Operation, OperationResult } from './operation.js';

const raceOf = operation(function* race(items: readonly Item[]): Generator<Instruction, unknown, unknown> {
  return yield* concurrently(whenFirst, items);
});

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
