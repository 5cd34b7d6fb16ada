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
  return { $spindle: 'task-reference', module, export: exportName };
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

type Loaded = TaskFunction<unknown[]>;
const loaded = new Map<string, Loaded>();
const loading = new Map<string, Promise<Loaded>>();
/**
 * Modules already imported in this thread, by URL. A body whose module is here starts
 * synchronously, without a wait: a pool worker that parks every task of a module it
 * already holds on a fresh import() would take them all off its deque, out of reach of
 * thieves, before the first one runs.
 */
const modules = new Map<string, Record<string, unknown>>();

function keyOf(ref: TaskReference<never>): string {
  return `${ref.export}\u0000${ref.module}`;
}

/** The body behind a reference if it has been loaded in this thread already, else `undefined`. */
export function loadedTaskReference(ref: TaskReference<never>): Loaded | undefined {
  const key = keyOf(ref);
  const done = loaded.get(key);
  if (done !== undefined) return done;
  const body = modules.get(ref.module)?.[ref.export];
  if (typeof body !== 'function') return undefined;
  loaded.set(key, body as Loaded);
  return body as Loaded;
}

/**
 * Imports the module behind a reference (once per thread) and returns the body.
 * Rejects with `InvalidTaskError` (`unknown-reference`) naming the module or export when
 * either is missing or the export is not a function.
 */
export function loadTaskReference(ref: TaskReference<never>): Promise<Loaded> {
  const key = keyOf(ref);
  const done = loaded.get(key);
  if (done !== undefined) return Promise.resolve(done);
  let pending = loading.get(key);
  if (pending === undefined) {
    pending = importBody(ref).then(
      (fn) => {
        loaded.set(key, fn);
        loading.delete(key);
        return fn;
      },
      (error: unknown) => {
        // A failed load is not cached: the module may appear later (a build finishing).
        loading.delete(key);
        throw error;
      },
    );
    loading.set(key, pending);
  }
  return pending;
}

async function importBody(ref: TaskReference<never>): Promise<Loaded> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>;
    modules.set(ref.module, namespace);
  } catch (error) {
    throw new InvalidTaskError('unknown-reference', `cannot load task module ${ref.module}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const body = namespace[ref.export];
  if (typeof body !== 'function') {
    throw new InvalidTaskError(
      'unknown-reference',
      body === undefined
        ? `task module ${ref.module} has no export named "${ref.export}"`
        : `export "${ref.export}" of ${ref.module} is ${describeValue(body)}, not a function`,
    );
  }
  return body as Loaded;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
