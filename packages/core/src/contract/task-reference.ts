import { InvalidTaskError, describeValue } from './errors.js';
import type { TaskFunction, BodyResult } from './body.js';
import type { TaskContext } from './context.js';

/**
 * A name for a body that any thread can load: the URL of the module that exports it and
 * the export's name. It is a plain object, so it crosses threads and processes as is.
 * The type parameters carry the body's arguments and result for typed `spawn` calls.
 */
export interface TaskReference<A extends unknown[] = unknown[], R = unknown> {
  readonly $spindle: 'task-reference';
  /** Absolute module URL (`file:`, `data:` or `node:`), usually `import.meta.url`. */
  readonly module: string;
  /** Name of the export that holds the body. */
  readonly export: string;
  /** Type-only: never present at run time. */
  readonly __types?: (args: A) => R;
}

type ArgsOf<F> = F extends (ctx: TaskContext, ...args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (...args: never[]) => infer X ? BodyResult<X> : never;

/**
 * Declares a body once so that any executor, a worker pool included, can load and run it.
 *
 * @example
 * ```ts
 * export function* fib(ctx: TaskContext, n: number): Generator<unknown, number> { ... }
 * export const fibRef = taskRef<typeof fib>(import.meta.url, 'fib');
 * ```
 * Arguments and results of referenced tasks must be structured-cloneable.
 */
export function taskRef<F extends TaskFunction>(
  moduleUrl: string | URL,
  exportName: string,
): TaskReference<ArgsOf<F>, ResultOf<F>> {
  const module = typeof moduleUrl === 'string' ? moduleUrl : moduleUrl.href;
  if (!isAbsoluteModuleUrl(module)) {
    throw new InvalidTaskError(
      'unknown-reference',
      `task reference module must be an absolute URL such as import.meta.url, got ${describeValue(moduleUrl)}`,
    );
  }
  if (typeof exportName !== 'string' || exportName === '') {
    throw new InvalidTaskError('unknown-reference', `task reference export name must be a non-empty string, got ${describeValue(exportName)}`);
  }
  // Frozen: executors cache the loaded body by the reference object itself.
  return Object.freeze({ $spindle: 'task-reference', module, export: exportName });
}

/** True for objects made by {@link taskRef} (or received from another thread). */
export function isTaskReference(value: unknown): value is TaskReference<never> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { $spindle?: unknown }).$spindle === 'task-reference' &&
    typeof (value as { module?: unknown }).module === 'string' &&
    typeof (value as { export?: unknown }).export === 'string'
  );
}

function isAbsoluteModuleUrl(url: unknown): url is string {
  if (typeof url !== 'string') return false;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'file:' || parsed.protocol === 'data:' || parsed.protocol === 'node:';
  } catch {
    return false;
  }
}
