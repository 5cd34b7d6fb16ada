import { Control } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';

/**
 * The main thread's wait for outcomes in its results mailbox (see `SharedState.tellMain`):
 * while any of its tasks is out, one `Atomics.waitAsync` on `resultsWanted` is pending,
 * and the first worker to post after it was set wakes it. A wake takes every slot posted
 * since, so a burst of outcomes costs one wake, and a single task's outcome arrives without
 * a message (a message costs both threads a few µs more than a notify).
 */
export class ResultsWatch {
  private armed = false;
  /** The pool stopped: no wait is left pending (V8 holds a pending wait, and through it this pool, until it is notified). */
  private stopped = false;
  /** The last wake found the mailbox pending but nothing written yet (a worker between its two stores). */
  private stalled = false;
  private readonly woken = (): void => {
    this.stalled = this.take() === 0;
    this.armed = false;
    this.arm();
  };

  /**
   * @param receive handles the slot of a finished task
   * @param after runs after each wake's slots were handled
   * @param outstanding whether any task of this thread is still out (only then it waits)
   */
  constructor(
    private readonly shared: SharedState,
    private readonly receive: (slot: number) => void,
    private readonly after: () => void,
    private readonly outstanding: () => boolean,
  ) {}

  /**
   * Waits for the next outcome unless it already does or nothing is out. `resultsWanted` is
   * set before the mailbox is looked at: a worker posts before it reads the word, so either
   * it sees the word and notifies, or the look here sees its post. Never takes outcomes
   * itself (it is called while tasks are handed over): a post already there is taken in a
   * microtask.
   */
  arm(): void {
    if (this.armed || this.stopped || !this.outstanding()) return;
    this.armed = true;
    const shared = this.shared;
    const control = shared.control;
    Atomics.store(control, Control.resultsWanted, 1);
    if (shared.results.pending) {
      // A post reserved but not yet written is written a moment later: let the loop turn.
      if (this.stalled) setImmediate(this.woken);
      else queueMicrotask(this.woken);
      return;
    }
    const waiting = Atomics.waitAsync(control, Control.resultsWanted, 1);
    // Not async: a worker cleared the word meanwhile, its post is there to take.
    if (waiting.async) void waiting.value.then(this.woken);
    else queueMicrotask(this.woken);
  }

  /**
   * Ends the wait, for good. An outcome that came by message leaves the wait pending after
   * the pool's last task settled; a pending `Atomics.waitAsync` is held by V8 until it is
   * notified, and it would hold the whole pool (its shared memory) after it closed.
   */
  stop(): void {
    this.stopped = true;
    if (!this.armed) return;
    const control = this.shared.control;
    Atomics.store(control, Control.resultsWanted, 0);
    Atomics.notify(control, Control.resultsWanted);
  }

  /**
   * Handles every slot posted so far; how many.
   * @param after whether to run the `after` hook (crash recovery takes the outcomes alone,
   *   before it looks at the slots: no new task may take a slot meanwhile)
   */
  take(after = true): number {
    const n = this.shared.results.drain(this.receive);
    if (n > 0 && after) this.after();
    return n;
  }
}
