// Task bodies for the pool's error tests (plain JavaScript, loaded in the workers): errors
// of a class the main thread does not have, and Spindle's own, thrown in workers.
import { threadId } from 'node:worker_threads';
import { TaskCancelledError, taskRef } from '@spindle/core';

const here = import.meta.url;

/** Where `failsWithDbError` says which thread it ran on, just before it throws. */
export const threadsChannel = 'spindle-pool-errors-threads';

/** A user's error class with a field of its own. */
export class DbError extends Error {
  code = 'E_DB';
}

/** Throws a DbError with a cause, after saying on `threadsChannel` which thread it runs on. */
export function failsWithDbError(_ctx, message) {
  const channel = new BroadcastChannel(threadsChannel);
  channel.postMessage(threadId);
  channel.close();
  throw new DbError(message, { cause: new RangeError('connection reset') });
}

/**
 * Spawns `failsWithDbError` onto this worker's deque, then blocks this worker until the
 * test stores a non-zero value in `word[0]`, so that the child can only run on another
 * worker (which steals it); then joins it, and so fails with its error. Its own thread id
 * goes to `word[1]` first.
 */
export function* joinsFailingChild(ctx, word, message) {
  const view = new Int32Array(word);
  const child = ctx.spawn(taskRef(here, 'failsWithDbError'), [message]);
  Atomics.store(view, 1, threadId);
  Atomics.wait(view, 0, 0);
  return yield ctx.join(child);
}

/** Throws Spindle's own TaskCancelledError (task 7, "seven", reason "why"). */
export function throwsCancelled() {
  throw new TaskCancelledError(7, 'seven', 'why');
}

/** Returns a function, which cannot cross to the main thread. */
export function returnsClosure() {
  return () => 1;
}
