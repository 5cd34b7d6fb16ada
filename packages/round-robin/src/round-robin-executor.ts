import { ExecutorShell, resolveSliceOptions } from '@spindle/core/kit';
import type { ExecutorCapabilities, SpawnOptions } from '@spindle/core';
import type { ShellStats, Task } from '@spindle/core/kit';
import type { RoundRobinOptions } from './options.js';
import { ReadyQueue, SlotTable } from './ready-queue.js';
import { RoundRobinTask } from './round-robin-task.js';

const capabilities: ExecutorCapabilities = Object.freeze({
  name: 'round-robin',
  parallel: false,
  closures: true,
  clonesArguments: false,
  timeSliced: true,
  ordering: 'round-robin',
  priorities: true,
});

/** Figures a round-robin executor keeps about itself (see `ShellStats`). */
export type RoundRobinStats = ShellStats;

let executors = 0;

/**
 * One thread, a FIFO ready queue per priority, one step per ready task per turn.
 *
 * Fairness: a task that becomes ready goes to the back of its priority's queue, so with K
 * ready tasks of one priority none waits for more than K-1 steps of others. Priorities are
 * strict: a ready task of a higher priority always steps first, so a higher-priority task
 * that yields for ever starves lower ones (one that parks lets them run). Time-sliced: after `sliceMs` of
 * steps in one turn of the event loop the executor continues in `setImmediate`, so timers
 * and I/O are never starved. A parked task costs nothing until what it waits for settles.
 */
export class RoundRobinExecutor extends ExecutorShell<RoundRobinTask> {
  /** One thread, closures accepted, time-sliced, `round-robin` ordering. */
  readonly capabilities: ExecutorCapabilities = capabilities;
  private readonly table: SlotTable<RoundRobinTask>;

  /** @throws InvalidOptionsError naming the option at fault */
  constructor(options?: RoundRobinOptions) {
    const resolved = resolveSliceOptions('round-robin', options);
    const table = new SlotTable<RoundRobinTask>();
    super(resolved.label ?? `round-robin#${++executors}`, {
      sliceMs: resolved.sliceMs,
      concurrency: resolved.concurrency,
      lane: () => new ReadyQueue(table, 64),
    });
    this.table = table;
  }

  /** Current figures; cheap enough to poll. */
  get stats(): RoundRobinStats {
    return this.shellStats();
  }

  protected createTask(parent: Task | undefined, options: SpawnOptions | undefined): RoundRobinTask {
    const task = new RoundRobinTask(this, parent, options);
    this.table.admit(task);
    return task;
  }

  /** A settled task is never queued again. */
  protected override release(task: RoundRobinTask): void {
    this.drop(task);
    this.table.retire(task);
  }

  protected isOwn(task: Task): task is RoundRobinTask {
    return task instanceof RoundRobinTask;
  }
}
