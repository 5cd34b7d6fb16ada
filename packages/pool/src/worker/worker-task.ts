import { SteppedTask } from '@spindle/core/kit';
import type { SpawnOptions } from '@spindle/core';
import type { SteppedOwner, Task } from '@spindle/core/kit';
import { mainOwner } from '../shared/slot-table.js';

/** Where a task running in a worker reports its outcome. */
export const ReportTo = {
  /** Nowhere else: its handle is in this worker (a child spawned here). */
  here: -2,
  /** The main thread, which holds the handle. */
  main: mainOwner,
} as const;

/**
 * A task as a worker keeps it: a task the kit's harness steps, plus where it lives in
 * shared memory. The same object is the handle of a child spawned in this worker (a proxy
 * while the child waits in a shared queue or runs on another worker) and the running task
 * when this worker runs it.
 */
export class WorkerTask extends SteppedTask {
  /** Shared slot of a task that went through shared memory, else -1. */
  slot = -1;
  /** Where the outcome goes: {@link ReportTo} or the index of the worker holding the handle. */
  reportTo: number = ReportTo.here;
  /**
   * The slot of its nearest ancestor that went through shared memory, or -1: while it has no
   * slot of its own, the cancel watchdog watches that one for it (see `WorkerRuntime.step`).
   */
  watchSlot = -1;
  /** Its position among the children its worker keeps unstarted and unserialised, or -1 (see `UnsharedChildren`). */
  keptAt = -1;
  /** The URL of its body's module, once it has one here. */
  module: string | undefined = undefined;

  constructor(owner: SteppedOwner, parent: Task | undefined, id: number, options: SpawnOptions | undefined) {
    super(owner, parent, options);
    // Ids are pool-wide (a child may run on any worker and the main thread reports events
    // for all of them), so the pool assigns them rather than this thread's counter.
    (this as { id: number }).id = id;
  }
}
