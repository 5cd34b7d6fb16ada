import type { JobTask } from './job-task.js';
import type { ManualWorker } from './manual-worker.js';

/**
 * Which lock a held job has: `long` (BullMQ's lock manager renews it with `lockDuration`),
 * `handing` (about to go short, in the next batch), `short` (renewed here with
 * `parkedLockDuration`), `lengthening` (about to be long again, waiting for Redis).
 */
export type LockState = 'long' | 'handing' | 'short' | 'lengthening';

/**
 * Short locks for the jobs of tasks that wait for their children.
 *
 * BullMQ notices a dead worker when the locks of its jobs expire (`lockDuration`) and its
 * stalled-job check (every `stalledInterval`) finds them: only then does another worker run
 * them again. A running task needs a long lock, since one long synchronous step holds the
 * thread that renews it. A parent waiting for its child jobs does not, and whatever waits on
 * it should not wait that long when its process dies. So when a task waits while child jobs
 * of its are out, its job's lock is handed from BullMQ's lock manager to this one, which
 * renews it with `parkedLockDuration`; the request for the long lock again is on its way to
 * Redis before the task runs again (see {@link ParkedLocks.lengthen}). A hand-over goes out
 * in a batch once per turn of the event loop, and a task woken before it went out costs
 * nothing.
 */
export class ParkedLocks {
  private readonly shortMs: number;
  private readonly longMs: number;
  private readonly onError: (error: unknown) => void;
  /** Jobs with short locks, renewed every third of a short lock. */
  private readonly short = new Set<JobTask>();
  private handing: JobTask[] = [];
  private lengthening: JobTask[] = [];
  private timer: ReturnType<typeof setInterval> | undefined = undefined;
  private stopped = false;
  private readonly handOverBound = (): void => {
    this.handOverNow();
  };
  private readonly lengthenBound = (): void => {
    this.lengthenNow();
  };

  /**
   * @param shortMs the lock of a waiting parent's job
   * @param longMs the lock of a running task's job (BullMQ's `lockDuration`, its lock manager's)
   */
  constructor(shortMs: number, longMs: number, onError: (error: unknown) => void) {
    this.shortMs = shortMs;
    this.longMs = longMs;
    this.onError = onError;
  }

  /** Starts renewing short locks. */
  start(): void {
    if (this.stopped || this.timer !== undefined) return;
    // On a fixed beat, whatever Redis takes to answer: a lock then lapses only if the
    // thread is held (or Redis is slow) for two thirds of it.
    this.timer = setInterval(() => {
      this.renew();
    }, this.shortMs / 3);
    // The runtime's connections keep its process alive while it works; this need not.
    this.timer.unref();
  }

  /** Stops; what is held keeps the locks it has (they expire, or their jobs finish). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** `task` waits while child jobs of its are out: its job's lock goes short in the next batch. */
  handOver(task: JobTask): void {
    if (task.lockState !== 'long' || task.handedBack || this.stopped || this.shortMs >= this.longMs) return;
    task.lockState = 'handing';
    if (this.handing.length === 0) setImmediate(this.handOverBound);
    this.handing.push(task);
  }

  /**
   * `task` is about to run, or may run at any moment (an `async` body whose children all
   * settled): its job gets the long lock back. The request is on its way to Redis before
   * the task can run: sent at once for an `async` body, whose code runs next in promise
   * reactions; for the others, in a batch sent in a microtask, ahead of the drain that steps
   * them. Redis has it within a round trip then, however long the step holds the thread.
   */
  lengthen(task: JobTask): void {
    switch (task.lockState) {
      case 'handing':
        // Its hand-over has not gone out: it stays with BullMQ's lock manager.
        task.lockState = 'long';
        return;
      case 'short':
        this.short.delete(task);
        task.lockState = 'lengthening';
        if (task.coroutine?.settling === true) {
          this.lengthenBatch([task]);
          return;
        }
        if (this.lengthening.length === 0) queueMicrotask(this.lengthenBound);
        this.lengthening.push(task);
        return;
      case 'long':
      case 'lengthening':
        return;
    }
  }

  /** The job was released (finished or handed back): forget it. */
  forget(task: JobTask): void {
    this.short.delete(task);
  }

  private handOverNow(): void {
    const batch = this.handing.filter((task) => task.lockState === 'handing' && !task.settled);
    this.handing = [];
    for (const task of batch) {
      // Out of BullMQ's lock manager, which would renew it long.
      task.worker.release(task.jobId);
      task.lockState = 'short';
      this.short.add(task);
    }
    for (const [worker, tasks] of byWorker(batch)) void this.extend(worker, tasks, this.shortMs);
  }

  private lengthenNow(): void {
    const batch = this.lengthening;
    this.lengthening = [];
    this.lengthenBatch(batch);
  }

  private lengthenBatch(batch: readonly JobTask[]): void {
    for (const [worker, tasks] of byWorker(batch)) {
      void this.extend(worker, tasks, this.longMs).then(() => {
        for (const task of tasks) {
          if (task.lockState !== 'lengthening') continue;
          task.lockState = 'long';
          if (task.settled) continue;
          worker.track(task.jobId, task.lock);
          // Waiting for new children already (it spawned again meanwhile).
          if (task.dormant && task.liveChildren > 0) this.handOver(task);
        }
      });
    }
  }

  private renew(): void {
    if (this.short.size === 0) return;
    for (const [worker, tasks] of byWorker([...this.short])) void this.extend(worker, tasks, this.shortMs);
  }

  private async extend(worker: ManualWorker, tasks: readonly JobTask[], durationMs: number): Promise<void> {
    try {
      const lost = await worker.extendJobLocks(
        tasks.map((task) => task.jobId),
        tasks.map((task) => task.lock),
        durationMs,
      );
      // A lock already gone: the job stalled and runs elsewhere; finishing it here will fail.
      if (lost.length > 0) this.onError(new Error(`the locks of jobs ${lost.join(', ')} were lost`));
    } catch (error) {
      this.onError(error);
    }
  }
}

/** Groups tasks by the worker holding their job (a runtime serves a queue per worker). */
function byWorker(tasks: readonly JobTask[]): Map<ManualWorker, JobTask[]> {
  const groups = new Map<ManualWorker, JobTask[]>();
  for (const task of tasks) {
    const list = groups.get(task.worker);
    if (list === undefined) groups.set(task.worker, [task]);
    else list.push(task);
  }
  return groups;
}
