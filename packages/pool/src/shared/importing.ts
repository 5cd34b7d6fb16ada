import { isMainThread } from 'node:worker_threads';
import { InvalidTaskError } from '@spindle/core';
import type { TaskReference } from '@spindle/core';

/**
 * Task modules a pool worker on this thread is importing right now, to run a task: set by
 * the worker (its own build of this package), read by any pool made in the same thread (a
 * task module imports another copy). One registry per thread, on `globalThis`.
 */
const registryKey = Symbol.for('@spindle/pool:importing-task-modules@1');
const registry = globalThis as unknown as Record<symbol, Set<string> | undefined>;

/** The modules this thread's pool worker is importing (made on first use). */
export function importingModules(): Set<string> {
  return (registry[registryKey] ??= new Set<string>());
}

/**
 * Refuses a spawn made in a pool worker, on any pool, of a task whose module that worker is
 * importing right now: the spawn comes from that module's top level, so running the task
 * means importing the module again, which spawns again. On a pool that nests a pool per
 * import, for ever; the main thread's top-level `await` never settles.
 * @throws InvalidTaskError (`invalid-options`) naming the module and the rule
 */
export function assertNotImporting(ref: TaskReference<never>): void {
  if (isMainThread || registry[registryKey]?.has(ref.module) !== true) return;
  throw new InvalidTaskError(
    'invalid-options',
    `spawn of a task of ${ref.module} at the top level of that module, which a pool worker is importing to run one of its tasks: ` +
      'a task module must have no top-level side effects (importing it to run a task would spawn the task again, for ever). ' +
      'Move the code that spawns into another module (the entry point) and import the task module from there.',
  );
}
