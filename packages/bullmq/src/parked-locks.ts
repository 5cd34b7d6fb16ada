import type { JobTask } from './job-task.js';
import type { ManualWorker } from './manual-worker.js';

/**
 * Short locks for the jobs of tasks that wait.
 *
 * BullMQ notices a dead worker when the locks of its jobs expire (`lockDuration`) and its
 * stalled-job check (every `stalledInterval`) finds them: only then does another worker run
 * them again. A running task needs a long lock, since one long synchronous step holds the
 * thread that renews it. A task that waits — a parent joining its children — holds no
 * thread, and the work that waits on it (its spawner, its own parent) should not wait a lock
 * as long for it when its process dies. So the lock of a job whose task has been waiting
 * since the last look is handed from BullMQ's lock manager to this one, which renews it with
 * `parkedLockDuration`; when the task runs again it goes back, extended to `lockDuration`.
 *
 * The hand-over is looked at every half `parkedLockDuration`, so a task that waits only
 * briefly never changes hands, and a task that runs again gets its long lock back before
 * its short one can expire (unless a synchronous step holds the thread that long first).
 */
export class ParkedLocks {
  private readonly shortMs: number;
  private readonly longMs: number;
  private readonly held: () => Iterable<JobTask>;
  private readonly onError: (error: unknown) => void;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private stopped = false;
  private readonly tickBound = (): void => {
    void this.tick();
  };

  /**
   * @param held the tasks whose jobs the runtime holds now
   * @param shortMs the lock of a waiting task's job
   * @param longMs the lock of a running task's job (BullMQ's `lockDuration`)
   */
  constructor(held: () => Iterable<JobTask>, shortMs: number, longMs: number, onError: (error: unknown) => void) {
    this.held = held;
    this.shortMs = shortMs;
    this.longMs = longMs;
    this.onError = onError;
  }

  /** Starts looking, every half short lock. */
  start(): void {
    if (this.shortMs >= this.longMs) return;
    this.schedule();
  }

  /** Stops; what is held keeps the locks it has (they expire, or their jobs finish). */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(this.tickBound, this.shortMs / 2);
    // The runtime's connections keep its process alive while it works; this need not.
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const toShort = new Map<ManualWorker, JobTask[]>();
    const toLong = new Map<ManualWorker, JobTask[]>();
    for (const task of this.held()) {
      if (task.handedBack || task.dormant === task.shortLock) {
        if (task.shortLock) add(toShort, task);
        continue;
      }
      if (task.dormant) {
        // Out of BullMQ's lock manager, which would renew it long.
        task.worker.release(task.jobId);
        task.shortLock = true;
        add(toShort, task);
      } else {
        task.shortLock = false;
        add(toLong, task);
      }
    }
    const extending: Promise<void>[] = [];
    for (const [worker, tasks] of toShort) extending.push(this.extend(worker, tasks, this.shortMs));
    for (const [worker, tasks] of toLong) {
      extending.push(
        this.extend(worker, tasks, this.longMs).then(() => {
          for (const task of tasks) if (!task.shortLock && !task.settled) worker.track(task.jobId, task.lock);
        }),
      );
    }
    await Promise.all(extending);
    this.schedule();
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

function add(map: Map<ManualWorker, JobTask[]>, task: JobTask): void {
  const list = map.get(task.worker);
  if (list === undefined) map.set(task.worker, [task]);
  else list.push(task);
}
