import { InvalidTaskError, SpindleError } from '@spindle/core';
import { brandErrorClass } from '@spindle/core/kit';

/**
 * The worker running a task died (it threw outside any task, called `process.exit`, or hit
 * a resource limit) before the task finished. The pool replaced the worker; tasks that were
 * only queued on it ran elsewhere. `cause` is what the worker died of, when known.
 */
export class WorkerCrashedError extends SpindleError {
  /** Index of the worker in the pool (its replacement takes the same index). */
  readonly worker: number;

  constructor(worker: number, cause: unknown) {
    super(`pool worker ${worker} died while running this task: ${describeCause(cause)}`, { cause });
    this.worker = worker;
  }
}

/** `spawn` was refused because `maxQueue` tasks are already waiting (`onFull: 'reject'`). */
export class QueueFullError extends SpindleError {
  /** The `maxQueue` option in force. */
  readonly maxQueue: number;

  constructor(executor: string, maxQueue: number) {
    super(`executor ${executor} has ${maxQueue} tasks queued (maxQueue); spawn refused`);
    this.maxQueue = maxQueue;
  }
}

/** What was wrong with a transfer list (see {@link InvalidTransferError}). */
export type TransferProblem = 'not-an-array' | 'not-an-array-buffer' | 'shared' | 'duplicate' | 'detached' | 'not-in-values';

/**
 * A transfer list (`spawn`'s `transfer` option, or `moved(value, transfer)`) that cannot
 * move: not an array, an entry that is not an `ArrayBuffer` or is a `SharedArrayBuffer`, a
 * buffer listed twice or already detached, or one that is not in the arguments (or the
 * result). An `InvalidTaskError` with code `invalid-options`.
 */
export class InvalidTransferError extends InvalidTaskError {
  /** Which rule the list broke. */
  readonly problem: TransferProblem;
  /** Index of the entry at fault in the list, or -1 for the list itself. */
  readonly index: number;

  constructor(problem: TransferProblem, index: number, message: string) {
    super('invalid-options', message);
    this.problem = problem;
    this.index = index;
  }
}

// Branded: `instanceof` holds across the ES module and CommonJS builds, and the boundary
// codec brings these back as their own classes from a worker.
brandErrorClass(WorkerCrashedError, '@spindle/pool:WorkerCrashedError');
brandErrorClass(QueueFullError, '@spindle/pool:QueueFullError');
brandErrorClass(InvalidTransferError, '@spindle/pool:InvalidTransferError');

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'number') return `it exited with code ${cause}`;
  return String(cause);
}
