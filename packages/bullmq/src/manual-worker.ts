import { Worker } from 'bullmq';
import type { Job, WorkerOptions as BullWorkerOptions } from 'bullmq';
import type { JobData } from './messages.js';

/**
 * A BullMQ worker whose jobs Spindle fetches itself (`getNextJob`), so that a task waiting
 * for its children does not hold one of the worker's processing slots. BullMQ's own lock
 * manager still renews the lock of every job held, and its stalled-job checker still runs:
 * this subclass only reaches the protected lock manager for jobs fetched by hand.
 */
export class ManualWorker extends Worker<JobData, string | null> {
  constructor(name: string, options: BullWorkerOptions) {
    super(name, undefined, { ...options, autorun: false });
  }

  /** Starts renewing locks and looking for stalled jobs, as `run()` would. */
  startManual(): void {
    this.lockManager.start();
    void this.startStalledCheckTimer().catch((error: unknown) => this.emit('error', error as Error));
  }

  /** Renews this job's lock until {@link release}; its signal aborts on `cancelJob`. */
  hold(job: Job<JobData, string | null>, token: string): AbortSignal | undefined {
    const id = job.id;
    if (id === undefined) return undefined;
    const controller = this.lockManager.trackJob(id, token, job.processedOn ?? Date.now(), true);
    return controller?.signal as AbortSignal | undefined;
  }

  /** Renews this job's lock again, from now on (see ParkedLocks). */
  track(jobId: string, token: string): void {
    this.lockManager.trackJob(jobId, token, Date.now());
  }

  /** Stops renewing the job's lock (it is finished, handed back, or renewed by ParkedLocks). */
  release(jobId: string): void {
    this.lockManager.untrackJob(jobId);
  }
}
