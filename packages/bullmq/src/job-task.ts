import { SteppedTask } from '@spindle/core/kit';
import type { SpawnOptions } from '@spindle/core';
import type { SteppedOwner } from '@spindle/core/kit';
import type { SpindleJob } from './messages.js';
import type { ManualWorker } from './manual-worker.js';
import type { LockState } from './parked-locks.js';

/**
 * A task a worker process runs for a job it took: a task the kit's harness steps (see
 * JobStepper), with the job it reports to and what the runtime keeps for it.
 */
export class JobTask extends SteppedTask {
  readonly job: SpindleJob;
  /** The job's id (BullMQ gives every job one). */
  readonly jobId: string;
  /** The lock token the job was fetched with. */
  readonly lock: string;
  readonly worker: ManualWorker;
  /** Label of the executor that spawned the job: events name it. */
  readonly executor: string;
  /** Inbox of that executor, if it wants the events. */
  readonly events: string | undefined;
  /**
   * The job ran before and its worker was lost (BullMQ moved it back from a stalled state):
   * children it spawns may have run, or be running, already (see ChildJobs).
   */
  readonly rerun: boolean;
  /** In the stepper's ready queue. */
  queued = false;
  /** Children spawned so far: the next one's index, part of its deterministic job id. */
  spawned = 0;
  /** Child jobs spawned and not settled. */
  liveChildren = 0;
  /** Which lock its job holds (see ParkedLocks). */
  lockState: LockState = 'long';
  /** Not started when its worker stopped: its job went back to the queue, nothing is reported. */
  handedBack = false;
  /** The timeout's timer, cleared when the task settles. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;

  constructor(owner: SteppedOwner, job: SpindleJob, lock: string, worker: ManualWorker, options: SpawnOptions | undefined) {
    super(owner, undefined, options);
    // The handle in the spawning process has this id: events about it must use it too.
    (this as { id: number }).id = job.data.i;
    this.job = job;
    this.jobId = job.id ?? '';
    this.executor = job.data.l;
    this.events = job.data.e;
    this.rerun = job.stalledCounter > 0;
    this.lock = lock;
    this.worker = worker;
  }

  /** Waits (for a child, a timer, I/O, its children to settle): neither running, nor ready to, nor settled. */
  get dormant(): boolean {
    return this.parked || (this.bodyFinished && !this.settled);
  }

  /** Has not run any of its body yet (its module may be loading). */
  get unstarted(): boolean {
    return this.coroutine?.started !== true;
  }
}
