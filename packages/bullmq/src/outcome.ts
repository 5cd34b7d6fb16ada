import { decodeError } from '@spindle/core/kit';
import type { Task } from '@spindle/core/kit';
import { Status } from './messages.js';
import type { StatusCode } from './messages.js';

/** Settles a remote task's handle with the outcome its job reported. */
export function settleWith(task: Task, status: StatusCode, value: unknown): void {
  if (task.bodyFinished) return;
  switch (status) {
    case Status.fulfilled:
      task.finish(false, value);
      return;
    case Status.cancelled:
      // Cancelled on request: core makes the TaskCancelledError with the caller's reason.
      // Cancelled by anything else (its worker shut down): a failure the caller should see.
      if (task.stopping) task.finish(false, undefined);
      else task.finish(true, decodeError(value));
      return;
    default:
      task.finish(true, decodeError(value));
  }
}
