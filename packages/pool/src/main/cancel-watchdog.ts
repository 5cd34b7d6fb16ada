import { WorkerWord } from '../shared/shared-state.js';
import type { SharedState } from '../shared/shared-state.js';
import { SlotState } from '../shared/slot-table.js';
import type { Workers } from './workers.js';

/** What the watchdog saw of one worker last: its stepping word, its step count, and since when. */
interface Seen {
  stepping: number;
  steps: number;
  since: number;
}

/**
 * Cancellation reaches a running task at its next yield; a task stuck in one synchronous
 * step never gets there, and its worker cannot even read a cancel request for another
 * task. Polled a few times per `cancelTimeout`: a worker that has been in one step that
 * long, of a task that was cancelled or whose ancestor was, is terminated, and crash
 * recovery settles the task as cancelled. A long step of a task nobody cancelled is left
 * alone.
 */
export class CancelWatchdog {
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly seen: Seen[];

  constructor(
    private readonly shared: SharedState,
    private readonly workers: Workers,
    private readonly timeout: number,
    private readonly busy: () => boolean,
  ) {
    this.seen = Array.from({ length: shared.deques.length }, () => ({ stepping: -1, steps: 0, since: 0 }));
    this.timer = setInterval(() => {
      this.poll();
    }, Math.max(5, Math.min(250, timeout >> 2)));
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    if (!this.busy()) return;
    const shared = this.shared;
    const control = shared.control;
    const now = performance.now();
    this.seen.forEach((seen, i) => {
      if (!this.workers.running(i)) {
        // A worker started in its place begins afresh.
        seen.stepping = -1;
        return;
      }
      const stepping = Atomics.load(control, shared.word(i, WorkerWord.stepping));
      const steps = Atomics.load(control, shared.word(i, WorkerWord.steps));
      if (seen.stepping !== stepping || seen.steps !== steps) {
        seen.stepping = stepping;
        seen.steps = steps;
        seen.since = now;
        return;
      }
      const stuck = now - seen.since;
      if (stepping === 0 || stuck < this.timeout || !this.cancelRequested(stepping - 1)) return;
      const id = shared.slots.taskId(stepping - 1);
      this.workers.terminate(i, new Error(`terminated by the pool: task ${id} or its parent was cancelled and it stayed ${Math.round(stuck)} ms inside one step`));
    });
  }

  /** Whether the task in `slot`, or any ancestor that went through shared memory, was asked to stop. */
  private cancelRequested(slot: number): boolean {
    const slots = this.shared.slots;
    if (slots.cancelRequested(slot)) return true;
    // Rare (a worker stuck past cancelTimeout): a scan of the slots finds the ancestors.
    const byId = new Map<number, number>();
    for (let s = 0; s < slots.count; s++) {
      const state = slots.state(s);
      if (state === SlotState.Queued || state === SlotState.Running) byId.set(slots.taskId(s), s);
    }
    const seen = new Set<number>();
    for (let parent = slots.parentId(slot); parent !== -1 && !seen.has(parent); ) {
      seen.add(parent);
      const at = byId.get(parent);
      if (at === undefined) return false;
      if (slots.cancelRequested(at)) return true;
      parent = slots.parentId(at);
    }
    return false;
  }
}
