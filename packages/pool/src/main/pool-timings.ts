import { TimingWindow } from '@spindle/core/kit';
import type { TimingSummary } from '@spindle/core/kit';
import { epochNow } from '../shared/clock.js';
import type { SlotTable } from '../shared/slot-table.js';
import type { PoolTask } from './pool-task.js';

/**
 * Tasks timed: every one of the first `TIME_ALL` spawned from the main thread, then one in
 * `TIME_EVERY`. A timed task costs three clock reads (spawn, start, settlement) on two
 * threads; sampled, timing costs nothing measurable per task (see the README).
 */
const TIME_ALL = 64;
const TIME_EVERY = 8;

/**
 * The pool's `waitTime` and `runTime` figures: how long tasks spawned from the main thread
 * waited from `spawn` until a worker started them, and ran from that start until they
 * settled, over the latest 1,024 timed tasks. The runner writes both into the task's slot
 * (the clock is the same on every thread), and the main thread adds them here when it
 * takes the outcome.
 */
export class PoolTimings {
  private readonly waits = new TimingWindow();
  private readonly runs = new TimingWindow();
  private spawned = 0;

  /** Gives `task` a spawn time if it is among the tasks timed. */
  stamp(task: PoolTask): void {
    if (++this.spawned <= TIME_ALL || this.spawned % TIME_EVERY === 0) task.spawnedAt = epochNow();
  }

  /** A timed task ran to an outcome: its figures are in `slot`. */
  record(slots: SlotTable, slot: number): void {
    this.waits.add(slots.waitMs(slot));
    this.runs.add(slots.runMs(slot));
  }

  get waitTime(): TimingSummary {
    return this.waits.summary();
  }

  get runTime(): TimingSummary {
    return this.runs.summary();
  }
}
