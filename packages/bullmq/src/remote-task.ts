import { Task } from '@spindle/core/kit';
import type { SpawnOptions } from '@spindle/core';
import type { TaskOwner } from '@spindle/core/kit';
import type { Outbound, Spawner } from './spawner.js';

/**
 * The handle of a task whose body runs as a job: core's Task (state, children, cancellation,
 * settlement), settled by the outcome that arrives in its spawner's inbox.
 */
export class RemoteTask extends Task {
  /** The job, once the task was handed to the spawner. */
  outbound: Outbound | undefined = undefined;

  constructor(owner: TaskOwner, parent: Task | undefined, options: SpawnOptions | undefined, id?: number) {
    super(owner, parent, options);
    // Tasks spawned in worker processes take ids unique across all of them (see
    // WorkerRuntime), so that every process's events about them can be told apart.
    if (id !== undefined) (this as { id: number }).id = id;
  }

  /**
   * Stops the task's job (its owner's `interrupt`): a task that never got one settles as
   * cancelled now; otherwise the spawner drops, removes or cancels the job (see Spawner.cancel).
   */
  cancelJob(spawner: Spawner | undefined): void {
    const outbound = this.outbound;
    if (outbound === undefined) this.finish(false, undefined);
    else spawner?.cancel(outbound, this.cancellationError().cause);
  }
}
