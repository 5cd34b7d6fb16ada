import { decodeError } from '@spindle/core/kit';
import type { Task } from '@spindle/core/kit';
import { Status } from './slot-table.js';

/**
 * Settles the handle of a task whose body ran on another thread, with the outcome its
 * runner reported: a `Status`, and the value (a result, or an error as the kit's codec
 * encoded it). A task that was asked to stop and ended cancelled, or whose worker died
 * while it stopped (terminated by the pool to stop it), settles as cancelled.
 * @param crashed the error for a `Crashed` outcome of a task nobody stopped
 */
export function finishFromStatus(task: Task, status: number, value: unknown, crashed: () => Error): void {
  switch (status) {
    case Status.Fulfilled:
      task.finish(false, value);
      return;
    case Status.Cancelled:
    case Status.Crashed:
      if (task.stopping) task.finish(false, undefined);
      else task.finish(true, status === Status.Crashed ? crashed() : decodeError(value));
      return;
    default:
      task.finish(true, decodeError(value));
  }
}
