import { InvalidTaskError, describeValue } from '../contract/errors.js';
import type { TaskFunction } from '../contract/body.js';
import type { TaskReference } from '../contract/task-reference.js';

type Loaded = TaskFunction<unknown[]>;
const loaded = new Map<string, Loaded>();
/**
 * The same, by reference object: a body spawned many times usually passes one `taskRef`
 * object each time, and looking it up by identity spares building the string key per
 * spawn (a sixth of a pool worker's time per nested task, profiled).
 */
const loadedByRef = new WeakMap<TaskReference<never>, Loaded>();
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
  const known = loadedByRef.get(ref);
  if (known !== undefined) return known;
  const key = keyOf(ref);
  let done = loaded.get(key);
  if (done === undefined) {
    const body = modules.get(ref.module)?.[ref.export];
    if (typeof body !== 'function') return undefined;
    done = body as Loaded;
    loaded.set(key, done);
  }
  // A reference is frozen (taskRef freezes it), so its body cannot change under the object.
  if (Object.isFrozen(ref)) loadedByRef.set(ref, done);
  return done;
}

/**
 * Imports the module behind a reference (once per thread) and returns the body.
 * Rejects with `InvalidTaskError`: `unknown-reference` naming the module or export when
 * either is missing or the export is not a function; `module-failed` when the module threw
 * while it was evaluated (its error is the `cause`).
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
  watchForDeadlock(ref.module);
  try {
    namespace = (await import(ref.module)) as Record<string, unknown>;
    modules.set(ref.module, namespace);
  } catch (error) {
    throw loadFailure(ref.module, error);
  } finally {
    importing.delete(ref.module);
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

/** Node's error codes for a module it could not find or resolve (as opposed to one that threw). */
const notFound = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT', 'ERR_INVALID_URL', 'ERR_UNSUPPORTED_ESM_URL_SCHEME']);

/** What an import of a task module that failed is reported as. */
function loadFailure(module: string, error: unknown): InvalidTaskError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(new URL(module).pathname)) {
    return new InvalidTaskError(
      'unknown-reference',
      `cannot load task module ${module}: Node 20 does not load TypeScript by itself. Point the reference at the built JavaScript, or load TypeScript where the module is imported (for a thread pool, start its workers with a TypeScript loader; see the executor's README)`,
      { cause: error },
    );
  }
  if (typeof code === 'string' && notFound.has(code)) {
    return new InvalidTaskError('unknown-reference', `cannot load task module ${module}: ${messageOf(error)}`, { cause: error });
  }
  // The module was found and threw while it was evaluated (or failed to parse).
  return new InvalidTaskError('module-failed', `task module ${module} threw while it was imported: ${messageOf(error)}`, { cause: error });
}

/** Task modules being imported on this thread right now. */
const importing = new Set<string>();
let watching = false;

/**
 * Notes that `module` is being imported, and makes sure that if the process ends with
 * code 13 (a top-level `await` that never settled) while a task module is still being
 * imported, it says why instead of exiting silently: the usual cause is a module that
 * spawns a task referencing itself at its top level and awaits it, so that importing the
 * module to run the task waits for the module's own top-level code, which waits for the task.
 */
function watchForDeadlock(module: string): void {
  importing.add(module);
  if (watching) return;
  watching = true;
  process.on('exit', (code) => {
    // Node 20 passes 0 here for an unsettled top-level await, and has set exitCode to 13.
    if ((code !== 13 && process.exitCode !== 13) || importing.size === 0) return;
    const modules = [...importing].join(', ');
    process.stderr.write(
      `spindle: the process ended with a top-level await that never settled while task module ${modules} was still being imported. ` +
        'A task module must have no top-level side effects: a module that spawns a task referencing itself, and awaits it at its top level, waits for itself for ever. ' +
        'Move the spawning code to another module (the entry point) and import the task module from there.\n',
    );
  });
}
