import { ExecutorShell, RingQueue, SteppedTask } from '@spindle/core/kit';
import type { Task } from '@spindle/core/kit';
import type { ExecutorCapabilities, SpawnOptions } from '@spindle/core';

/** A task of the FIFO executor: nothing beyond what the harness keeps for it. */
export class FifoTask extends SteppedTask {}

/** Options of the test executor. */
export interface FifoOptions {
  readonly label?: string;
  /** Override what it declares (the suite must follow). */
  readonly capabilities?: Partial<ExecutorCapabilities>;
}

let made = 0;

/**
 * A minimal, correct executor for testing the conformance suite itself: one thread, a
 * FIFO ready queue, one step per turn, time slices of 5 ms. Built on core's kit: the
 * executor shell takes tasks in, steps, parks, wakes, interrupts and closes; this class
 * keeps only its queue. Subclasses in broken-executors.ts break it on purpose through the
 * kit's hooks.
 */
export class FifoExecutor extends ExecutorShell<FifoTask> {
  readonly capabilities: ExecutorCapabilities;
  /** Ready tasks, oldest first; a task queued again goes to the back, so each takes one step per turn. */
  protected readonly ready = new RingQueue<FifoTask>();

  constructor(options: FifoOptions = {}) {
    super(options.label ?? `fifo#${++made}`, { sliceMs: 5 });
    this.capabilities = Object.freeze({
      name: 'fifo-test',
      parallel: false,
      closures: true,
      clonesArguments: false,
      timeSliced: true,
      ordering: 'round-robin' as const,
      ...options.capabilities,
    });
  }

  protected createTask(parent: Task | undefined, options: SpawnOptions | undefined): FifoTask {
    return new FifoTask(this, parent, options);
  }

  protected isOwn(task: Task): task is FifoTask {
    return task instanceof FifoTask;
  }

  protected override pushReady(task: FifoTask): void {
    this.ready.push(task);
  }

  protected override takeReady(): FifoTask | undefined {
    return this.ready.shift();
  }

  protected override readyCount(): number {
    return this.ready.size;
  }
}
