import { Control, WorkerWord } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';

/** What parking needs from the worker that parks. */
export interface ParkingWorker {
  /** Tasks alive in this thread (running, parked, or children it holds the handles of). */
  readonly liveTasks: number;
  /** Whether anything is there to run: its own queues, or any shared one. */
  hasWork(): boolean;
  /** Sends what the worker holds for the main thread. */
  flush(): void;
}

/**
 * A worker going to sleep when it finds no work, waking when a producer notifies its park
 * word, and retiring after its idle timeout above `minThreads`.
 */
export class Parking {
  private readonly control: Int32Array;
  private readonly parkWord: number;
  /** Parked with `Atomics.waitAsync`: this thread's own callbacks may make work and must wake it. */
  private parkedAsync = false;

  constructor(
    private readonly shared: SharedState,
    private readonly index: number,
    private readonly minThreads: number,
    private readonly idleTimeout: number,
    private readonly worker: ParkingWorker,
  ) {
    this.control = shared.control;
    this.parkWord = shared.word(index, WorkerWord.park);
  }

  /**
   * Parks until woken. The worker first says it is going to sleep (its park word and the
   * sleeper count), then looks at every queue once more: a producer publishes work before
   * it checks for sleepers, so either it sees this worker asleep and wakes it, or this
   * worker sees the work. No wake-up is lost. Resolves true if the worker retired instead
   * of waking (see {@link Parking.retire}).
   */
  async sleep(): Promise<boolean> {
    const control = this.control;
    const shared = this.shared;
    Atomics.store(control, this.parkWord, 1);
    Atomics.add(control, Control.sleepers, 1);
    this.worker.flush();
    if (!this.worker.hasWork() && Atomics.load(control, Control.shutdown) === 0) {
      Atomics.add(control, shared.word(this.index, WorkerWord.parks), 1);
      const parkedAt = performance.now();
      const inbound = Atomics.load(control, shared.word(this.index, WorkerWord.inbound));
      if (this.worker.liveTasks === 0 && inbound === 0) {
        // Nothing here waits on this thread's event loop: block the thread outright. Above
        // the floor the wait is bounded by the idle timeout, after which the worker may retire.
        const mayRetire = Atomics.load(control, Control.running) > this.minThreads;
        const outcome = mayRetire ? Atomics.wait(control, this.parkWord, 1, this.idleTimeout) : Atomics.wait(control, this.parkWord, 1);
        if (outcome === 'timed-out' && this.retire()) {
          Atomics.store(control, this.parkWord, 0);
          Atomics.sub(control, Control.sleepers, 1);
          return true;
        }
      } else {
        this.parkedAsync = true;
        const waiting = Atomics.waitAsync(control, this.parkWord, 1);
        if (waiting.async) await waiting.value;
        this.parkedAsync = false;
      }
      Atomics.add(control, shared.word(this.index, WorkerWord.parkedMicros), Math.round((performance.now() - parkedAt) * 1000));
    }
    Atomics.store(control, this.parkWord, 0);
    Atomics.sub(control, Control.sleepers, 1);
    return false;
  }

  /** Something in this thread made work (a wake, a message) while the loop may be parked. */
  kick(): void {
    if (this.parkedAsync) this.shared.wakeWorker(this.index);
  }

  /**
   * Decides whether this worker, idle for its timeout, leaves the pool; true if it does.
   * Three claims, each undone if a later one fails:
   * 1. its own park word (1 to 0), so that no producer counts it as woken from here on and
   *    a wake-up cannot go to a worker that is leaving (if the CAS fails, someone did wake it);
   * 2. one off the running count, only while that stays at or above `minThreads`;
   * 3. its inbound word (0 to -1), so that the main thread posts it nothing more.
   * Between 2 and 3 it looks at every queue once more: work published before the count
   * dropped is seen here, and work the main thread publishes later finds the count lower
   * (it starts a worker if none is left).
   */
  private retire(): boolean {
    const control = this.control;
    if (Atomics.compareExchange(control, this.parkWord, 1, 0) !== 1) return false;
    for (;;) {
      const running = Atomics.load(control, Control.running);
      if (running <= this.minThreads) return false;
      if (Atomics.compareExchange(control, Control.running, running, running - 1) === running) break;
    }
    const inbound = this.shared.word(this.index, WorkerWord.inbound);
    if (this.worker.liveTasks > 0 || this.worker.hasWork() || Atomics.compareExchange(control, inbound, 0, -1) !== 0) {
      Atomics.add(control, Control.running, 1);
      return false;
    }
    this.worker.flush();
    return true;
  }
}
