import { Worker } from 'bullmq';
import type { WorkerOptions as BullWorkerOptions } from 'bullmq';
import type { JobData, SpindleJob } from './messages.js';

/**
 * A BullMQ worker whose jobs Spindle fetches itself (`getNextJob`), so that a task waiting
 * for its children does not hold one of the worker's processing slots. BullMQ's own lock
 * manager still renews the lock of every job held, and its stalled-job checker still runs:
 * this subclass only reaches the protected lock manager for jobs fetched by hand, and reads
 * how long BullMQ's rate limiter holds the worker back (see {@link limitedFor}).
 */
export class ManualWorker extends Worker<JobData, unknown> {
  constructor(name: string, options: BullWorkerOptions) {
    super(name, undefined, { ...options, autorun: false });
  }

  /** Starts renewing locks and looking for stalled jobs, as `run()` would. */
  startManual(): void {
    this.lockManager.start();
    void this.startStalledCheckTimer().catch((error: unknown) => this.emit('error', error as Error));
  }

  /**
   * Milliseconds until the queue's rate limiter lets this worker take a job, 0 when it does
   * not hold it back. While it does, `getNextJob` returns nothing at once, without asking
   * Redis: BullMQ's own loop waits this out (its private `waitForRateLimit`), and a loop
   * that fetches by hand must too. BullMQ keeps the time in a private field, set from the
   * limiter's window by each fetch; the version is pinned, and the package's limiter test
   * fails if the field goes.
   */
  get limitedFor(): number {
    const until = (this as unknown as { readonly limitUntil?: unknown }).limitUntil;
    return typeof until === 'number' ? Math.max(0, until - Date.now()) : 0;
  }

  /** Renews this job's lock until {@link release}; its signal aborts on `cancelJob`. */
  hold(job: SpindleJob, token: string): AbortSignal | undefined {
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
