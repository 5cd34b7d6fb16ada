import { Coroutine, Task } from '@spindle/core/kit';
import type { SpawnOptions, Spawnable } from '@spindle/core';
import type { TaskOwner } from '@spindle/core/kit';
import type { Job } from 'bullmq';
import type { JobData } from './messages.js';
import type { ManualWorker } from './manual-worker.js';

/**
 * A task a worker process runs for a job it took: core's Task (lifecycle, children,
 * cancellation) with the coroutine that steps its body and the job it reports to.
 */
export class JobTask extends Task {
  readonly job: Job<JobData, string | null>;
  /** The lock token the job was fetched with. */
  readonly lock: string;
  readonly worker: ManualWorker;
  coroutine: Coroutine | undefined = undefined;
  /** Parked on a promise-like; `token` tells a current wake from a stale one. */
  parked = false;
  queued = false;
  /** A step is running and asked to cancel its own task: interrupt once the step returns. */
  interruptAfterStep = false;
  /** `await ctx.yield()` calls waiting for their turn (async bodies only). */
  turns: { onTurn: () => void; onCancel: (error: unknown) => void }[] | undefined = undefined;
  /** Label of the executor that spawned the job: events name it. */
  readonly executor: string;
  /** Inbox of that executor, if it wants the events. */
  readonly events: string | undefined;
  /** The timeout's timer, cleared when the task settles. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(owner: TaskOwner, job: Job<JobData, string | null>, lock: string, worker: ManualWorker, options: SpawnOptions | undefined) {
    super(owner, undefined, options);
    // The handle in the spawning process has this id: events about it must use it too.
    (this as { id: number }).id = job.data.i;
    this.job = job;
    this.executor = job.data.l;
    this.events = job.data.e;
    this.lock = lock;
    this.worker = worker;
  }

  /** Gives the task its body; it runs from its first step on. */
  begin(body: Spawnable, args: readonly unknown[]): void {
    this.coroutine = new Coroutine(body, args, this.context);
  }
}
