import { InvalidTaskError, describeValue } from '../contract/errors.js';
import type { TaskFunction } from '../contract/body.js';
import type { TaskReference } from '../contract/task-reference.js';

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
